// A Bucket's life as Kubernetes Events, against Ceph RGW: the real app (SDK adapter) under the
// Metacontroller imitation with childResources configmaps and the customize hook, its events sent to the
// recording stand-in for the API server. Create, echoes and quiet resyncs (counted), update, drift put
// back, a taken name, delete: exactly the expected Events, in order, each valid for the API server; the
// coordinates ConfigMap written once Ready and collected with its Bucket. Any region (S3_TEST_REGION).
import { CreateBucketCommand, GetBucketVersioningCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import t, { type Test } from 'tap';
import { KubeApi } from '../../src/events/kube-api.js';
import { EventRecorder, REPORTING_CONTROLLER } from '../../src/events/recorder.js';
import { buildApp } from '../../src/http/app.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createSdkPortFactory } from '../../src/s3/sdk-adapter.js';
import { KubeApiStandIn } from '../support/kube-api-stand-in.js';
import { MetacontrollerDriver, keyOf, type BucketObject, type CallRecord } from '../support/metacontroller-driver.js';
import { parseSamples, valueOf } from '../support/prom-text.js';
import { rawClient, removeBucket, rgwEnv, uniqueBucket } from '../support/rgw.js';

const env = rgwEnv();
const mine = rawClient(env, 'hook');
const theirs = rawClient(env, 'other');
const standIn = new KubeApiStandIn();
const metrics = createMetrics({ processMetrics: false });
let api: KubeApi;
let recorder: EventRecorder;
let driver: MetacontrollerDriver;
const s3 = createSdkPortFactory({ endpoint: env.endpoint, forcePathStyle: true, credentials: env.hook, onRequest: metrics.s3Request });
const calls: CallRecord[] = [];
const cleanup: Array<() => Promise<void>> = [];
let app: ReturnType<typeof buildApp>;

t.before(async () => {
  api = new KubeApi({ url: await standIn.start(), timeoutMs: 2000 });
  recorder = new EventRecorder({ api, controller: REPORTING_CONTROLLER, instance: 'bucket-hook-test-0', onResult: metrics.event });
  app = buildApp({
    logger: false,
    metrics,
    events: recorder,
    addressing: { endpoint: env.endpoint, forcePathStyle: true },
    deps: { s3, now: () => new Date(), defaults: { region: env.region, deletionPolicy: 'delete' }, resync: { driftCheckSeconds: 600, backoffMinSeconds: 5, backoffMaxSeconds: 300 } },
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  driver = new MetacontrollerDriver({ syncUrl: `${address}/sync`, customizeUrl: `${address}/customize`, childResources: ['configmaps'], cacheFlushSeconds: 0, onCall: (c) => calls.push(c) });
});
t.teardown(async () => {
  await driver.close();
  await app.close();
  s3.destroy();
  await recorder.close(100);
  api.close();
  await standIn.stop();
  for (const c of cleanup) await c();
  mine.destroy();
  theirs.destroy();
});

const condition = (o: BucketObject | undefined, type: string) => (o?.status?.conditions as Array<{ type: string; status: string; reason: string }> | undefined)?.find((c) => c.type === type);
const settled = (key: string, generation: number) => (d: MetacontrollerDriver) =>
  d.idle() && d.get(key)?.status?.observedGeneration === generation && condition(d.get(key), 'Ready')?.status === 'True' && condition(d.get(key), 'ConfigMapReady')?.reason === 'Published';
/** Each event on the stand-in as "Bucket reason", in order (a series' repeats are PATCHes, listed too). */
const timeline = (names: Map<string, string>): string[] =>
  standIn.requests.filter((r) => r.status < 300).map((r) => {
    const body = r.body as { reason?: string; regarding?: { uid: string }; series?: { count: number } };
    return r.method === 'POST' ? `${names.get(body.regarding!.uid)} ${body.reason}` : `PATCH series ${body.series?.count}`;
  });
async function run(t: Test, until: (d: MetacontrollerDriver) => boolean, what: string): Promise<void> {
  const result = await driver.run({ until, maxMs: 60_000 });
  t.equal(result.reason, 'until', what);
  await recorder.idle();
}

t.test('create, echoes and quiet resyncs, update, drift, NameTaken, delete: exactly these Events, in order', async (t) => {
  const bucket = uniqueBucket('evt');
  cleanup.push(() => removeBucket(mine, bucket));
  const names = new Map<string, string>();
  const annotations = { 's3.services.k8s.aws/coordinates-configmap': 'artifacts-s3' };
  const spec = { name: bucket, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };

  // Create: on RGW the name is recorded first (Creating, no event), the next sync creates it.
  const a = driver.apply({ namespace: 'team-a', name: 'artifacts', spec, annotations });
  names.set(a.metadata.uid, 'artifacts');
  const keyA = keyOf('team-a', 'artifacts');
  await run(t, settled(keyA, 1), 'Ready, its ConfigMap published');
  t.same(timeline(names), ['artifacts Created', 'artifacts ConfigMapPublished']);
  t.same(driver.configMap('team-a', 'artifacts-s3')?.data, {
    AWS_ENDPOINT_URL_S3: env.endpoint.replace(/\/+$/, ''),
    AWS_REGION: env.region,
    BUCKET_ARN: `arn:aws:s3:::${bucket}`,
    BUCKET_NAME: bucket,
    BUCKET_URL: `${env.endpoint.replace(/\/+$/, '')}/${bucket}`,
    S3_ADDRESSING_STYLE: 'path',
  });

  // Echoes (the driver's replays: Metacontroller restarts, cache flushes) and quiet full checks (requested-at).
  const before = standIn.requests.length;
  const callsBefore = calls.length;
  for (let i = 0; i < 4; i++) {
    driver.replayAll('cache-flush');
    await run(t, (d) => d.idle(), `replay ${i + 1}`);
  }
  for (const at of ['2026-11-24T10:00:00Z', '2026-11-24T10:05:00Z']) {
    driver.apply({ namespace: 'team-a', name: 'artifacts', spec, annotations: { ...annotations, 's3.services.k8s.aws/requested-at': at } });
    await run(t, (d) => d.idle(), `a quiet full check (${at})`);
  }
  const quietCalls = calls.slice(callsBefore).filter((c) => c.key === keyA);
  t.ok(quietCalls.length >= 6, `${quietCalls.length} echoes and quiet resyncs`);
  t.equal(standIn.requests.length, before, `no event for any of those ${quietCalls.length} calls`);
  t.comment(`${quietCalls.length} echo or quiet-resync calls, 0 events`);

  // Update: versioning Suspended, one more tag.
  const spec2 = { name: bucket, versioning: { status: 'Suspended' }, tagging: { tagSet: [{ key: 'team', value: 'a' }, { key: 'env', value: 'prod' }] } };
  driver.apply({ namespace: 'team-a', name: 'artifacts', spec: spec2, annotations });
  await run(t, settled(keyA, 2), 'the update applied');
  t.equal((await mine.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status, 'Suspended');

  // Drift: versioning turned back on behind the hook's back, found at the next full check.
  await mine.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  driver.apply({ namespace: 'team-a', name: 'artifacts', spec: spec2, annotations: { ...annotations, 's3.services.k8s.aws/requested-at': '2026-11-24T11:00:00Z' } });
  await run(t, (d) => d.idle() && standIn.requests.length > before + 1, 'the drift put back');
  t.equal((await mine.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status, 'Suspended');

  // A name another account owns.
  const taken = uniqueBucket('evt-taken');
  await theirs.send(new CreateBucketCommand({ Bucket: taken, ...(env.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: env.region as never } }) }));
  cleanup.push(() => removeBucket(theirs, taken));
  const b = driver.apply({ namespace: 'team-b', name: 'reports', spec: { name: taken } });
  names.set(b.metadata.uid, 'reports');
  const keyB = keyOf('team-b', 'reports');
  await run(t, (d) => d.idle() && condition(d.get(keyB), 'ACK.Terminal')?.reason === 'NameTaken', 'NameTaken');
  driver.replayAll('cache-flush');
  await run(t, (d) => d.idle(), 'its echo');

  // Delete both: ours is deleted (its ConfigMap goes with it), the taken one is left in place.
  driver.delete(keyA);
  driver.delete(keyB);
  await run(t, (d) => d.idle() && d.size === 0, 'both finalized');
  t.equal(driver.configMap('team-a', 'artifacts-s3'), undefined, 'the ConfigMap went with its Bucket');

  const events = timeline(names);
  t.same(events.filter((e) => e.startsWith('artifacts')), ['artifacts Created', 'artifacts ConfigMapPublished', 'artifacts Updated', 'artifacts DriftCorrected', 'artifacts Deleted']);
  t.same(events.filter((e) => e.startsWith('reports')), ['reports NameTaken', 'reports LeftInPlace']);
  t.same(events.slice(0, 5), ['artifacts Created', 'artifacts ConfigMapPublished', 'artifacts Updated', 'artifacts DriftCorrected', 'reports NameTaken'], 'in the order they happened');
  t.equal(events.length, 7, 'nothing else');
  t.comment(`Events in order: ${events.join(' | ')}`);
  t.same(standIn.requests.filter((r) => r.status >= 300).map((r) => r.problem), [], 'the API server stand-in refused none');
  const stored = standIn.list();
  const notes = Object.fromEntries(stored.map((e) => [`${names.get((e.regarding as { uid: string }).uid)} ${String(e.reason)}`, `${String(e.type)} ${String(e.action)}: ${String(e.note)}`]));
  t.match(notes['artifacts Created'], new RegExp(`^Normal Create: Created bucket "${bucket}" in ${env.region}; set `));
  t.match(notes['artifacts Updated'], /^Normal Update: Updated spec\.tagging, spec\.versioning of bucket .* \(generation 2\)\.$/);
  t.match(notes['artifacts DriftCorrected'], /^Normal Reconcile: S3 differed from the spec at spec\.versioning of bucket /);
  t.match(notes['reports NameTaken'], /^Warning Reconcile: Bucket name .* is taken by another AWS account/);
  t.match(notes['artifacts Deleted'], /^Normal Delete: Bucket .* was deleted\.$/);
  for (const e of stored) t.match(e, { reportingController: 's3.services.k8s.aws/bucket-hook', reportingInstance: 'bucket-hook-test-0', regarding: { apiVersion: 's3.services.k8s.aws/v1alpha1', kind: 'Bucket' } });
  t.same(driver.stats.violations, []);
  const samples = parseSamples(await metrics.registry.metrics());
  t.equal(valueOf(samples, 'bucket_hook_events_total', { result: 'sent' }), 7);
  for (const e of events) t.comment(e);
});
