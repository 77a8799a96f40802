// The few Kubernetes API requests the hook makes (create and patch Events), over node:http(s): the
// in-cluster ServiceAccount's bearer token and CA, a timeout per request, keep-alive. Not
// @kubernetes/client-node: its 2.x does not load on Node 20, and 1.4 adds 72 packages (72 MB) and,
// imported, 0.75 s and ~85 MB of RSS to a process whose heap is capped at 128 MB, to send two requests.
//
// The token is a projected ServiceAccount token that the kubelet rotates (about hourly), so it is
// re-read when older than a minute, as client-go does, and at once after a 401.
//
// What the API server answers is read up to a cap (1 MiB): an answer of 200 MB took RSS to 692 MB and
// one of 600 MB crashed the process. A path prefix in the URL (a proxy such as Rancher's
// /k8s/clusters/ID) is kept in front of every request path, and a path the URL parser would rewrite
// (dot segments: a namespace ".." made the events path cluster-wide) is refused, never sent.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';

export interface KubeApiOptions {
  /** The API server, e.g. https://10.96.0.1:443 (http:// for a loopback stand-in or kubectl proxy). */
  url: string;
  /** The bearer token's file; unset: no Authorization header (kubectl proxy, a stand-in). */
  tokenFile?: string | undefined;
  /** PEM CA bundle the server's certificate must chain to; unset: the system's roots. */
  caFile?: string | undefined;
  /** Each request is abandoned after this long (connect, send, answer). */
  timeoutMs: number;
  /** Re-read the token when the copy held is older than this (default 60 s). */
  tokenMaxAgeMs?: number;
  /** Milliseconds, for the token's age (tests pass a manual clock). */
  now?: () => number;
  /** An answer longer than this is cut off and the request fails (default MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
}

/** What the hook reads of one answer at most: an Event or a Status is a few KB. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface KubeResponse {
  status: number;
  body: unknown;
}

export type Method = 'POST' | 'PATCH';

export class KubeApi {
  private readonly base: URL;
  /** The URL's path without its trailing slash ('' for none): the prefix of every request path. */
  private readonly prefix: string;
  private readonly agent: http.Agent;
  private readonly now: () => number;
  private token: { value: string; readAt: number } | undefined;

  constructor(private readonly options: KubeApiOptions) {
    this.base = new URL(options.url);
    this.prefix = this.base.pathname.replace(/\/+$/, '');
    this.now = options.now ?? (() => performance.now());
    const secure = this.base.protocol === 'https:';
    const ca = options.caFile ? readFileSync(options.caFile, 'utf8') : undefined;
    this.agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 4, ...(ca ? { ca } : {}) }) : new http.Agent({ keepAlive: true, maxSockets: 4 });
  }

  private async bearer(): Promise<string | undefined> {
    const file = this.options.tokenFile;
    if (!file) return undefined;
    const maxAge = this.options.tokenMaxAgeMs ?? 60_000;
    if (!this.token || this.now() - this.token.readAt >= maxAge) {
      this.token = { value: (await readFile(file, 'utf8')).trim(), readAt: this.now() };
    }
    return this.token.value;
  }

  /** One request; resolves with any HTTP status, rejects on a network error or the timeout. */
  async request(method: Method, path: string, body: unknown, contentType = 'application/json'): Promise<KubeResponse> {
    const url = this.urlOf(path);
    const token = await this.bearer();
    const payload = JSON.stringify(body);
    const limit = this.options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    const headers: http.OutgoingHttpHeaders = {
      'content-type': contentType,
      accept: 'application/json',
      'content-length': Buffer.byteLength(payload),
      'user-agent': 'bucket-hook',
    };
    if (token) headers.authorization = `Bearer ${token}`;
    const client = url.protocol === 'https:' ? https : http;
    const response = await new Promise<KubeResponse>((resolve, reject) => {
      const req = client.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        let received = 0;
        const tooLong = (): void => void req.destroy(new Error(`the Kubernetes API's answer is longer than ${limit} bytes: cut off unread`));
        // A declared length over the cap: not one byte of it is read.
        if (Number(res.headers['content-length'] ?? 0) > limit) return tooLong();
        res.on('data', (c: Buffer) => {
          received += c.length;
          if (received > limit) tooLong();
          else chunks.push(c);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON (a proxy's error page): kept as text
          }
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        // Cut off mid-answer (the timeout below, a reset): settled as a failure (a settled promise ignores it).
        res.on('close', () => {
          clearTimeout(timer);
          if (!res.complete) reject(new Error('the Kubernetes API closed the connection before its answer ended'));
        });
      });
      // The whole request (connect, send, the answer's last byte) within the timeout, or it is abandoned.
      const timer = setTimeout(() => req.destroy(new Error(`no answer from the Kubernetes API within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(payload);
    });
    // A rotated token that the server no longer takes: read it again for the next request.
    if (response.status === 401) this.token = undefined;
    return response;
  }

  /** The request URL: the base's path prefix, then `path`; refused when the URL parser would rewrite it. */
  private urlOf(path: string): URL {
    const url = new URL(this.base.href);
    url.pathname = `${this.prefix}${path}`;
    url.search = '';
    url.hash = '';
    // "." and ".." segments (also percent-encoded) are resolved by the parser: /namespaces/../events would
    // become a cluster-wide path. Callers validate names; this makes sure nothing else slips through.
    if (url.pathname !== `${this.prefix}${path}`)
      throw new Error(`refusing to send a request for ${JSON.stringify(path.slice(0, 200))}: the URL parser rewrites it (a "." or ".." segment?)`);
    return url;
  }

  close(): void {
    this.agent.destroy();
  }
}
