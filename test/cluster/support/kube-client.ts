// A small Kubernetes REST client over node:https for the cluster tests and the Metacontroller stand-in:
// bearer token, the API server's CA, JSON in and out, streaming watches, and client-go's request rate
// limit (a token bucket: --client-go-qps / --client-go-burst; watches are not limited, as in client-go).
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { parse as parseYaml } from 'yaml';

export type JsonObject = Record<string, unknown>;

export interface KubeObject extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

export interface ObjectMeta extends JsonObject {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeResponse<T = JsonObject> {
  status: number;
  body: T;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject;
}

export interface KubeClientOptions {
  server: string;
  token: string;
  /** PEM the API server's certificate chains to. */
  ca: string;
  /** client-go's defaults are 5 and 10 (Metacontroller's --client-go-qps/--client-go-burst). Infinity: no limit. */
  qps?: number;
  burst?: number;
  /** Each non-watch request is abandoned after this long (default 30 s). */
  timeoutMs?: number;
  userAgent?: string;
}

/** The fields of a kubeconfig this project writes (test/cluster/control-plane.sh): one cluster, one token user. */
export function readKubeconfig(file: string): { server: string; token: string; ca: string } {
  const config = parseYaml(readFileSync(file, 'utf8')) as {
    clusters?: Array<{ cluster?: { server?: string; 'certificate-authority'?: string; 'certificate-authority-data'?: string } }>;
    users?: Array<{ user?: { token?: string } }>;
  };
  const cluster = config.clusters?.[0]?.cluster;
  const token = config.users?.[0]?.user?.token;
  if (!cluster?.server || !token) throw new Error(`${file}: a kubeconfig with one cluster (server) and one user with a token is needed`);
  const ca = cluster['certificate-authority']
    ? readFileSync(cluster['certificate-authority'], 'utf8')
    : Buffer.from(cluster['certificate-authority-data'] ?? '', 'base64').toString('utf8');
  return { server: cluster.server, token, ca };
}

export class KubeError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

export class KubeClient {
  private readonly base: URL;
  private readonly agent: https.Agent;
  private tokens: number;
  private refilledAt = performance.now();
  private readonly waiters: Array<() => void> = [];
  private draining = false;
  /** Requests made, by verb, for the stand-in's figures. */
  readonly requests: Record<string, number> = {};

  constructor(private readonly options: KubeClientOptions) {
    this.base = new URL(options.server);
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 64, ca: options.ca });
    this.tokens = options.burst ?? 10;
  }

  close(): void {
    this.agent.destroy();
  }

  /** One request; resolves with any HTTP status (the body parsed when it is JSON). */
  async request<T = JsonObject>(
    method: string,
    path: string,
    body?: unknown,
    options: { contentType?: string; signal?: AbortSignal } = {},
  ): Promise<KubeResponse<T>> {
    await this.limit();
    this.requests[method] = (this.requests[method] ?? 0) + 1;
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const signal = AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs ?? 30_000), ...(options.signal ? [options.signal] : [])]);
    return new Promise((resolve, reject) => {
      const req = https.request(
        new URL(path, this.base),
        {
          method,
          agent: this.agent,
          signal,
          headers: {
            authorization: `Bearer ${this.options.token}`,
            accept: 'application/json',
            'user-agent': this.options.userAgent ?? 'bucket-hook-tests',
            ...(payload !== undefined ? { 'content-type': options.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : {};
            } catch {
              // not JSON (a plain-text error from a proxy): kept as text
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** A request that must succeed (2xx): otherwise a KubeError with the API server's reason and message. */
  async must<T = JsonObject>(method: string, path: string, body?: unknown, options: { contentType?: string; signal?: AbortSignal } = {}): Promise<T> {
    const res = await this.request<T>(method, path, body, options);
    if (res.status >= 200 && res.status < 300) return res.body;
    const status = res.body as unknown as { reason?: string; message?: string };
    throw new KubeError(
      res.status,
      status?.reason ?? String(res.status),
      `${method} ${path}: ${res.status} ${status?.message ?? JSON.stringify(res.body).slice(0, 300)}`,
    );
  }

  /**
   * A watch from a resourceVersion: each event handed to onEvent, in order; resolves when the server ends
   * the stream (its timeout, or an error event such as 410 Gone, passed to onEvent first).
   */
  watch(path: string, resourceVersion: string, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    this.requests.WATCH = (this.requests.WATCH ?? 0) + 1;
    const url = new URL(path, this.base);
    url.searchParams.set('watch', 'true');
    url.searchParams.set('resourceVersion', resourceVersion);
    url.searchParams.set('allowWatchBookmarks', 'true');
    url.searchParams.set('timeoutSeconds', String(240 + Math.floor(Math.random() * 120)));
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method: 'GET',
          agent: this.agent,
          signal,
          headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/json', 'user-agent': this.options.userAgent ?? 'bucket-hook-tests' },
        },
        (res) => {
          if (res.statusCode !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              reject(
                new KubeError(res.statusCode ?? 0, 'WatchRefused', `watch ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`),
              ),
            );
            return;
          }
          let buffered = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffered += chunk;
            let newline: number;
            while ((newline = buffered.indexOf('\n')) >= 0) {
              const line = buffered.slice(0, newline).trim();
              buffered = buffered.slice(newline + 1);
              if (line) onEvent(JSON.parse(line) as WatchEvent);
            }
          });
          res.on('end', () => resolve());
          res.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
        },
      );
      req.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
      req.end();
    });
  }

  /** client-go's token bucket: a request waits for a token; waiters are served in order. */
  private async limit(): Promise<void> {
    const qps = this.options.qps ?? 5;
    if (!Number.isFinite(qps)) return;
    if (this.take(qps)) return;
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.drain(qps);
    });
  }

  private take(qps: number): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.options.burst ?? 10, this.tokens + ((now - this.refilledAt) / 1000) * qps);
    this.refilledAt = now;
    if (this.waiters.length > 0 || this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private drain(qps: number): void {
    if (this.draining) return;
    this.draining = true;
    const tick = (): void => {
      const now = performance.now();
      this.tokens = Math.min(this.options.burst ?? 10, this.tokens + ((now - this.refilledAt) / 1000) * qps);
      this.refilledAt = now;
      while (this.tokens >= 1 && this.waiters.length > 0) {
        this.tokens -= 1;
        this.waiters.shift()!();
      }
      if (this.waiters.length === 0) {
        this.draining = false;
        return;
      }
      setTimeout(tick, Math.max(1, ((1 - this.tokens) / qps) * 1000));
    };
    tick();
  }
}

/** The REST path of a resource: /api/v1/... for the core group, /apis/GROUP/VERSION/... otherwise. */
export function resourcePath(apiVersion: string, resource: string, namespace?: string, name?: string, subresource?: string): string {
  const prefix = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const n = name ? `/${encodeURIComponent(name)}` : '';
  const sub = subresource ? `/${subresource}` : '';
  return `${prefix}${ns}/${resource}${n}${sub}`;
}
