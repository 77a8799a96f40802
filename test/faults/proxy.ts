// A fault-injecting HTTP proxy on 127.0.0.1 in front of the S3 server (Ceph RGW). The hook's SDK adapter
// points at it (endpoint = proxy URL, path-style); it derives each request's S3 operation from the method,
// the path and the sub-resource in the query string, and, at a configurable rate per operation, answers
// instead of S3 or breaks the connection:
//   slowdown     503 SlowDown with S3's XML error body (the request never reaches S3)
//   internal     500 InternalError (never reaches S3)
//   reset        the connection destroyed before forwarding (never reaches S3)
//   reset-after  forwarded, S3 does the work, then the connection is destroyed: the answer is lost
//   latency      forwarded, S3's answer held back for `latencyMs` (longer than the hook's deadline)
// Decisions are deterministic: the n-th request of an operation on a bucket gets the same fate for the
// same seed, whatever the interleaving of other buckets' requests. Everything injected is counted, and
// so is every CreateBucket that reached S3 and got 200 (RGW answers 200 to a re-create, so the proxy is
// where a bucket created twice shows).
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { realTimers, type Timers } from '../../src/http/timers.js';

export const FAULT_KINDS = ['slowdown', 'internal', 'reset', 'reset-after', 'latency'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultProxyOptions {
  /** The S3 server, e.g. http://127.0.0.1:7480. */
  target: string;
  seed: number;
  /** Probability that a request gets a fault, 0..1; per operation in `rates` (default: `rate` for all). */
  rate: number;
  rates?: Record<string, number>;
  /** Relative weights of the fault kinds (default: every kind 1). */
  mix?: Partial<Record<FaultKind, number>>;
  /** How long the `latency` fault holds S3's answer back. */
  latencyMs: number;
  /** The timers that hold those answers (default the real ones; a test passes a manual clock). */
  timers?: Pick<Timers, 'setTimeout' | 'clearTimeout'>;
}

export interface OperationCounts {
  requests: number;
  forwarded: number;
  injected: Partial<Record<FaultKind, number>>;
}

/** Bucket sub-resources named in the query string, as S3 spells them, -> the operation's noun. */
const SUB_RESOURCES: Record<string, string> = {
  tagging: 'BucketTagging',
  versioning: 'BucketVersioning',
  lifecycle: 'BucketLifecycleConfiguration',
  cors: 'BucketCors',
  policy: 'BucketPolicy',
  acl: 'BucketAcl',
  website: 'BucketWebsite',
  logging: 'BucketLogging',
  encryption: 'BucketEncryption',
  publicAccessBlock: 'PublicAccessBlock',
  ownershipControls: 'BucketOwnershipControls',
  accelerate: 'BucketAccelerateConfiguration',
  requestPayment: 'BucketRequestPayment',
  notification: 'BucketNotificationConfiguration',
  'object-lock': 'ObjectLockConfiguration',
  replication: 'BucketReplication',
  analytics: 'BucketAnalyticsConfiguration',
  metrics: 'BucketMetricsConfiguration',
  inventory: 'BucketInventoryConfiguration',
  'intelligent-tiering': 'BucketIntelligentTieringConfiguration',
  location: 'BucketLocation',
  versions: 'ObjectVersions',
  uploads: 'MultipartUploads',
};
const VERB: Record<string, string> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', HEAD: 'Head', POST: 'Post' };

/** The S3 operation and bucket of a path-style request: "PUT /b?tagging" -> PutBucketTagging on b. */
export function operationOf(method: string, url: string): { operation: string; bucket: string } {
  const parsed = new URL(url, 'http://proxy');
  const [bucket = '', ...keyParts] = parsed.pathname.split('/').slice(1).map(decodeURIComponent);
  const key = keyParts.join('/');
  const query = [...parsed.searchParams.keys()].filter((k) => k !== 'x-id');
  if (bucket === '') return { operation: method === 'GET' ? 'ListBuckets' : `${method}Service`, bucket };
  if (key !== '') {
    if (query.includes('tagging')) return { operation: `${VERB[method] ?? method}ObjectTagging`, bucket };
    return { operation: `${VERB[method] ?? method}Object`, bucket };
  }
  const sub = query.find((k) => k in SUB_RESOURCES);
  if (sub) {
    const noun = SUB_RESOURCES[sub]!;
    if (sub === 'versions') return { operation: 'ListObjectVersions', bucket };
    if (sub === 'uploads') return { operation: 'ListMultipartUploads', bucket };
    return { operation: `${VERB[method] ?? method}${noun}`, bucket };
  }
  if (method === 'POST' && query.includes('delete')) return { operation: 'DeleteObjects', bucket };
  const plain: Record<string, string> = { HEAD: 'HeadBucket', PUT: 'CreateBucket', DELETE: 'DeleteBucket', GET: 'ListObjects' };
  return { operation: plain[method] ?? `${method}Bucket`, bucket };
}

/** mulberry32: a small, good-enough PRNG, seeded per decision. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, to turn (seed, operation, bucket, n) into a PRNG seed. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function s3Error(code: string, message: string, id: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy-${id}</RequestId></Error>`;
}

export class FaultProxy {
  readonly byOperation = new Map<string, OperationCounts>();
  /** bucket -> CreateBucket requests that reached S3 and were answered 200. */
  readonly createsDone = new Map<string, number>();
  /** bucket -> CreateBucket answers (200) that S3 sent but the client never got (reset-after, latency). */
  readonly createAnswersLost = new Map<string, number>();
  private readonly sequence = new Map<string, number>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly server: Server;
  private readonly held = new Set<unknown>();
  private readonly timers: Pick<Timers, 'setTimeout' | 'clearTimeout'>;
  private readonly weights: Array<[FaultKind, number]>;
  private total = 0;
  private port = 0;

  constructor(private readonly options: FaultProxyOptions) {
    this.timers = options.timers ?? realTimers;
    this.weights = FAULT_KINDS.map((k): [FaultKind, number] => [k, options.mix?.[k] ?? 1]).filter(([, w]) => w > 0);
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 120_000;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async close(): Promise<void> {
    for (const t of this.held) this.timers.clearTimeout(t);
    this.held.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
  }

  /** Every fault injected, by kind. */
  injected(): Record<FaultKind, number> {
    const out = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
    for (const c of this.byOperation.values()) for (const [k, n] of Object.entries(c.injected)) out[k as FaultKind] += n;
    return out;
  }

  requests(): number {
    return this.total;
  }

  /** The fate of this request: undefined (forward untouched) or a fault kind. Deterministic per (seed, operation, bucket, n). */
  private decide(operation: string, bucket: string): FaultKind | undefined {
    const id = `${operation} ${bucket}`;
    const n = (this.sequence.get(id) ?? 0) + 1;
    this.sequence.set(id, n);
    const random = mulberry32(hash32(`${this.options.seed}:${id}:${n}`));
    const rate = this.options.rates?.[operation] ?? this.options.rate;
    if (random() >= rate) return undefined;
    const total = this.weights.reduce((sum, [, w]) => sum + w, 0);
    let pick = random() * total;
    for (const [kind, weight] of this.weights) {
      pick -= weight;
      if (pick < 0) return kind;
    }
    return this.weights[this.weights.length - 1]?.[0];
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const { operation, bucket } = operationOf(req.method ?? 'GET', req.url ?? '/');
    const id = ++this.total;
    const counts = this.byOperation.get(operation) ?? { requests: 0, forwarded: 0, injected: {} };
    this.byOperation.set(operation, counts);
    counts.requests++;
    const fault = this.decide(operation, bucket);
    if (fault) counts.injected[fault] = (counts.injected[fault] ?? 0) + 1;
    const answer = (status: number, code: string, message: string): void => {
      req.resume();
      const body = req.method === 'HEAD' ? '' : s3Error(code, message, id);
      res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': `fault-proxy-${id}` });
      res.end(body);
    };
    if (fault === 'slowdown') return answer(503, 'SlowDown', 'Please reduce your request rate.');
    if (fault === 'internal') return answer(500, 'InternalError', 'We encountered an internal error. Please try again.');
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    counts.forwarded++;
    this.forward(req, res, operation, bucket, fault);
  }

  private forward(req: IncomingMessage, res: ServerResponse, operation: string, bucket: string, fault: FaultKind | undefined): void {
    const target = new URL(this.options.target);
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent: this.agent },
      (answer) => {
        const created = operation === 'CreateBucket' && answer.statusCode === 200;
        if (created) this.createsDone.set(bucket, (this.createsDone.get(bucket) ?? 0) + 1);
        const lost = (): void => {
          if (created) this.createAnswersLost.set(bucket, (this.createAnswersLost.get(bucket) ?? 0) + 1);
        };
        if (fault === 'reset-after') {
          // S3 did the work; the client never hears of it.
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          lost();
          return;
        }
        const relay = (): void => {
          if (res.destroyed || req.socket.destroyed) {
            answer.resume();
            lost();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        };
        if (fault === 'latency') {
          const timer = this.timers.setTimeout(() => {
            this.held.delete(timer);
            relay();
          }, this.options.latencyMs);
          this.held.add(timer);
          return;
        }
        relay();
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  }
}
