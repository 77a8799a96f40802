// A soak: continuous hook calls over real HTTP (keep-alive, several at once) against one app, over the
// fake S3 or Ceph RGW (the real SDK adapter). A pool of Buckets is created, resynced (quick path and full
// checks), updated, finalized and created again, with some bad input in between. Bounded either by time
// (`durationMs`, test/long: memory (RSS, heap) and open handles (process.getActiveResourcesInfo()) are
// sampled after a warm-up and at the end; the test asserts they stay flat) or by a number of steps per
// worker (`steps`, the default run: the same traffic, checked for outcomes and handles only).
import { Agent, request } from 'node:http';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import v8 from 'node:v8';
import vm from 'node:vm';
import { buildApp } from '../../src/http/app.js';
import type { BucketStatus, HookResponse } from '../../src/reconciler/model/resource.js';
import type { S3PortFactory } from '../../src/s3/port.js';
import { createSdkPortFactory } from '../../src/s3/sdk-adapter.js';
import { bucketResource, envelope } from './envelope.js';
import { FakeS3 } from './fake-s3.js';
import { rawClient, removeBucket, rgwEnv } from './rgw.js';

interface CommonOptions {
  target: 'fake' | 'rgw';
  concurrency: number;
  buckets: number;
  log?: (line: string) => void;
}

/** Bounded by time, with memory samples: test/long. */
export interface TimedSoakOptions extends CommonOptions {
  durationMs: number;
  warmupMs: number;
  /** How often memory is sampled (after a full GC) once warm; default 1 s. */
  sampleMs?: number;
}

/** Bounded by count: each worker makes `steps` requests, then the run ends. No memory samples. */
export interface CountedSoakOptions extends CommonOptions {
  steps: number;
}

export type SoakOptions = TimedSoakOptions | CountedSoakOptions;

export interface Sample {
  rssMb: number;
  heapMb: number;
  handles: number;
}

export interface SoakReport {
  requests: number;
  byCode: Record<string, number>;
  byAction: Record<string, number>;
  /** Before any load; after the warm-up; at the end of the load (connections still open); after closing the client. */
  before: Sample;
  warm: Sample;
  end: Sample;
  closed: Sample;
  peakRssMb: number;
  /**
   * Medians of the samples (after a full GC) taken during the first and the last quarter of the run after
   * warm-up: RSS swings by tens of MB with the allocator and V8's page reuse, so one point says little; a
   * leak shows as the later quarter sitting higher.
   */
  early: Sample;
  late: Sample;
  samples: number;
  handleTypes: { warm: Record<string, number>; end: Record<string, number> };
  s3Buckets: number;
  /** Over the fake S3: the buckets it holds at the end, and the ones the run's answers say exist (created, not finalized since). */
  fakeBuckets: string[];
  expectedBuckets: string[];
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function sample(): Sample {
  gc();
  const m = process.memoryUsage();
  return { rssMb: m.rss / 2 ** 20, heapMb: m.heapUsed / 2 ** 20, handles: process.getActiveResourcesInfo().length };
}

function handleTypes(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

function medianSample(list: Sample[]): Sample {
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return { rssMb: median(list.map((s) => s.rssMb)), heapMb: median(list.map((s) => s.heapMb)), handles: median(list.map((s) => s.handles)) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface BucketState {
  uid: string;
  generation: number;
  status: BucketStatus | undefined;
  versioning: 'Enabled' | 'Suspended';
  round: number;
  /** The answers say this slot's bucket exists in S3 (a status with its location; not finalized since). */
  exists: boolean;
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? (() => undefined);
  const prefix = `soak-${Date.now().toString(36)}`;
  let s3: S3PortFactory & { destroy?: () => void };
  let fake: FakeS3 | undefined;
  let region = 'eu-west-1';
  if (o.target === 'fake') {
    fake = new FakeS3();
    s3 = fake.factory();
  } else {
    const env = rgwEnv();
    region = env.region;
    s3 = createSdkPortFactory({ endpoint: env.endpoint, forcePathStyle: true, credentials: env.hook });
  }
  const app = buildApp({
    logger: false,
    deps: {
      s3,
      now: () => new Date(),
      defaults: { region, deletionPolicy: 'delete' },
      resync: { driftCheckSeconds: 600, backoffMinSeconds: 5, backoffMaxSeconds: 300 },
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
  const report: SoakReport = {
    requests: 0,
    byCode: {},
    byAction: {},
    before: sample(),
    warm: sample(),
    end: sample(),
    closed: sample(),
    peakRssMb: 0,
    early: sample(),
    late: sample(),
    samples: 0,
    handleTypes: { warm: {}, end: {} },
    s3Buckets: 0,
    fakeBuckets: [],
    expectedBuckets: [],
  };
  const samples: Sample[] = [];
  report.before = sample();

  const post = (path: string, body: string): Promise<{ code: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ code: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const states: BucketState[] = Array.from({ length: o.buckets }, (_, i) => ({
    uid: `50a40000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    generation: 1,
    status: undefined,
    versioning: 'Enabled',
    round: 0,
    exists: false,
  }));
  const name = (i: number) => `${prefix}-${i}-r${states[i]!.round}`;
  const spec = (i: number) => ({
    name: name(i),
    versioning: { status: states[i]!.versioning },
    tagging: { tagSet: [{ key: 'soak', value: String(states[i]!.generation) }] },
  });
  let stop = false;

  async function step(i: number, roll: number): Promise<void> {
    const s = states[i]!;
    let action: string;
    let path = '/sync';
    let body: string;
    if (roll < 0.05) {
      action = 'bad envelope';
      body = roll < 0.025 ? '{"parent": {"kind": "Bucket"}}' : '{"parent":';
    } else if (roll < 0.1) {
      action = 'invalid spec';
      body = JSON.stringify(envelope(bucketResource({ uid: s.uid, name: `b${i}`, spec: { name: 'Not_A_Bucket', versioning: 'on' } })));
    } else if (roll < 0.2) {
      action = 'update';
      s.generation++;
      s.versioning = s.versioning === 'Enabled' ? 'Suspended' : 'Enabled';
      body = JSON.stringify(
        envelope(bucketResource({ uid: s.uid, name: `b${i}`, generation: s.generation, spec: spec(i), ...(s.status ? { status: s.status } : {}) })),
      );
    } else if (roll < 0.28) {
      action = 'finalize';
      path = '/finalize';
      body = JSON.stringify(
        envelope(
          bucketResource({
            uid: s.uid,
            name: `b${i}`,
            generation: s.generation + 1,
            spec: spec(i),
            deletionTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            ...(s.status ? { status: s.status } : {}),
          }),
          true,
        ),
      );
    } else {
      // The echo and resyncs: with lastCheck kept half the time (quick path), dropped otherwise (full check).
      const quick = roll < 0.64;
      action = quick ? 'resync (quick)' : 'resync (full)';
      body = JSON.stringify(
        envelope(
          bucketResource({
            uid: s.uid,
            name: `b${i}`,
            generation: s.generation,
            spec: spec(i),
            ...(s.status ? { status: s.status, keepLastCheck: quick } : {}),
          }),
        ),
      );
    }
    const res = await post(path, body);
    report.requests++;
    report.byCode[res.code] = (report.byCode[res.code] ?? 0) + 1;
    report.byAction[action] = (report.byAction[action] ?? 0) + 1;
    if (res.code !== 200) return;
    const answer = JSON.parse(res.text) as HookResponse;
    if (path === '/finalize') {
      if (answer.finalized) {
        // Gone: the next life of this slot is a new resource and a new bucket.
        s.round++;
        s.generation = 1;
        s.status = undefined;
        s.exists = false;
      }
      return;
    }
    if (action !== 'invalid spec') {
      s.status = answer.status;
      if (answer.status.location === `/${name(i)}`) s.exists = true;
    }
  }

  const steps = 'steps' in o ? o.steps : Infinity;
  async function worker(w: number): Promise<void> {
    let n = 0;
    while (!stop && n < steps) {
      // Each worker owns the buckets i % concurrency == w: one Bucket is never handled twice at once.
      const mine = states.map((_, i) => i).filter((i) => i % o.concurrency === w);
      const i = mine[n % mine.length]!;
      const roll = ((n * 7919 + w * 104729) % 1000) / 1000;
      n++;
      await step(i, roll);
    }
  }

  if ('steps' in o) {
    // Counted: the same traffic, no memory samples, no clock.
    await Promise.all(Array.from({ length: o.concurrency }, (_, w) => worker(w)));
    report.warm = report.end = sample();
    report.handleTypes.warm = report.handleTypes.end = handleTypes();
    log(`soak ${o.target}: ${report.requests} requests in ${o.steps} steps per worker`);
  } else {
    await timed(o);
  }
  async function timed(o: TimedSoakOptions): Promise<void> {
    const started = performance.now();
    let warmed = false;
    const sampler = setInterval(() => {
      if (!warmed) return;
      const s = sample();
      samples.push(s);
      report.peakRssMb = Math.max(report.peakRssMb, s.rssMb);
    }, o.sampleMs ?? 1000);
    const workers = Array.from({ length: o.concurrency }, (_, w) => worker(w));
    await sleep(o.warmupMs);
    report.warm = sample();
    report.handleTypes.warm = handleTypes();
    warmed = true;
    log(`soak ${o.target}: warm after ${o.warmupMs} ms: ${report.requests} requests, ${JSON.stringify(report.warm)}`);
    let lastLog = performance.now();
    while (performance.now() - started < o.durationMs) {
      await sleep(Math.min(1000, o.durationMs - (performance.now() - started)));
      if (performance.now() - lastLog > 60_000) {
        lastLog = performance.now();
        log(
          `soak ${o.target}: ${Math.round((performance.now() - started) / 1000)} s, ${report.requests} requests, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(1)} MB`,
        );
      }
    }
    stop = true;
    await Promise.all(workers);
    clearInterval(sampler);
    report.end = sample();
  }
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  report.early = medianSample(samples.slice(0, quarter));
  report.late = medianSample(samples.slice(-quarter));
  report.samples = samples.length;
  report.handleTypes.end = handleTypes();
  agent.destroy();
  await app.close();
  s3.destroy?.();
  // The sockets close on the next turns of the event loop: wait for the handles to drop back, for 5 s at most.
  for (let waited = 0; waited < 5000 && process.getActiveResourcesInfo().length > report.before.handles; waited += 10) await sleep(10);
  report.closed = sample();
  report.s3Buckets = fake ? fake.buckets.size : 0;
  report.fakeBuckets = fake ? [...fake.buckets.keys()].sort() : [];
  report.expectedBuckets = states.flatMap((s, i) => (s.exists ? [name(i)] : [])).sort();
  if (o.target === 'rgw') {
    const mine = rawClient(rgwEnv(), 'hook');
    const left = ((await mine.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name ?? '').filter((n) => n.startsWith(prefix));
    report.s3Buckets = left.length;
    for (const bucket of left) await removeBucket(mine, bucket).catch(() => undefined);
    mine.destroy();
  }
  return report;
}
