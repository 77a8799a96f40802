// Figure 5 (BENCH_DRIVER_BUCKETS; off by default since the real control plane's fleet measures the same
// and more): a fleet of Buckets applied at once through the in-memory Metacontroller driver (5 workers)
// against the hook in its own process and RGW; then all deleted (finalize). CPU from /proc over the same
// window: the hook's process against the Ceph daemons (radosgw, ceph-osd, ceph-mon).
import { randomBytes } from 'node:crypto';
import { MetacontrollerDriver, keyOf } from '../support/metacontroller-driver.js';
import { s3Requests } from './hook-client.js';
import { cpuOf, cpuSeconds, rgwAdmin, rgwPids } from './machine.js';
import type { ServerProcess } from './processes.js';
import { log, num, pct, type Figure } from './report.js';

export interface FleetOptions {
  buckets: number;
  workers: number;
  maxMs: number;
}

interface Window {
  ms: number;
  hookCpu: number;
  rgwCpu: number;
  s3: number;
}

async function measure(hook: ServerProcess, run: () => Promise<unknown>): Promise<Window> {
  const rgw = Object.values(rgwPids());
  const started = performance.now();
  const [hook0, rgw0, s30] = [cpuSeconds(hook.pid) ?? 0, cpuOf(rgw), await s3Requests(hook.metricsUrl)];
  await run();
  const [hook1, rgw1, s31] = [cpuSeconds(hook.pid) ?? 0, cpuOf(rgw), await s3Requests(hook.metricsUrl)];
  return { ms: performance.now() - started, hookCpu: hook1 - hook0, rgwCpu: rgw1 - rgw0, s3: s31 - s30 };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
}

/** RGW's default cap is 1000 buckets per user; lift it for the bench's user. */
function liftBucketLimit(buckets: number): void {
  const uid = process.env.S3_TEST_USER_ID;
  if (!uid || buckets < 500) return;
  const out = rgwAdmin(['user', 'modify', `--uid=${uid}`, `--max-buckets=${buckets + 1000}`]);
  log(out === undefined ? `could not lift RGW's bucket limit for ${uid}; more than ~1000 buckets may fail` : `RGW user ${uid}: max-buckets ${buckets + 1000}`);
}

export class Fleet {
  readonly driver: MetacontrollerDriver;
  readonly keys: string[] = [];
  private readonly ready = new Set<string>();

  constructor(
    private readonly hook: ServerProcess,
    private readonly options: FleetOptions,
  ) {
    this.driver = new MetacontrollerDriver({
      syncUrl: `${hook.url}/sync`,
      workers: options.workers,
      onCall: (call) => {
        const conditions = call.response?.status as { conditions?: Array<{ type: string; status: string }> } | undefined;
        if (call.hook === 'sync' && conditions?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) this.ready.add(call.key);
      },
    });
  }

  async create(): Promise<Figure[]> {
    const n = this.options.buckets;
    liftBucketLimit(n);
    const run = randomBytes(3).toString('hex');
    const d = this.driver;
    let readyMs = 0;
    let syncsAtReady = 0;
    log(`applying ${n} Buckets through the driver (${this.options.workers} workers)`);
    const window = await measure(this.hook, async () => {
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        const name = `b${i}`;
        d.apply({
          namespace: 'bench',
          name,
          spec: { name: `bench-${run}-${i}`, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'bench', value: 'fleet' }] } },
        });
        this.keys.push(keyOf('bench', name));
      }
      const result = await d.run({ until: () => this.ready.size === n, maxMs: this.options.maxMs });
      readyMs = performance.now() - started;
      syncsAtReady = d.stats.calls.sync;
      if (result.reason !== 'until') throw new Error(`only ${this.ready.size} of ${n} Buckets Ready after ${this.options.maxMs} ms`);
      await d.run({ until: (x) => x.idle(), maxMs: 120_000 }); // the echoes of the last status writes
    });
    const share = window.hookCpu / (window.hookCpu + window.rgwCpu);
    return [
      { id: '5', figure: `${n} Buckets applied at once: wall time to all Ready`, value: `${num(readyMs / 1000, 1)} s` },
      { id: '5', figure: 'sync calls / rate until all Ready', value: `${num(syncsAtReady)} / ${num(syncsAtReady / (readyMs / 1000), 1)} per s` },
      { id: '5', figure: 'S3 calls per Bucket (create, incl. echoes)', value: num(window.s3 / n, 2) },
      { id: '5', figure: 'hook CPU / RGW daemons CPU (create window)', value: `${num(window.hookCpu, 1)} s / ${num(window.rgwCpu, 1)} s` },
      { id: '5', figure: `hook's share of CPU while ${n} Buckets are created (hook / hook + RGW)`, value: pct(share) },
      {
        id: '5',
        figure: 'per created Bucket: hook CPU / RGW CPU / sync calls',
        value: `${num((window.hookCpu * 1000) / n, 2)} ms / ${num((window.rgwCpu * 1000) / n, 2)} ms / ${num(syncsAtReady / n, 2)}`,
      },
      {
        id: '5',
        figure: 'sync latency while creating (driver, median / p95)',
        value: `${num(quantile(d.stats.latenciesMs.sync, 0.5), 1)} ms / ${num(quantile(d.stats.latenciesMs.sync, 0.95), 1)} ms`,
      },
      ...this.contract(),
    ];
  }

  async delete(): Promise<Figure[]> {
    const n = this.keys.length;
    const d = this.driver;
    const finalizeBefore = d.stats.calls.finalize;
    log(`deleting ${n} Buckets (finalize)`);
    let result = { reason: 'maxMs' };
    const window = await measure(this.hook, async () => {
      for (const key of this.keys) d.delete(key);
      result = await d.run({ until: (x) => x.size === 0 && x.idle(), maxMs: this.options.maxMs });
    });
    await d.close();
    const finalizes = d.stats.calls.finalize - finalizeBefore;
    const share = window.hookCpu / (window.hookCpu + window.rgwCpu);
    return [
      {
        id: '5',
        figure: `${n} Buckets deleted: wall time to all removed`,
        value: `${num(window.ms / 1000, 1)} s${result.reason === 'until' ? '' : ` (${d.size} left)`}`,
        ok: result.reason === 'until',
      },
      { id: '5', figure: 'finalize calls / rate', value: `${num(finalizes)} / ${num(finalizes / (window.ms / 1000), 1)} per s` },
      { id: '5', figure: 'S3 calls per Bucket (delete)', value: num(window.s3 / n, 2) },
      { id: '5', figure: "hook's share of CPU (delete)", value: `${pct(share)} (${num(window.hookCpu, 1)} s / ${num(window.rgwCpu, 1)} s)` },
      ...this.contract(),
    ];
  }

  private contract(): Figure[] {
    const { violations, codes } = this.driver.stats;
    const nonOk = Object.entries(codes).filter(([code]) => code !== '200');
    return [
      {
        id: '5',
        figure: 'contract violations / non-200 answers (driver)',
        value: `${violations.length} / ${nonOk.reduce((s, [, c]) => s + c, 0)}`,
        target: '0 / 0',
        ok: violations.length === 0 && nonOk.length === 0,
      },
    ];
  }
}
