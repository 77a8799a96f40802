// Figure 1 of the real control plane: one Bucket at a time, apply -> Ready as a user waiting on
// `kubectl get buckets -w` sees it, and where the time goes, from timestamps taken where they happen:
// the bench's own clock around the POST and on its watch, the stand-in's record of each call (when the
// informer enqueued the Bucket, when a worker took it, the finalizer, the related objects, the hook call,
// the status write; GET /calls), and the recording proxy's record of each S3 request. All are epoch ms
// from the same machine's clock.
import type { CallRecord } from '../../cluster/metacontroller/parent-controller.js';
import type { KubeClient, KubeObject } from '../../cluster/support/kube-client.js';
import { median } from '../report.js';
import { coveredMs, type RecordingProxy, type S3Record } from '../recording-proxy.js';
import { benchSpec, createBucket, deleteBucket, inParallel } from './buckets.js';
import { BucketWatch } from './watch.js';

// The wall clock, as every process of the bench reads it: each process's performance.timeOrigin is fixed at its
// start, so after the system clock is adjusted two processes' timeOrigin + now() disagree (by ~960 ms in one run).
const now = (): number => Date.now();

export interface Apply {
  name: string;
  bucket: string;
  /** POST sent, POST answered, first seen Ready by the watch (epoch ms). */
  t0: number;
  t1: number;
  readyAt: number;
  /** The stand-in's sync calls for it, up to the one that answered Ready (none for a controller without the stand-in). */
  syncs: CallRecord[];
  /** Its S3 requests from its POST until the next Bucket's (the last: until the deletes began). */
  s3: S3Record[];
}

export interface LatencyRun {
  label: string;
  applies: Apply[];
  /** The applies' wall time, and the deletes' (s). */
  seconds: number;
  deleteSeconds: number;
}

export interface LatencyOptions {
  label: string;
  namespace: string;
  count: number;
  bucketName: (i: number) => string;
  ready: (o: KubeObject) => boolean;
  proxy: RecordingProxy;
  /** The stand-in's health port (GET /calls), when Metacontroller's part is the stand-in. */
  standInPort?: number;
  /**
   * Idle time before each apply, so each finds the controller as a lone user would: with Metacontroller's
   * client limit (5 requests/s, burst 10) back-to-back applies would each wait for the one before's tokens.
   */
  gapMs: number;
  timeoutMs: number;
}

async function standInCalls(port: number, since: number): Promise<CallRecord[]> {
  const res = await fetch(`http://127.0.0.1:${port}/calls?since=${Math.floor(since)}`, { signal: AbortSignal.timeout(30_000) });
  return (await res.json()) as CallRecord[];
}

export async function measureApplies(api: KubeClient, o: LatencyOptions): Promise<LatencyRun> {
  const watch = await new BucketWatch(api, o.namespace, o.ready).start();
  const rows: Array<Omit<Apply, 'syncs' | 's3'>> = [];
  const started = now();
  try {
    for (let i = 0; i < o.count; i++) {
      await new Promise((r) => setTimeout(r, o.gapMs));
      const name = `b${i}`;
      const bucket = o.bucketName(i);
      const t0 = now();
      await createBucket(api, o.namespace, name, benchSpec(bucket));
      const t1 = now();
      await watch.until(
        () => watch.readyAt.has(name),
        o.timeoutMs,
        () => `${o.label}: Bucket ${o.namespace}/${name} Ready`,
      );
      rows.push({ name, bucket, t0, t1, readyAt: watch.readyAt.get(name)! });
    }
    const seconds = (now() - started) / 1000;
    const calls = o.standInPort === undefined ? [] : await standInCalls(o.standInPort, started);
    const deletesFrom = now();
    const applies = rows.map((r, i): Apply => {
      const until = rows[i + 1]?.t0 ?? deletesFrom;
      const mine = calls.filter((c) => c.key === `${o.namespace}/${r.name}` && c.hook === 'sync').sort((a, b) => a.times.hookStarted - b.times.hookStarted);
      const readyCall = mine.findIndex((c) => c.ready === 'True');
      return { ...r, syncs: readyCall < 0 ? mine : mine.slice(0, readyCall + 1), s3: o.proxy.since(r.t0, r.bucket).filter((s) => s.at < until) };
    });
    await inParallel(rows, 5, (r) => deleteBucket(api, o.namespace, r.name));
    await watch.until(
      () => watch.live.size === 0,
      o.timeoutMs * 2,
      () => `${o.label}: the ${watch.live.size} Buckets left deleted`,
    );
    return { label: o.label, applies, seconds, deleteSeconds: (now() - deletesFrom) / 1000 };
  } finally {
    await watch.stop();
  }
}

/**
 * The segments of one apply -> Ready, in ms: the ones without "Of" add up to the total; the "Of" ones are
 * parts of the one before them (or, for postAnswered, when the client had the POST's answer).
 */
export interface Segments {
  total: number;
  /** The POST's round trip as the client saw it (its watch event may reach Metacontroller first). */
  postAnswered: number;
  /** From the POST to the stand-in's informer enqueueing the Bucket. */
  noticed?: number;
  queue?: number;
  finalizer?: number;
  related?: number;
  syncs?: number;
  s3Of?: number;
  hookOwnOf?: number;
  /** From the end of one sync to the start of the next. */
  between?: number;
  statusOf?: number;
  /** From the end of the sync that answered Ready to the watch seeing it. */
  last?: number;
  lastStatusOf?: number;
  /** When the controller is not instrumented (the peer, or Metacontroller itself): everything after the POST was sent. */
  controller?: number;
  /** Then: the S3 round trips of the Bucket's name from the POST until Ready (the proxy's record). */
  controllerS3Of?: number;
}

export function segments(a: Apply): Segments {
  const total = a.readyAt - a.t0;
  const postAnswered = a.t1 - a.t0;
  const first = a.syncs[0];
  const last = a.syncs.at(-1);
  if (!first || !last || last.ready !== 'True' || last.times.statusDone === undefined)
    return { total, postAnswered, controller: total, controllerS3Of: coveredMs(a.s3.filter((r) => r.at <= a.readyAt)) };
  const queued = first.times.queued ?? first.times.picked;
  const ends = (c: CallRecord): number => c.times.hookStarted + c.ms;
  const syncs = a.syncs.reduce((sum, c) => sum + c.ms, 0);
  const s3 = coveredMs(a.s3.filter((r) => a.syncs.some((c) => r.at >= c.times.hookStarted && r.at <= ends(c))));
  let between = 0;
  let status = 0;
  for (let k = 1; k < a.syncs.length; k++) {
    const before = a.syncs[k - 1]!;
    between += a.syncs[k]!.times.hookStarted - ends(before);
    status += (before.times.statusDone ?? ends(before)) - ends(before);
  }
  return {
    total,
    postAnswered,
    noticed: queued - a.t0,
    queue: first.times.picked - queued,
    finalizer: first.times.finalizerDone - first.times.picked,
    related: first.times.hookStarted - first.times.finalizerDone,
    syncs,
    s3Of: s3,
    hookOwnOf: syncs - s3,
    between,
    statusOf: status,
    last: a.readyAt - ends(last),
    lastStatusOf: last.times.statusDone - ends(last),
  };
}

export interface LatencySummary {
  label: string;
  count: number;
  median: number;
  p95: number;
  /** Median of each segment over the Buckets (undefined where not measured). */
  parts: Partial<Record<keyof Segments, number>>;
  /** Undefined for the peer (not instrumented). */
  syncsPerCreate: number | undefined;
  s3PerCreate: number;
  s3Operations: string;
  seconds: number;
  deleteSeconds: number;
}

/** p-quantile by nearest rank. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))] ?? Number.NaN;
}

export function summarizeRun(run: LatencyRun): LatencySummary {
  const each = run.applies.map(segments);
  const keys = [
    'postAnswered',
    'noticed',
    'queue',
    'finalizer',
    'related',
    'syncs',
    's3Of',
    'hookOwnOf',
    'between',
    'statusOf',
    'last',
    'lastStatusOf',
    'controller',
    'controllerS3Of',
  ] as const;
  const parts: LatencySummary['parts'] = {};
  for (const k of keys) {
    const values = each.flatMap((s) => (s[k] === undefined ? [] : [s[k]]));
    if (values.length > 0) parts[k] = median(values);
  }
  const ops = new Map<string, number>();
  for (const a of run.applies) for (const r of a.s3) ops.set(r.operation, (ops.get(r.operation) ?? 0) + 1);
  const n = run.applies.length;
  return {
    label: run.label,
    count: n,
    median: median(each.map((s) => s.total)),
    p95: quantile(
      each.map((s) => s.total),
      0.95,
    ),
    parts,
    syncsPerCreate: run.applies.some((a) => a.syncs.length > 0) ? run.applies.reduce((sum, a) => sum + a.syncs.length, 0) / n : undefined,
    s3PerCreate: run.applies.reduce((sum, a) => sum + a.s3.length, 0) / n,
    s3Operations: [...ops]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([op, c]) => `${op} ${(c / n).toFixed(c % n === 0 ? 0 : 2)}`)
      .join(', '),
    seconds: run.seconds,
    deleteSeconds: run.deleteSeconds,
  };
}
