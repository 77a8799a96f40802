// The few Kubernetes API requests the hook makes (create and patch Events), over node:http(s): the
// in-cluster ServiceAccount's bearer token and CA, a timeout per request, keep-alive. Not
// @kubernetes/client-node: its 2.x does not load on Node 20, and 1.4 adds 72 packages (72 MB) and,
// imported, 0.75 s and ~85 MB of RSS to a process whose heap is capped at 128 MB, to send two requests.
//
// The token is a projected ServiceAccount token that the kubelet rotates (about hourly), so it is
// re-read when older than a minute, as client-go does, and at once after a 401.
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
}

export interface KubeResponse {
  status: number;
  body: unknown;
}

export type Method = 'POST' | 'PATCH';

export class KubeApi {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly now: () => number;
  private token: { value: string; readAt: number } | undefined;

  constructor(private readonly options: KubeApiOptions) {
    this.base = new URL(options.url);
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
    const token = await this.bearer();
    const payload = JSON.stringify(body);
    const url = new URL(path, this.base);
    const headers: http.OutgoingHttpHeaders = { 'content-type': contentType, accept: 'application/json', 'content-length': Buffer.byteLength(payload), 'user-agent': 'bucket-hook' };
    if (token) headers.authorization = `Bearer ${token}`;
    const client = url.protocol === 'https:' ? https : http;
    const response = await new Promise<KubeResponse>((resolve, reject) => {
      const req = client.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
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

  close(): void {
    this.agent.destroy();
  }
}
