// The real control plane's tables: apply -> Ready and where its time goes, the fleet's phases, and the CPU
// per Bucket of every process of the loop.
import { mb, num, table } from '../report.js';
import { aboveIdle, type FleetRun, type Phase } from './fleet.js';
import type { LatencySummary, Segments } from './latency.js';

const msOr = (v: number | undefined): string => (v === undefined ? '' : v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`);

export function latencyTable(runs: LatencySummary[]): string {
  return table([
    ['apply -> Ready, one Bucket at a time', 'Buckets', 'median', 'p95', 'syncs per create', 'S3 calls per create', 'S3 calls per create, by operation'],
    ...runs.map((r) => [
      r.label,
      String(r.count),
      msOr(r.median),
      msOr(r.p95),
      r.syncsPerCreate === undefined ? '' : num(r.syncsPerCreate, 2),
      num(r.s3PerCreate, 2),
      r.s3Operations || '0',
    ]),
  ]);
}

const SEGMENTS: Array<[keyof Segments, string]> = [
  ['noticed', "the POST, until its watch event is in Metacontroller's queue"],
  ['postAnswered', "  (the POST's answer at the client)"],
  ['queue', 'waiting in the work queue'],
  ['finalizer', 'finalizer added (GET + PUT)'],
  ['related', 'related objects (customize hook)'],
  ['syncs', 'sync calls to the hook (sum)'],
  ['s3Of', '  of which S3 round trips'],
  ['hookOwnOf', "  of which the hook's own time"],
  ['between', 'between syncs (status write, resyncAfterSeconds, queue, finalizer check)'],
  ['statusOf', '  of which status writes (GET + PUT)'],
  ['last', "the last sync's status write, until the watch sees Ready"],
  ['lastStatusOf', '  of which the status write (GET + PUT)'],
  ['controller', 'the controller, after the POST (not instrumented: the peer, or Metacontroller itself)'],
  ['controllerS3Of', '  of which S3 round trips'],
];

export function breakdownTable(runs: LatencySummary[]): string {
  const rows = SEGMENTS.filter(([k]) => runs.some((r) => r.parts[k] !== undefined)).map(([k, label]) => [label, ...runs.map((r) => msOr(r.parts[k]))]);
  return table([
    ['where the time goes (median of each part)', ...runs.map((r) => r.label)],
    ...rows,
    ['apply -> Ready (median)', ...runs.map((r) => msOr(r.median))],
  ]);
}

const perBucket = (run: FleetRun, v: number): string => num(v / run.n, 2);

function apiLine(p: Phase | undefined, n: number): string {
  if (!p) return '';
  const entries = Object.entries(p.api).sort((a, b) => b[1] - a[1]);
  return entries.map(([k, v]) => `${k} ${num(v / n, 2)}`).join(', ');
}

export function fleetTable(runs: FleetRun[]): string {
  const col = (f: (r: FleetRun) => string): string[] => runs.map(f);
  const rate = (n: number, s: number): string => `${num(n / s, 1)}/s`;
  return table([
    ['N Buckets applied at once', ...runs.map((r) => r.label)],
    [
      'create: wall time to all Ready / throughput',
      ...col(
        (r) =>
          `${num(r.create.seconds, 1)} s / ${rate(r.n - r.shortfall.create, r.create.seconds)}${r.shortfall.create ? ` (${r.shortfall.create} not Ready)` : ''}`,
      ),
    ],
    ['create: S3 calls per Bucket', ...col((r) => perBucket(r, r.create.s3))],
    ['create: API server requests for Buckets, per Bucket', ...col((r) => apiLine(r.create, r.n))],
    [
      'create: syncs / status writes per Bucket (stand-in)',
      ...col((r) => (r.create.standIn ? `${perBucket(r, r.create.standIn.sync)} / ${perBucket(r, r.create.standIn.statusWrites)}` : '')),
    ],
    [
      'quiet interval: length / full checks (per Bucket)',
      ...col((r) => (r.quiet ? `${num(r.quiet.seconds, 0)} s / ${num(r.quiet.checks)} (${perBucket(r, r.quiet.checks)})` : 'skipped')),
    ],
    ['quiet interval: S3 calls per full check', ...col((r) => (r.quiet && r.quiet.checks > 0 ? num(r.quiet.s3 / r.quiet.checks, 2) : ''))],
    ['quiet interval: API server requests for Buckets, per check', ...col((r) => (r.quiet && r.quiet.checks > 0 ? apiLine(r.quiet, r.quiet.checks) : ''))],
    [
      'delete: wall time to all gone / throughput',
      ...col(
        (r) =>
          `${num(r.remove.seconds, 1)} s / ${rate(r.n - r.shortfall.remove, r.remove.seconds)}${r.shortfall.remove ? ` (${r.shortfall.remove} left)` : ''}`,
      ),
    ],
    ['delete: S3 calls per Bucket', ...col((r) => perBucket(r, r.remove.s3))],
    ['delete: API server requests for Buckets, per Bucket', ...col((r) => apiLine(r.remove, r.n))],
  ]);
}

/** The processes of the loop, in the order the tables list them. */
export const LOOP = [
  'etcd',
  'kube-apiserver',
  'metacontroller',
  'hook',
  'ack-s3-controller',
  'radosgw',
  'ceph-osd',
  'ceph-mon',
  'kube-controller-manager',
  'bench',
];

/** CPU ms per Bucket above idle, create + quiet + delete. */
export function totalPerBucket(run: FleetRun, name: string): number {
  const phases = [run.create, run.quiet, run.remove].filter((p): p is Phase => p !== undefined);
  return (phases.reduce((sum, p) => sum + aboveIdle(run, p, name), 0) * 1000) / run.n;
}

export function cpuTable(run: FleetRun): string {
  const names = LOOP.filter((n) => n in run.create.cpu);
  const ms = (p: Phase | undefined, name: string): string => (p ? num((aboveIdle(run, p, name) * 1000) / run.n, 2) : '');
  const raw = (name: string): number => [run.create, run.quiet, run.remove].reduce((sum, p) => sum + (p?.cpu[name] ?? 0), 0);
  const perCheck = (name: string): string => (run.quiet && run.quiet.checks > 0 ? num((aboveIdle(run, run.quiet, name) * 1000) / run.quiet.checks, 2) : '');
  return table([
    [
      `${run.label}: CPU ms per Bucket above idle`,
      'idle (cores)',
      'create',
      'quiet',
      'delete',
      'total',
      'per full check',
      'total, idle included',
      'memory max (VmHWM)',
    ],
    ...names.map((name) => [
      name,
      num((run.idle.cpu[name] ?? 0) / run.idle.seconds, 3),
      ms(run.create, name),
      ms(run.quiet, name),
      ms(run.remove, name),
      num(totalPerBucket(run, name), 2),
      perCheck(name),
      num((raw(name) * 1000) / run.n, 2),
      Number.isFinite(run.peaks[name]) ? mb(run.peaks[name]!) : '',
    ]),
  ]);
}
