// What the server does with a request Node's HTTP parser refused or timed out (its 'clientError'): a
// request not received within REQUEST_TIMEOUT_MS / HEADERS_TIMEOUT_MS (408), headers over Node's size
// limit (431), bytes that are not HTTP (400). Answered with a JSON {code, message} like every other
// refusal, then the socket is closed.
//
// Replaces Fastify's default handler, which logs the whole error at trace level, including
// err.rawPacket: the raw bytes of the request, that is its Authorization header and so the bearer token.
// Here only the error code is logged (at debug), and counted (bucket_hook_client_errors_total).
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';

export type ClientErrorReason = 'timeout' | 'header_overflow' | 'malformed';

interface Refusal {
  status: number;
  reason: ClientErrorReason;
  code: string;
  message: string;
}

export function refusalFor(code: string | undefined): Refusal {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      status: 408,
      reason: 'timeout',
      code: 'HOOK_REQUEST_TIMEOUT',
      message: 'the request was not received in time (REQUEST_TIMEOUT_MS, HEADERS_TIMEOUT_MS); the connection is closed',
    };
  }
  if (code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      reason: 'header_overflow',
      code: 'HOOK_HEADERS_TOO_LARGE',
      message: "the request headers exceed the server's limit; the connection is closed",
    };
  }
  return { status: 400, reason: 'malformed', code: 'HOOK_MALFORMED_REQUEST', message: 'the request is not valid HTTP/1.1; the connection is closed' };
}

/** A refused socket that will not take the answer is destroyed after this long anyway. */
const FLUSH_GRACE_MS = 1000;

/**
 * The 'clientError' handler (Fastify's clientErrorHandler option, called with the app as `this`).
 * `count` is the metrics' callback; the logger is the app's.
 */
export function clientErrorHandler(count: (reason: ClientErrorReason) => void) {
  return function handle(this: { log: FastifyBaseLogger }, err: Error & { code?: string }, socket: Socket): void {
    // A reset connection is already gone: nothing to answer, nothing worth counting.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const refusal = refusalFor(err.code);
    count(refusal.reason);
    // Never the error itself: its rawPacket is the request's bytes, credentials included.
    this.log.debug({ code: err.code ?? 'unknown', status: refusal.status }, 'client error: connection refused');
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({ code: refusal.code, message: refusal.message });
    const head = `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
    // Destroyed once the answer is handed to the kernel, or after a grace period if the client reads nothing.
    const timer = setTimeout(() => socket.destroy(), FLUSH_GRACE_MS);
    timer.unref();
    socket.write(head + body, () => {
      clearTimeout(timer);
      socket.destroy();
    });
  };
}
