// An HTTP proxy on 127.0.0.1 in front of an S3 server (RGW) that records every request it forwards: the
// S3 operation and bucket (from the path-style URL), when it was sent, how long S3 took to answer, and the
// status. The bench points the hook and ACK's controller at it, so both are counted at the same wire, and
// the apply -> Ready breakdown can say how long a Bucket's S3 round trips took. Requests are forwarded
// unchanged (the Host header too, so SigV4 signatures still verify); it costs the bench's process, not
// the ones measured, about 0.1 ms a request.
import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import { operationOf } from '../faults/proxy.js';

export interface S3Record {
  operation: string;
  bucket: string;
  /** Epoch ms when the request arrived. */
  at: number;
  /** Until S3's answer was complete, ms. */
  ms: number;
  status: number;
}

// The wall clock, as every process of the bench reads it: each process's performance.timeOrigin is fixed at its
// start, so after the system clock is adjusted two processes' timeOrigin + now() disagree (by ~960 ms in one run).
const now = (): number => Date.now();

export class RecordingProxy {
  readonly records: S3Record[] = [];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly server: Server;
  private port = 0;

  constructor(private readonly target: string) {
    this.server = createServer((req, res) => {
      const { operation, bucket } = operationOf(req.method ?? 'GET', req.url ?? '/');
      const at = now();
      const upstream = new URL(this.target);
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent: this.agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', () => this.records.push({ operation, bucket, at, ms: now() - at, status: answer.statusCode ?? 0 }));
        },
      );
      forward.on('error', () => {
        this.records.push({ operation, bucket, at, ms: now() - at, status: 0 });
        req.socket.destroy();
      });
      req.pipe(forward);
    });
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

  /** The records from `since` (epoch ms) on, optionally of one bucket. */
  since(since: number, bucket?: string): S3Record[] {
    return this.records.filter((r) => r.at >= since && (bucket === undefined || r.bucket === bucket));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
  }
}

/** Calls by operation, "HeadBucket 2, CreateBucket 1": sorted by count, then name. */
export function byOperation(records: S3Record[]): string {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.operation, (counts.get(r.operation) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
}

/** The time covered by a set of intervals (overlapping requests counted once), ms. */
export function coveredMs(records: S3Record[]): number {
  const spans = records.map((r) => [r.at, r.at + r.ms] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const [s, e] of spans) {
    if (s > end) {
      if (end > start) total += end - start;
      [start, end] = [s, e];
    } else end = Math.max(end, e);
  }
  if (end > start) total += end - start;
  return total;
}
