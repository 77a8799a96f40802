// Figures 1 and 2, against the hook's app listening in this process (real HTTP, the real SDK adapter,
// RGW), where the adapter's onRequest counts every S3 request and Node's http diagnostics channels show
// how many of them were in flight together (round trips: idle -> busy transitions during one check).
import dc from 'node:diagnostics_channel';
import http, { type ClientRequest } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import {
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { resolveDesired } from '../../src/reconciler/rules/desired.js';
import { createSdkPortFactory } from '../../src/s3/sdk-adapter.js';
import type { BucketResource, HookResponse } from '../../src/reconciler/model/resource.js';
import { summarize, type LatencySummary } from '../support/metacontroller-driver.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { CallCounter, hookApp, isReservation, rawClient, removeBucket, uniqueBucket, type RgwEnv } from '../support/rgw.js';
import { FloorS3Client } from './floor-client.js';
import { median, ms, num, type Figure } from './report.js';

/** A spec managing six sub-resources: versioning, tagging (also the ownership read), CORS, lifecycle, policy, public access block. */
export function sixFieldSpec(bucket: string): Record<string, unknown> {
  return {
    name: bucket,
    versioning: { status: 'Enabled' },
    tagging: { tagSet: [{ key: 'team', value: 'bench' }] },
    cors: { corsRules: [{ id: 'web', allowedMethods: ['GET'], allowedOrigins: ['https://example.com'] }] },
    lifecycle: { rules: [{ id: 'expire-logs', status: 'Enabled', filter: { prefix: 'logs/' }, expiration: { days: 90 } }] },
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'deny-put', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${bucket}/*` }],
    }),
    publicAccessBlock: { blockPublicACLs: true, blockPublicPolicy: true },
  };
}

/** Counts waves of S3 requests: a wave starts whenever a request starts while none is in flight. */
class RoundTrips {
  private inFlight = 0;
  waves = 0;
  constructor(private readonly port: string) {
    dc.subscribe('http.client.request.start', this.start);
    dc.subscribe('http.client.response.finish', this.finish);
  }
  private mine(request: ClientRequest): boolean {
    return request.getHeader('host')?.toString().endsWith(`:${this.port}`) ?? false;
  }
  private readonly start = (message: unknown): void => {
    if (!this.mine((message as { request: ClientRequest }).request)) return;
    if (this.inFlight++ === 0) this.waves++;
  };
  private readonly finish = (message: unknown): void => {
    if (this.mine((message as { request: ClientRequest }).request)) this.inFlight--;
  };
  close(): void {
    dc.unsubscribe('http.client.request.start', this.start);
    dc.unsubscribe('http.client.response.finish', this.finish);
  }
}

export interface CheckMeasurement {
  k: number;
  checks: number;
  echoCalls: number;
  echoSame: number;
  echo: LatencySummary;
  drift: LatencySummary;
  head: LatencySummary;
  /** HeadBucket, then the same six Gets in parallel, sent by the SDK directly: S3's share of a check. */
  raw: LatencySummary;
  /** The server alone: one bare HEAD, and a HEAD then the six GETs in parallel, by a bare HTTP client (unsigned, no SDK). */
  bareHead: LatencySummary;
  bareCheck: LatencySummary;
  /** Node CPU per S3 call, sequential GetBucketVersioning in this process (ms): the stock SDK, the hook's port, the floor client. */
  sdkCpuPerCall: number;
  portCpuPerCall: number;
  floorCpuPerCall: number;
  /** T2 per round: the hook's port / the floor, CPU per call. */
  t2Rounds: number[];
  maxCalls: number;
  meanCalls: number;
  maxWaves: number;
  writes: number;
}

/** Echo syncs and drift checks over HTTP against the app, interleaved with bare HeadBuckets and raw reads; `env.endpoint` may be a latency proxy. */
export async function measureChecks(env: RgwEnv, checks: number, options: { echo: boolean }): Promise<CheckMeasurement> {
  const counter = new CallCounter();
  const app = hookApp(env, counter);
  const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/sync`;
  const client = rawClient(env, 'hook');
  const bucket = uniqueBucket('bench-drift');
  const trips = new RoundTrips(new URL(env.endpoint).port);
  const bare = new BareClient(env.endpoint);
  const post = async (resource: BucketResource): Promise<{ response: HookResponse; ms: number }> => {
    const started = performance.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope(resource)) });
    const body = await res.text();
    const elapsed = performance.now() - started;
    if (res.status !== 200) throw new Error(`hook answered ${res.status}: ${body}`);
    return { response: JSON.parse(body) as HookResponse, ms: elapsed };
  };
  try {
    const uid = '0e0e0e0e-1111-4222-8333-444444444444';
    const spec = sixFieldSpec(bucket);
    // On RGW the first sync records the name, the next one (with that status) creates.
    let created = await post(bucketResource({ uid, spec }));
    if (isReservation(created.response)) created = await post(bucketResource({ uid, spec, status: created.response.status }));
    if (created.response.status.conditions?.find((c) => c.type === 'Ready')?.status !== 'True')
      throw new Error(`bench bucket not ready: ${JSON.stringify(created.response.status)}`);
    const status = created.response.status;
    const resolved = resolveDesired(bucketResource({ uid, spec }), { region: env.region, deletionPolicy: 'delete' });
    if (!resolved.ok) throw new Error('bench spec invalid');
    const k = resolved.desired.managed.length;

    // 1. The echo: generation observed, last full check recent -> answered from the status received.
    const echoBody = bucketResource({ uid, spec, status, keepLastCheck: true });
    let echoCalls = 0;
    let echoSame = 0;
    const echoMs: number[] = [];
    for (let i = 0; options.echo && i < checks; i++) {
      counter.reset();
      const { response, ms: elapsed } = await post(echoBody);
      echoCalls += counter.calls.length;
      if (isDeepStrictEqual(response.status, echoBody.status)) echoSame++;
      echoMs.push(elapsed);
    }

    // 2. The drift check (lastCheck dropped: a full check), interleaved with a bare HeadBucket and
    // with the same reads sent by the SDK itself.
    const driftBody = bucketResource({ uid, spec, status });
    const driftMs: number[] = [];
    const headMs: number[] = [];
    const rawMs: number[] = [];
    const bareHeadMs: number[] = [];
    const bareCheckMs: number[] = [];
    const callsPerCheck: number[] = [];
    const wavesPerCheck: number[] = [];
    let writes = 0;
    for (let i = 0; i < checks; i++) {
      let started = performance.now();
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
      headMs.push(performance.now() - started);
      counter.reset();
      trips.waves = 0;
      const { ms: elapsed } = await post(driftBody);
      driftMs.push(elapsed);
      callsPerCheck.push(counter.calls.length);
      wavesPerCheck.push(trips.waves);
      writes += counter.writes().length;
      started = performance.now();
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
      await Promise.all(rawReads(client, bucket));
      rawMs.push(performance.now() - started);
      started = performance.now();
      await bare.send('HEAD', bucket);
      bareHeadMs.push(performance.now() - started);
      started = performance.now();
      await bare.send('HEAD', bucket);
      await Promise.all(CHECK_SUBRESOURCES.map((sub) => bare.send('GET', bucket, sub)));
      bareCheckMs.push(performance.now() - started);
    }
    // What one S3 call costs the client's CPU: the stock SDK, the hook's own S3 port (the tuned SDK
    // client of sdk-adapter.ts) and the floor (floor-client.ts), in alternating rounds in this process.
    const perCall = await clientCpuPerCall(env, bucket, client, Math.max(100, Math.min(400, checks * 2)));
    return {
      k,
      checks,
      ...perCall,
      echoCalls,
      echoSame,
      echo: summarize(echoMs),
      drift: summarize(driftMs),
      head: summarize(headMs),
      raw: summarize(rawMs),
      bareHead: summarize(bareHeadMs),
      bareCheck: summarize(bareCheckMs),
      maxCalls: Math.max(...callsPerCheck),
      meanCalls: callsPerCheck.reduce((a, b) => a + b, 0) / checks,
      maxWaves: Math.max(...wavesPerCheck),
      writes,
    };
  } finally {
    trips.close();
    bare.close();
    await removeBucket(client, bucket);
    client.destroy();
    await app.close();
  }
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

/** Calls each client makes before T2 is measured: a fresh client pays for V8 compiling its code paths. */
export const T2_WARMUP_CALLS = 300;
/** Rounds T2 is the median of (odd: the median is a round's own ratio). */
export const T2_ROUNDS = 7;

/**
 * CPU per sequential GetBucketVersioning: stock SDK client, the hook's S3 port (createSdkPortFactory:
 * the SDK as the hook configures it, with its request counter and in-flight tracking), and the floor
 * (SigV4 by hand, node:http keep-alive, one XML element). Measured as T1 is: a warm-up of
 * T2_WARMUP_CALLS calls per client, then T2_ROUNDS rounds, each running every client in turn (each round
 * starting with the next client) and giving its own hook / floor ratio; T2 is the median of those ratios,
 * so a burst of load on the machine moves one round, not the figure. The per-client figures are the medians
 * of their rounds.
 */
async function clientCpuPerCall(
  env: RgwEnv,
  bucket: string,
  stock: S3Client,
  calls: number,
): Promise<{ sdkCpuPerCall: number; portCpuPerCall: number; floorCpuPerCall: number; t2Rounds: number[] }> {
  const factory = createSdkPortFactory({ endpoint: env.endpoint, forcePathStyle: true, credentials: env.hook, onRequest: () => undefined });
  const port = factory(env.region);
  const floor = new FloorS3Client(env.endpoint, env.region, env.hook);
  const runs = {
    sdk: () => stock.send(new GetBucketVersioningCommand({ Bucket: bucket })),
    port: () => port.getConfig('versioning', bucket),
    floor: async () => {
      if ((await floor.get(bucket, 'versioning', 'Status')) !== 'Enabled') throw new Error('floor client: versioning not read');
    },
  };
  const rounds: Record<keyof typeof runs, number[]> = { sdk: [], port: [], floor: [] };
  try {
    for (const run of Object.values(runs)) for (let i = 0; i < T2_WARMUP_CALLS; i++) await run();
    const order = Object.entries(runs) as Array<[keyof typeof runs, () => Promise<unknown>]>;
    for (let round = 0; round < T2_ROUNDS; round++) {
      // Each round starts with the next client: whichever runs right after another pays for the garbage
      // that one left (its GC), so a fixed order would tilt the comparison.
      for (let j = 0; j < order.length; j++) {
        const [name, run] = order[(j + round) % order.length]!;
        const cpu0 = process.cpuUsage();
        for (let i = 0; i < calls; i++) await run();
        rounds[name].push(cpuMs(cpu0) / calls);
      }
    }
  } finally {
    floor.close();
    factory.destroy();
  }
  return {
    sdkCpuPerCall: median(rounds.sdk),
    portCpuPerCall: median(rounds.port),
    floorCpuPerCall: median(rounds.floor),
    t2Rounds: rounds.port.map((p, i) => p / rounds.floor[i]!),
  };
}

/** The query strings of the six reads of a check. */
const CHECK_SUBRESOURCES = ['tagging', 'versioning', 'cors', 'lifecycle', 'policy', 'publicAccessBlock'];

/**
 * A bare keep-alive HTTP client: unsigned requests, so the server refuses them (403) after routing and
 * looking the bucket up. What the server costs with next to nothing on the client side: the floor under
 * any S3 client's latency on this machine.
 */
class BareClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  private readonly url: URL;
  constructor(endpoint: string) {
    this.url = new URL(endpoint);
  }
  send(method: 'HEAD' | 'GET', bucket: string, subresource?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const path = `/${bucket}${subresource ? `?${subresource}` : ''}`;
      const request = http.request({ host: this.url.hostname, port: this.url.port, method, path, agent: this.agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('error', reject);
      request.end();
    });
  }
  close(): void {
    this.agent.destroy();
  }
}

/** The six reads of a check, sent by the SDK directly. */
function rawReads(client: S3Client, b: string): Array<Promise<unknown>> {
  return [
    client.send(new GetBucketTaggingCommand({ Bucket: b })),
    client.send(new GetBucketVersioningCommand({ Bucket: b })),
    client.send(new GetBucketCorsCommand({ Bucket: b })),
    client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b })),
    client.send(new GetBucketPolicyCommand({ Bucket: b })),
    client.send(new GetPublicAccessBlockCommand({ Bucket: b })),
  ];
}

export function echoFigures(m: CheckMeasurement): Figure[] {
  return [
    { id: '1', figure: 'echo sync: S3 calls', value: `${m.echoCalls} over ${m.checks} echoes`, target: '0', ok: m.echoCalls === 0, gate: true },
    { id: '1', figure: 'echo sync: answer = status received', value: `${m.echoSame}/${m.checks}`, target: 'all', ok: m.echoSame === m.checks, gate: true },
    { id: '1', figure: 'echo sync latency (HTTP, median / p95)', value: `${ms(m.echo.median)} / ${ms(m.echo.p95)}` },
  ];
}

/**
 * `where` names the network: loopback, or the emulated round trip. `counts`: print the call and round-trip
 * counts (the same on any network). `gate`: whether this latency ratio decides the exit code.
 */
export function driftFigures(m: CheckMeasurement, where: string, { counts, gate }: { counts: boolean; gate: boolean }): Figure[] {
  const ratio = m.drift.median / m.head.median;
  const figures: Figure[] = [];
  if (counts) {
    figures.push(
      {
        id: '2',
        figure: `drift check: S3 calls (k = ${m.k} sub-resources)`,
        value: `${m.maxCalls} max, ${num(m.meanCalls, 1)} mean, ${m.writes} writes`,
        target: `<= 1 + k = ${1 + m.k}`,
        ok: m.maxCalls <= 1 + m.k && m.writes === 0,
        gate: true,
      },
      { id: '2', figure: 'drift check: S3 round trips', value: `${m.maxWaves} max`, target: '2', ok: m.maxWaves <= 2, gate: true },
    );
  }
  figures.push(
    { id: '2', figure: `[${where}] drift check latency (HTTP, ${m.checks} checks, median / p95)`, value: `${ms(m.drift.median)} / ${ms(m.drift.p95)}` },
    { id: '2', figure: `[${where}] HeadBucket (SDK, median)`, value: ms(m.head.median) },
    { id: '2', figure: `[${where}] HeadBucket + ${m.k} parallel Gets by the SDK itself (median)`, value: ms(m.raw.median) },
    {
      id: '2',
      figure: `[${where}] the server alone: bare HEAD, then HEAD + ${m.k} parallel GETs (unsigned, no SDK; medians)`,
      value: `${ms(m.bareHead.median)}, ${ms(m.bareCheck.median)}: ${(m.bareCheck.median / m.bareHead.median).toFixed(2)}x`,
    },
    ...(counts ? clientCpuFigures(m) : []),
    {
      id: '2',
      figure: `[${where}] drift check / HeadBucket (medians)`,
      value: `${ratio.toFixed(2)}x`,
      target: gate ? '<= 2.5x' : '<= 2.5x (not gated here)',
      ok: gate ? ratio <= 2.5 : undefined,
      gate,
    },
  );
  return figures;
}

/** Target 2: the hook's S3 client against the floor, per call, side by side in this process. */
function clientCpuFigures(m: CheckMeasurement): Figure[] {
  const t2 = median(m.t2Rounds);
  return [
    {
      id: 'T2',
      figure:
        'client CPU per S3 call: stock SDK / hook (its S3 port) / floor (SigV4 by hand, node:http); GetBucketVersioning, this process, medians of the rounds',
      value: `${ms(m.sdkCpuPerCall)} / ${ms(m.portCpuPerCall)} / ${ms(m.floorCpuPerCall)}`,
    },
    {
      id: 'T2',
      figure: `CPU per S3 call: hook / floor, after ${T2_WARMUP_CALLS} calls of warm-up each (median of ${m.t2Rounds.length} rounds: ${m.t2Rounds.map((r) => r.toFixed(2)).join(', ')}; stock SDK / floor ${(m.sdkCpuPerCall / m.floorCpuPerCall).toFixed(2)}x)`,
      value: `${t2.toFixed(2)}x`,
      target: '<= 3x',
      ok: t2 <= 3,
      gate: true,
    },
  ];
}
