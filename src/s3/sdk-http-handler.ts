// The S3 clients' request handler: node:http(s) with one keep-alive agent (shared by a pool's clients), the whole answer
// collected into one Buffer (bucket sub-resources are small XML documents). It implements the SDK's
// HttpHandler interface as @smithy/node-http-handler does for what the hook sends, without its
// per-request timers (socket-usage warning, connection, socket and keep-alive timeouts, four per call),
// header copies and stream wrapping: a third of the SDK's CPU per call on the bench's profile.
// Errors are the same: node's socket errors as they are (ECONNRESET... for the retry strategy), a
// request cut short by its abort signal as an AbortError, a requestTimeout as a TimeoutError.
// A request of a shape it was not written for (credentials or a fragment in the URL, a body of another
// kind, fields it does not know how to read) goes to the SDK's own handler, over the same agents.
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** What the handler reads of the SDK's HttpRequest (@smithy/protocol-http), structurally. */
export interface SdkHttpRequest {
  protocol: string;
  hostname: string;
  port?: number | undefined;
  method: string;
  path: string;
  query?: Record<string, string | Array<string> | null> | undefined;
  headers: Record<string, string>;
  body?: unknown;
  username?: string | undefined;
  password?: string | undefined;
  fragment?: string | undefined;
}

const isPipeable = (body: unknown): body is Readable => typeof (body as Readable | null)?.pipe === 'function';

/** What this handler sends exactly as @smithy/node-http-handler would; anything else is left to it. */
export function isPlainRequest(request: SdkHttpRequest): boolean {
  const { body } = request;
  return (
    (request.protocol === 'http:' || request.protocol === 'https:') &&
    typeof request.hostname === 'string' &&
    typeof request.path === 'string' &&
    typeof request.headers === 'object' &&
    request.headers !== null &&
    !request.username &&
    !request.password &&
    !request.fragment &&
    (body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer || isPipeable(body))
  );
}

/** The SDK's HttpResponse, structurally (its isInstance checks statusCode and headers). */
export interface SdkHttpResponse {
  statusCode: number;
  reason?: string | undefined;
  headers: Record<string, string>;
  /** The whole answer; a stream when the SDK's own handler served the request. */
  body: Uint8Array | Readable;
}

export interface SdkHandlerOptions {
  /** The SDK's type also admits its own old AbortSignal shape; the hook passes node's. */
  abortSignal?: AbortSignal | { readonly aborted: boolean } | undefined;
  requestTimeout?: number | undefined;
}

export interface KeepAliveHandlerOptions {
  /** Sockets per agent (per client); further requests queue on the agent. */
  maxSockets?: number;
  /** Cuts a request whose answer has not fully arrived after this many ms (0: none; the hook's deadline signal is the usual bound). */
  requestTimeoutMs?: number;
}

/** The socket errors @smithy/node-http-handler renames TimeoutError (the retry strategy retries those). */
const TIMEOUT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error('Request aborted', { cause: reason });
  err.name = 'AbortError';
  return err;
}

/** The SDK's own URI escape (@smithy's escapeUri): what the signature was computed over. */
const escapeUri = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** As @smithy/node-http-handler builds it: keys sorted, `key` alone for a null value, `key=` for an empty string. */
function queryString(query: SdkHttpRequest['query']): string {
  const parts: string[] = [];
  for (const key of Object.keys(query ?? {}).sort()) {
    const value = query![key];
    const name = escapeUri(key);
    if (Array.isArray(value)) for (const v of value) parts.push(`${name}=${escapeUri(v)}`);
    else parts.push(value || typeof value === 'string' ? `${name}=${escapeUri(value)}` : name);
  }
  return parts.join('&');
}

function responseHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of Object.keys(raw)) {
    const value = raw[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

export class KeepAliveHttpHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly requestTimeoutMs: number;
  private stockHandler: NodeHttpHandler | undefined;

  constructor(options: KeepAliveHandlerOptions = {}) {
    const agent = { keepAlive: true, maxSockets: options.maxSockets ?? 50 };
    this.httpAgent = new http.Agent(agent);
    this.httpsAgent = new https.Agent(agent);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 0;
  }

  /** The SDK's own handler, on this handler's agents, made on the first request this one leaves to it. */
  private stock(): NodeHttpHandler {
    return (this.stockHandler ??= new NodeHttpHandler({
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      requestTimeout: this.requestTimeoutMs || undefined,
    }));
  }

  handle(request: SdkHttpRequest, options: SdkHandlerOptions = {}): Promise<{ response: SdkHttpResponse }> {
    if (!isPlainRequest(request)) return this.stock().handle(request as never, options as never) as Promise<{ response: SdkHttpResponse }>;
    const given = options.abortSignal;
    const signal = given && 'addEventListener' in given ? given : undefined;
    return new Promise((resolve, reject) => {
      if (given?.aborted) return reject(signal ? abortError(signal) : Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
      const secure = request.protocol === 'https:';
      const query = queryString(request.query);
      let hostname = request.hostname;
      if (hostname.startsWith('[') && hostname.endsWith(']')) hostname = hostname.slice(1, -1);
      const req = (secure ? https : http).request({
        host: hostname,
        ...(request.port ? { port: request.port } : {}),
        method: request.method,
        path: query ? `${request.path}?${query}` : request.path,
        headers: request.headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
      });
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        req.destroy();
        reject(err);
      };
      const onAbort = (): void => fail(abortError(signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
      const timeoutMs = options.requestTimeout ?? this.requestTimeoutMs;
      const timer =
        timeoutMs > 0 ? setTimeout(() => fail(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' })), timeoutMs) : undefined;
      req.once('close', () => {
        signal?.removeEventListener('abort', onAbort);
        if (timer) clearTimeout(timer);
      });
      req.on('error', (err: NodeJS.ErrnoException) => fail(TIMEOUT_CODES.has(err.code ?? '') ? Object.assign(err, { name: 'TimeoutError' }) : err));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => fail(err));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          resolve({ response: { statusCode: res.statusCode ?? -1, reason: res.statusMessage, headers: responseHeaders(res.headers), body } });
        });
      });
      const body: unknown = request.body;
      if (body === undefined || body === null) req.end();
      else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
      else if (isPipeable(body)) body.pipe(req);
      else req.end(Buffer.from(body as ArrayBuffer));
    });
  }

  updateHttpClientConfig(): void {
    // Nothing to update: the agents are made once per client.
  }

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {
    this.stockHandler?.destroy();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
