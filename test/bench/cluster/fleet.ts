// Figure 3 of the real control plane: N Buckets applied at once -> all Ready; a quiet interval in which
// only drift checks (or the peer's resyncs) happen; then all deleted -> all gone. Each phase's wall time,
// the CPU each process of the loop spent in it (from /proc), the S3 calls (recording proxy), the API
// server's requests for Buckets (its own apiserver_request_total) and the stand-in's calls; and before it
// all, an idle window, so each process's CPU per Bucket can be given above what it spends doing nothing.
import type { KubeClient, KubeObject } from '../../cluster/support/kube-client.js';
import { parseSamples } from '../../support/prom-text.js';
import { byOperation, type RecordingProxy } from '../recording-proxy.js';
import { log } from '../report.js';
import { benchSpec, createBucket, deleteBucket, inParallel } from './buckets.js';
import { delta, peaks, snapshot, type CpuSnapshot, type Proc } from './procs.js';
import { BucketWatch } from './watch.js';

// The wall clock, as every process of the bench reads it: each process's performance.timeOrigin is fixed at its
// start, so after the system clock is adjusted two processes' timeOrigin + now() disagree (by ~960 ms in one run).
const now = (): number => Date.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface FleetOptions {
  label: string;
  namespace: string;
  n: number;
  /** POSTs and DELETEs in flight at once. */
  concurrency: number;
  idleSeconds: number;
  /** Waited out before the idle window (what an earlier run left behind: RGW's garbage collection, queued Events). */
  settleSeconds: number;
  /** 0: no quiet interval. */
  quietSeconds: number;
  bucketName: (i: number) => string;
  ready: (o: KubeObject) => boolean;
  proxy: RecordingProxy;
  /** The S3 operation each full check (or the peer's reconcile) makes once: GetBucketVersioning for the hook (the Buckets manage versioning; a claimed bucket's check reads no HeadBucket), ListBuckets for ACK. */
  checkOperation: string;
  standInPort?: number;
  procs: Proc[];
  timeoutMs: number;
}

export interface Phase {
  seconds: number;
  cpu: CpuSnapshot;
  s3: number;
  s3Operations: string;
  checks: number;
  /** The API server's requests for Buckets in the phase, by "VERB subresource". */
  api: Record<string, number>;
  /** The stand-in's hook calls and status writes in the phase. */
  standIn?: { sync: number; finalize: number; customize: number; statusWrites: number };
}

export interface FleetRun {
  label: string;
  n: number;
  idle: { seconds: number; cpu: CpuSnapshot };
  create: Phase;
  quiet?: Phase;
  remove: Phase;
  /** VmHWM of each process at the end. */
  peaks: Record<string, number>;
  /** Buckets not Ready (create) or not gone (delete) when the phase timed out. */
  shortfall: { create: number; remove: number };
}

/** The API server's request counters for Buckets (apiserver_request_total), by "VERB subresource". */
export async function apiRequests(api: KubeClient): Promise<Record<string, number>> {
  const res = await api.request<string>('GET', '/metrics');
  if (res.status !== 200) return {};
  const out: Record<string, number> = {};
  for (const s of parseSamples(String(res.body))) {
    if (s.name !== 'apiserver_request_total' || s.labels.resource !== 'buckets') continue;
    const key = `${s.labels.verb}${s.labels.subresource ? ` ${s.labels.subresource}` : ''}`;
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

type StandInCounts = NonNullable<Phase['standIn']>;

async function standInCounts(port: number | undefined): Promise<StandInCounts | undefined> {
  if (port === undefined) return undefined;
  const stats = (await (await fetch(`http://127.0.0.1:${port}/stats`, { signal: AbortSignal.timeout(30_000) })).json()) as {
    counts: Record<string, StandInCounts | null>;
  };
  const c = stats.counts['bucket-hook'];
  return c ? { sync: c.sync, finalize: c.finalize, customize: c.customize, statusWrites: c.statusWrites } : undefined;
}

function minus(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(a)) if (v - (b[k] ?? 0) > 0) out[k] = v - (b[k] ?? 0);
  return out;
}

interface Mark {
  at: number;
  cpu: CpuSnapshot;
  s3: number;
  api: Record<string, number>;
  standIn: StandInCounts | undefined;
}

async function mark(api: KubeClient, o: FleetOptions): Promise<Mark> {
  return { at: now(), cpu: snapshot(o.procs), s3: o.proxy.records.length, api: await apiRequests(api), standIn: await standInCounts(o.standInPort) };
}

function phase(o: FleetOptions, from: Mark, to: Mark): Phase {
  const records = o.proxy.records.slice(from.s3, to.s3);
  return {
    seconds: (to.at - from.at) / 1000,
    cpu: delta(from.cpu, to.cpu),
    s3: records.length,
    s3Operations: byOperation(records),
    checks: records.filter((r) => r.operation === o.checkOperation).length,
    api: minus(to.api, from.api),
    ...(from.standIn && to.standIn
      ? {
          standIn: Object.fromEntries(
            Object.keys(to.standIn).map((k) => [k, to.standIn![k as keyof StandInCounts] - from.standIn![k as keyof StandInCounts]]),
          ) as StandInCounts,
        }
      : {}),
  };
}

export async function runFleet(api: KubeClient, o: FleetOptions): Promise<FleetRun> {
  const watch = await new BucketWatch(api, o.namespace, o.ready).start();
  try {
    log(`${o.label}: settling for ${o.settleSeconds} s, then idle for ${o.idleSeconds} s (the baseline each process spends doing nothing)`);
    await sleep(o.settleSeconds * 1000);
    const idle0 = await mark(api, o);
    await sleep(o.idleSeconds * 1000);
    const created0 = await mark(api, o);
    const names = Array.from({ length: o.n }, (_, i) => `b${i}`);
    log(`${o.label}: applying ${o.n} Buckets (${o.concurrency} POSTs in flight)`);
    await inParallel(names, o.concurrency, (name, i) => createBucket(api, o.namespace, name, benchSpec(o.bucketName(i))));
    let createShort = 0;
    await watch
      .until(
        () => watch.readyAt.size >= o.n,
        o.timeoutMs,
        () => `${o.label}: ${o.n} Buckets Ready (${watch.readyAt.size} are)`,
      )
      .catch((err: Error) => {
        createShort = o.n - watch.readyAt.size;
        log(err.message);
      });
    const created1 = await mark(api, o);
    let quiet: Phase | undefined;
    let removed0 = created1;
    if (o.quietSeconds > 0) {
      log(`${o.label}: all Ready after ${((created1.at - created0.at) / 1000).toFixed(1)} s; quiet interval of ${o.quietSeconds} s`);
      await sleep(o.quietSeconds * 1000);
      removed0 = await mark(api, o);
      quiet = phase(o, created1, removed0);
    }
    log(`${o.label}: deleting ${o.n} Buckets`);
    await inParallel(names, o.concurrency, (name) => deleteBucket(api, o.namespace, name));
    let removeShort = 0;
    await watch
      .until(
        () => watch.live.size === 0,
        o.timeoutMs,
        () => `${o.label}: every Bucket gone (${watch.live.size} left)`,
      )
      .catch((err: Error) => {
        removeShort = watch.live.size;
        log(err.message);
      });
    const removed1 = await mark(api, o);
    return {
      label: o.label,
      n: o.n,
      idle: { seconds: (created0.at - idle0.at) / 1000, cpu: delta(idle0.cpu, created0.cpu) },
      create: phase(o, created0, created1),
      ...(quiet ? { quiet } : {}),
      remove: phase(o, removed0, removed1),
      peaks: peaks(o.procs),
      shortfall: { create: createShort, remove: removeShort },
    };
  } finally {
    await watch.stop();
  }
}

/** CPU seconds of a process in a phase above its idle rate (never below 0). */
export function aboveIdle(run: FleetRun, p: Phase, name: string): number {
  const rate = (run.idle.cpu[name] ?? 0) / run.idle.seconds;
  return Math.max(0, (p.cpu[name] ?? 0) - rate * p.seconds);
}
