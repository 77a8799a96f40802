// The fault scenario: N Buckets go through create -> update -> delete, driven by the Metacontroller
// imitation over real HTTP, while the fault proxy breaks a share of the hook's S3 requests to Ceph RGW.
// Used by test/reliability (10 buckets) and test/long (100). It returns figures; the tests assert on them.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketTaggingCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { buildApp } from '../../src/http/app.js';
import type { BucketStatus, Condition } from '../../src/reconciler/model/resource.js';
import { createSdkPortFactory } from '../../src/s3/sdk-adapter.js';
import { MetacontrollerDriver, keyOf, summarize, type CallRecord, type LatencySummary } from '../support/metacontroller-driver.js';
import { rawClient, removeBucket, rgwEnv, bucketExists } from '../support/rgw.js';
import { FaultProxy, type FaultKind } from './proxy.js';

export interface FaultRunOptions {
  buckets: number;
  /** Share of S3 requests that fail (0.2 = 20 %). */
  rate: number;
  seed: number;
  /** The hook's REQUEST_DEADLINE_MS; the latency fault holds answers longer than this. */
  deadlineMs: number;
  /** The SDK's maxAttempts (its own retries, before the hook's backoff takes over). */
  maxAttempts: number;
  workers: number;
  /** Driver time scale: resyncAfterSeconds and periods run this much faster than real time. */
  timeScale: number;
  /** Time budget for each phase. */
  phaseMs: number;
  /** How many buckets get objects before their deletion (they must survive until emptied). */
  nonEmpty: number;
  log?: (line: string) => void;
}

export interface FaultRunReport {
  prefix: string;
  phases: Record<string, { converged: number; of: number; ms: number; reason: string }>;
  codes: Record<string, number>;
  calls: { sync: number; finalize: number };
  latency: { sync: LatencySummary; finalize: LatencySummary };
  violations: string[];
  /** Answers with ACK.Recoverable (by reason), and how many of them lacked resyncAfterSeconds > 0. */
  recoverable: Record<string, number>;
  recoverableWithoutResync: number;
  terminal: Record<string, number>;
  requests: number;
  injected: Record<FaultKind, number>;
  byOperation: Record<string, { requests: number; injected: number }>;
  /** Buckets whose CreateBucket reached RGW more than once, with the answers of CreateBucket that were lost. */
  duplicateCreates: Array<{ bucket: string; creates: number; answersLost: number }>;
  bucketsCreated: number;
  /** Buckets under the prefix in this account at the end (should be only the sentinel). */
  leftBehind: string[];
  sentinelSurvived: boolean;
  sentinelObjects: number;
  foreignSurvived: boolean;
  /** Non-empty buckets that still existed (with their objects) while their resources were deleting. */
  nonEmptyKept: number;
  nonEmptyObjectsKept: number;
  wrongDeletes: string[];
  problems: string[];
}

const cond = (status: unknown, type: string): Condition | undefined => (status as BucketStatus | undefined)?.conditions?.find((c) => c.type === type);

const exists = bucketExists;

/** What the user does before a non-empty bucket can go: remove every object version and delete marker. */
async function emptyBucket(client: S3Client, bucket: string): Promise<void> {
  const listed = await client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  for (const v of [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])]) {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: v.Key!, VersionId: v.VersionId }));
  }
}

const objectCount = async (client: S3Client, bucket: string) => (await client.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount ?? 0;

export async function runFaultScenario(o: FaultRunOptions): Promise<FaultRunReport> {
  const log = o.log ?? (() => undefined);
  const env = rgwEnv();
  const mine = rawClient(env, 'hook');
  const theirs = rawClient(env, 'other');
  const prefix = `flt${o.seed.toString(36)}-${Date.now().toString(36)}`;
  const proxy = await new FaultProxy({
    target: env.endpoint,
    seed: o.seed,
    rate: o.rate,
    latencyMs: o.deadlineMs + 500,
    mix: { slowdown: 4, internal: 2, reset: 2, 'reset-after': 2, latency: 1 },
  }).start();
  const s3 = createSdkPortFactory({ endpoint: proxy.url, forcePathStyle: true, credentials: env.hook, maxAttempts: o.maxAttempts });
  const app = buildApp({
    logger: false,
    requestDeadlineMs: o.deadlineMs,
    deps: {
      s3,
      now: () => new Date(),
      defaults: { region: env.region, deletionPolicy: 'delete' },
      resync: { driftCheckSeconds: 600, backoffMinSeconds: 5, backoffMaxSeconds: 300 },
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };

  const report: FaultRunReport = {
    prefix,
    phases: {},
    codes: {},
    calls: { sync: 0, finalize: 0 },
    latency: { sync: summarize([]), finalize: summarize([]) },
    violations: [],
    recoverable: {},
    recoverableWithoutResync: 0,
    terminal: {},
    requests: 0,
    injected: proxy.injected(),
    byOperation: {},
    duplicateCreates: [],
    bucketsCreated: 0,
    leftBehind: [],
    sentinelSurvived: false,
    sentinelObjects: 0,
    foreignSurvived: false,
    nonEmptyKept: 0,
    nonEmptyObjectsKept: 0,
    wrongDeletes: [],
    problems: [],
  };
  /** Resources whose finalize answered BucketNotEmpty at least once (the deletion waits for the user). */
  const sawNotEmpty = new Set<string>();
  const onCall = (r: CallRecord): void => {
    const status = r.response?.status;
    const rec = cond(status, 'ACK.Recoverable');
    if (rec?.reason === 'BucketNotEmpty') sawNotEmpty.add(r.key);
    if (rec) {
      report.recoverable[rec.reason] = (report.recoverable[rec.reason] ?? 0) + 1;
      const after = r.response?.resyncAfterSeconds;
      if (!(typeof after === 'number' && after > 0)) report.recoverableWithoutResync++;
    }
    const term = cond(status, 'ACK.Terminal');
    if (term) report.terminal[term.reason] = (report.terminal[term.reason] ?? 0) + 1;
  };
  const driver = new MetacontrollerDriver({ syncUrl: `http://127.0.0.1:${port}/sync`, workers: o.workers, timeScale: o.timeScale, onCall });

  const bucketOf = (i: number) => `${prefix}-b${i}`;
  const names = Array.from({ length: o.buckets }, (_, i) => bucketOf(i));
  const sentinel = `${prefix}-sentinel`;
  const foreign = `${prefix}-foreign`;
  const keys = names.map((_, i) => keyOf('faults', `b${i}`));
  const nonEmpty = new Set(names.slice(0, o.nonEmpty));
  try {
    // Out of the hook's reach: a bucket of ours with objects and ownership-looking tags no resource has,
    // and another account's bucket. Both must survive everything.
    await mine.send(new CreateBucketCommand({ Bucket: sentinel, CreateBucketConfiguration: { LocationConstraint: env.region as never } }));
    await mine.send(
      new PutBucketTaggingCommand({
        Bucket: sentinel,
        Tagging: {
          TagSet: [
            { Key: 'services.k8s.aws/namespace', Value: 'faults' },
            { Key: 'services.k8s.aws/name', Value: 'sentinel' },
            { Key: 'services.k8s.aws/uid', Value: 'not-any-resource' },
          ],
        },
      }),
    );
    for (let i = 0; i < 3; i++) await mine.send(new PutObjectCommand({ Bucket: sentinel, Key: `sentinel-${i}`, Body: 'keep me' }));
    await theirs.send(new CreateBucketCommand({ Bucket: foreign, CreateBucketConfiguration: { LocationConstraint: env.region as never } }));

    const phase = async (name: string, done: (key: string) => boolean, of: number): Promise<void> => {
      const started = performance.now();
      const converged = () => keys.filter(done).length;
      const result = await driver.run({ until: () => converged() >= of, maxMs: o.phaseMs, pollMs: 100 });
      report.phases[name] = { converged: converged(), of, ms: Math.round(performance.now() - started), reason: result.reason };
      log(
        `${name}: ${converged()}/${of} in ${report.phases[name].ms} ms (${result.reason}); ${proxy.requests()} S3 requests so far, injected ${JSON.stringify(proxy.injected())}`,
      );
      if (converged() < of) {
        report.problems.push(`${name}: only ${converged()} of ${of} converged in ${o.phaseMs} ms`);
        for (const key of keys.filter((k) => !done(k)).slice(0, 5)) {
          const b = driver.get(key);
          const conditions = (b?.status as BucketStatus | undefined)?.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}: ${c.message}`);
          report.problems.push(
            `${name}: ${key} (${String(b?.spec.name)}) generation ${b?.metadata.generation}, observed ${String(b?.status?.observedGeneration)}: ${JSON.stringify(conditions)}`,
          );
        }
      }
    };
    const readyAt = (key: string, generation: number): boolean => {
      const b = driver.get(key);
      return (
        b !== undefined &&
        b.status?.observedGeneration === generation &&
        cond(b.status, 'Ready')?.status === 'True' &&
        cond(b.status, 'ACK.ResourceSynced')?.status === 'True'
      );
    };

    // 1. Create.
    names.forEach((bucket, i) =>
      driver.apply({
        namespace: 'faults',
        name: `b${i}`,
        spec: { name: bucket, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'phase', value: 'create' }] } },
      }),
    );
    await phase('create', (k) => readyAt(k, 1), keys.length);

    // 2. Update (generation 2).
    names.forEach((bucket, i) =>
      driver.apply({
        namespace: 'faults',
        name: `b${i}`,
        spec: {
          name: bucket,
          versioning: { status: 'Suspended' },
          tagging: {
            tagSet: [
              { key: 'phase', value: 'update' },
              { key: 'i', value: String(i) },
            ],
          },
        },
      }),
    );
    await phase('update', (k) => readyAt(k, 2), keys.length);
    for (const [i, bucket] of names.entries()) {
      try {
        if (!(await exists(mine, bucket))) {
          report.wrongDeletes.push(`${bucket} (gone while its resource lives)`);
          continue;
        }
        const versioning = (await mine.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;
        const tags = Object.fromEntries(
          ((await mine.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet ?? []).map((t): [string, string | undefined] => [t.Key ?? '', t.Value]),
        );
        const uid = driver.get(keys[i]!)?.metadata.uid;
        if (versioning !== 'Suspended' || tags.phase !== 'update' || tags.i !== String(i) || tags['services.k8s.aws/uid'] !== uid) {
          report.problems.push(`${bucket}: after the update RGW has versioning ${versioning}, tags ${JSON.stringify(tags)}`);
        }
      } catch (err) {
        report.problems.push(
          `${bucket}: cannot check it in RGW after the update: ${String((err as Error).name)} ${JSON.stringify((err as { $metadata?: unknown }).$metadata)}`,
        );
      }
    }

    // 3. Objects into some buckets, then delete every resource.
    for (const bucket of nonEmpty)
      for (let i = 0; i < 2; i++) await mine.send(new PutObjectCommand({ Bucket: bucket, Key: `data-${i}.txt`, Body: `object ${i}` }));
    for (const key of keys) driver.delete(key);
    await phase('delete', (k) => !driver.get(k) || (nonEmpty.has(String(driver.get(k)?.spec.name)) && sawNotEmpty.has(k)), keys.length);
    for (const bucket of nonEmpty) {
      if (await exists(mine, bucket)) {
        report.nonEmptyKept++;
        report.nonEmptyObjectsKept += await objectCount(mine, bucket);
      }
    }
    // 4. The user empties them: deletion completes.
    for (const bucket of nonEmpty) await emptyBucket(mine, bucket);
    await phase('delete after emptying', (k) => !driver.get(k), keys.length);

    // 5. What is left in RGW.
    const listed = (await mine.send(new ListBucketsCommand({}))).Buckets ?? [];
    report.leftBehind = listed.map((b) => b.Name ?? '').filter((n) => n.startsWith(prefix) && n !== sentinel);
    report.sentinelSurvived = await exists(mine, sentinel);
    report.sentinelObjects = report.sentinelSurvived ? await objectCount(mine, sentinel) : 0;
    report.foreignSurvived = await exists(theirs, foreign);
    if (!report.sentinelSurvived) report.wrongDeletes.push(sentinel);
    if (!report.foreignSurvived) report.wrongDeletes.push(foreign);
  } finally {
    await driver.close();
    // The driver is stopped: also drop the sockets its fetch opened without sending a request (cancelled
    // calls), which Node's close() would otherwise keep until keepAliveTimeout.
    const closing = app.close();
    app.server.closeAllConnections();
    await closing;
    s3.destroy();
    await proxy.close();
    for (const bucket of [...names, sentinel]) await removeBucket(mine, bucket).catch(() => undefined);
    await removeBucket(theirs, foreign).catch(() => undefined);
    mine.destroy();
    theirs.destroy();
  }

  const stats = driver.stats;
  report.codes = { ...stats.codes };
  report.calls = { ...stats.calls };
  report.latency = { sync: summarize(stats.latenciesMs.sync), finalize: summarize(stats.latenciesMs.finalize) };
  report.violations = stats.violations.map((v) => `${v.key} ${v.hook} ${v.kind}: ${v.detail}`);
  report.requests = proxy.requests();
  report.injected = proxy.injected();
  report.byOperation = Object.fromEntries(
    [...proxy.byOperation].map(([op, c]) => [op, { requests: c.requests, injected: Object.values(c.injected).reduce((a, b) => a + b, 0) }]),
  );
  report.bucketsCreated = [...proxy.createsDone.keys()].filter((b) => names.includes(b)).length;
  report.duplicateCreates = [...proxy.createsDone]
    .filter(([, n]) => n > 1)
    .map(([bucket, creates]) => ({ bucket, creates, answersLost: proxy.createAnswersLost.get(bucket) ?? 0 }));
  return report;
}
