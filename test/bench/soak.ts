// Figure 6: the hook's memory under sustained load. Closed-loop clients post the fleet's Buckets as
// Metacontroller would send them: mostly echoes (answered without S3), a share of drift checks
// (lastCheck dropped: full reads). RSS from /proc and the V8 heap from /metrics, sampled every few seconds.
import { controller, sortKeys } from '../support/envelope.js';
import type { BucketObject, JsonObject, MetacontrollerDriver } from '../support/metacontroller-driver.js';
import { heapUsed, postBody, s3Requests } from './hook-client.js';
import { cpuSeconds, rssBytes } from './machine.js';
import type { ServerProcess } from './processes.js';
import { log, mb, num, type Figure } from './report.js';

export interface SoakOptions {
  seconds: number;
  concurrency: number;
  driftPercent: number;
  sampleSeconds: number;
}

interface Sample {
  at: number;
  rss: number;
  heap: number | undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export async function soakFigures(hook: ServerProcess, driver: MetacontrollerDriver, keys: string[], options: SoakOptions): Promise<Figure[]> {
  const body = (p: BucketObject): string => JSON.stringify({ controller: controller(), parent: sortKeys(p), children: {}, related: {}, finalizing: false });
  const bodies = keys.flatMap((key) => {
    const parent = driver.get(key);
    if (!parent?.status) return [];
    const drift = structuredClone(parent);
    delete drift.status!.lastCheck;
    return [{ parent, echo: body(parent), drift: body(drift), lastCheckTime: (parent.status.lastCheck as { time?: string } | undefined)?.time }];
  });
  if (bodies.length === 0) throw new Error('no synced Buckets to soak with');
  const url = `${hook.url}/sync`;
  const deadline = performance.now() + options.seconds * 1000;
  const counts = { echo: 0, drift: 0, stale: 0, failed: 0 };
  const s3Before = await s3Requests(hook.metricsUrl);
  log(`soak: ${options.seconds} s, ${options.concurrency} clients, ${options.driftPercent}% drift checks over ${bodies.length} Buckets`);

  const client = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const pick = bodies[Math.floor(Math.random() * bodies.length)]!;
      const drift = Math.random() * 100 < options.driftPercent;
      try {
        // What this request carries (another client may move the pick on while it is in flight).
        const sentCheck = pick.lastCheckTime;
        const answer = await postBody(url, drift ? pick.drift : pick.echo);
        if (answer.code !== 200) {
          counts.failed++;
          continue;
        }
        counts[drift ? 'drift' : 'echo']++;
        const status = (JSON.parse(answer.text) as { status: JsonObject }).status;
        // An echo whose last full check is older than the drift interval (a Bucket created early in a
        // long fleet run) is answered with a full check: counted apart, as the calls it makes are.
        const checked = (status.lastCheck as { time?: string } | undefined)?.time !== sentCheck;
        if (!drift && checked) counts.stale++;
        if (drift || checked) {
          // As Metacontroller would: the check's fresh lastCheck becomes the status the next echo carries.
          pick.echo = body({ ...pick.parent, status: { ...status, observedGeneration: pick.parent.metadata.generation } });
          pick.lastCheckTime = (status.lastCheck as { time?: string } | undefined)?.time;
        }
      } catch {
        counts.failed++;
      }
    }
  };
  const samples: Sample[] = [];
  const started = performance.now();
  const sample = async (): Promise<void> => {
    samples.push({ at: (performance.now() - started) / 1000, rss: rssBytes(hook.pid) ?? 0, heap: await heapUsed(hook.metricsUrl).catch(() => undefined) });
  };
  await sample();
  const cpu0 = cpuSeconds(hook.pid) ?? 0;
  const sampler = setInterval(() => void sample(), options.sampleSeconds * 1000);
  await Promise.all(Array.from({ length: options.concurrency }, client));
  clearInterval(sampler);
  // The hook's CPU over the same window, for the capacity model (docs/performance.md): echoes and drift checks.
  const cpu = (cpuSeconds(hook.pid) ?? 0) - cpu0;
  const seconds = (performance.now() - started) / 1000;
  await sample();
  const s3 = (await s3Requests(hook.metricsUrl)) - s3Before;

  // Warm-up (JIT, pools, caches) is not growth: compare the first and last fifths after the first 10%.
  const steady = samples.filter((s) => s.at >= options.seconds * 0.1);
  const fifth = Math.max(1, Math.floor(steady.length / 5));
  const rss = (list: Sample[]): number[] => list.map((s) => s.rss);
  const heaps = (list: Sample[]): number[] => list.flatMap((s) => (s.heap === undefined ? [] : [s.heap]));
  const early = steady.slice(0, fifth);
  const late = steady.slice(-fifth);
  const growth = median(rss(late)) - median(rss(early));
  const heapGrowth = median(heaps(late)) - median(heaps(early));
  const max = Math.max(...rss(samples));
  const maxAt = samples.find((s) => s.rss === max)?.at ?? 0;
  const total = counts.echo + counts.drift;
  const short = options.seconds < 600 ? ` (short run: ${options.seconds} s)` : '';
  return [
    {
      id: '6',
      figure: `soak load${short}`,
      value: `${num(total / options.seconds)} req/s: ${num(counts.echo)} echoes, ${num(counts.drift)} drift checks, ${counts.failed} failed; ${num(s3)} S3 calls`,
    },
    {
      id: '6',
      figure: 'echoes answered with a full check (last check older than the drift interval) / S3 calls per full check',
      value: `${num(counts.stale)} / ${num(s3 / Math.max(1, counts.drift + counts.stale), 2)}`,
    },
    {
      id: '6',
      figure: 'hook CPU over the soak (its echoes and drift checks)',
      value: `${num(cpu, 1)} s = ${num(cpu / seconds, 2)} cores; ${num((cpu * 1e6) / Math.max(1, total), 1)} us per answer`,
    },
    {
      id: '6',
      figure: `hook RSS: start / max / end (${samples.length} samples)`,
      value: `${mb(samples[0]!.rss)} / ${mb(max)} (at ${Math.round(maxAt)} s) / ${mb(samples[samples.length - 1]!.rss)}`,
      target: 'max < 150 MB',
      ok: max < 150 * 2 ** 20,
    },
    {
      id: '6',
      figure: 'hook RSS growth (median of last fifth - first fifth, after warm-up)',
      value: `${growth >= 0 ? '+' : ''}${mb(growth)}`,
      target: 'no growth (< 5 MB)',
      ok: growth < 5 * 2 ** 20,
    },
    { id: '6', figure: 'V8 heap used: growth (same windows)', value: `${heapGrowth >= 0 ? '+' : ''}${mb(heapGrowth)} (end ${mb(heaps(samples).at(-1) ?? 0)})` },
  ];
}
