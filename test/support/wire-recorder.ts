// An HTTP server that records every request as it arrived on the wire (method, path and query as sent,
// headers, body) and either answers it itself or forwards it to an upstream S3 (RGW) and relays the
// answer: for comparing what two S3 clients send for the same commands.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WireRequest {
  method: string;
  /** The request target as sent: path and query string, in the client's order and escaping. */
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface WireAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface WireRecorder {
  url: string;
  requests: WireRequest[];
  close(): Promise<void>;
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(',') : value;
  return out;
}

function forward(upstream: URL, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
  // The Host header goes as the client signed it (RGW verifies the signature over it, path-style).
  const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  out.on('error', (err) => {
    res.writeHead(502);
    res.end(err.message);
  });
  out.end(body);
}

/** Answers with `answer` (a loopback S3), or forwards to `upstream` (a real one); records either way. */
export async function startWireRecorder(target: { upstream: string } | { answer: (req: WireRequest) => WireAnswer }): Promise<WireRecorder> {
  const requests: WireRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const seen: WireRequest = { method: req.method ?? '', url: req.url ?? '', headers: headersOf(req), body: body.toString('utf8') };
      requests.push(seen);
      if ('upstream' in target) return forward(new URL(target.upstream), req, body, res);
      const a = target.answer(seen);
      res.writeHead(a.status, a.headers ?? {});
      res.end(a.body ?? '');
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Headers that differ between any two sends of one command: the signature, the clock, the invocation's id. */
const VOLATILE = new Set(['x-amz-date', 'date', 'amz-sdk-invocation-id']);

/**
 * A request as two clients must agree on it: everything but the signature itself (its scope and signed
 * header list stay), the dates and the invocation id; the user agent without the SDK's per-request
 * feature token (`m/...`), which the tuned client leaves out by design (sdk-client-config.ts).
 */
export function comparable(r: WireRequest): WireRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(r.headers)) {
    if (VOLATILE.has(name)) continue;
    if (name === 'authorization') headers[name] = value.replace(/(Credential=[^/]+\/)\d{8}\//, '$1<date>/').replace(/, Signature=[0-9a-f]+$/, '');
    else if (name === 'user-agent') headers[name] = value.replace(/ m\/\S+/, '');
    else headers[name] = value;
  }
  return { method: r.method, url: r.url, headers, body: r.body };
}
