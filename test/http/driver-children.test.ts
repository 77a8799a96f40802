// The Metacontroller imitation's children (test/support/metacontroller-driver.ts) against the real app over
// the fake S3, on loopback: the coordinates ConfigMap created once the Bucket is Ready, put back in place
// when edited, deleted when the annotation goes, collected with its Bucket; a ConfigMap of that name the
// Bucket does not own left as it is, with and without the customize hook. Events on the stand-in.
import t, { type Test } from 'tap';
import { KubeApi } from '../../src/events/kube-api.js';
import { EventRecorder, REPORTING_CONTROLLER } from '../../src/events/recorder.js';
import { buildApp } from '../../src/http/app.js';
import { testDeps } from '../support/deps.js';
import { FakeS3 } from '../support/fake-s3.js';
import { KubeApiStandIn } from '../support/kube-api-stand-in.js';
import { MetacontrollerDriver, keyOf, type BucketObject } from '../support/metacontroller-driver.js';

const OPT_IN = { 's3.services.k8s.aws/coordinates-configmap': 'artifacts-s3' };
const condition = (o: BucketObject | undefined, type: string) => (o?.status?.conditions as Array<{ type: string; status: string; reason: string }> | undefined)?.find((c) => c.type === type);

async function setup(t: Test, customize: boolean) {
  const fake = new FakeS3();
  const standIn = new KubeApiStandIn();
  const api = new KubeApi({ url: await standIn.start(), timeoutMs: 2000 });
  const recorder = new EventRecorder({ api, controller: REPORTING_CONTROLLER, instance: 'pod-a' });
  const { log: _log, clock: _clock, ...deps } = testDeps(fake.factory());
  // The driver's clock is real (its own timestamps); the hook's is fixed, so its answers are stable.
  const app = buildApp({ deps, logger: false, events: recorder, addressing: { endpoint: 'http://127.0.0.1:7480', forcePathStyle: true } });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const driver = new MetacontrollerDriver({ syncUrl: `${address}/sync`, childResources: ['configmaps'], ...(customize ? { customizeUrl: `${address}/customize` } : {}) });
  t.teardown(async () => {
    await driver.close();
    await app.close();
    await recorder.close(100);
    api.close();
    await standIn.stop();
  });
  const settle = async (until: (d: MetacontrollerDriver) => boolean) => {
    const run = await driver.run({ until: (d) => d.idle() && until(d), maxMs: 10_000, pollMs: 10 });
    t.equal(run.reason, 'until', 'settled');
    await recorder.idle();
  };
  return { fake, standIn, driver, settle };
}

t.test('created once Ready, edited back in place, deleted when the annotation goes, collected with its Bucket', async (t) => {
  const { standIn, driver, settle } = await setup(t, true);
  const spec = { name: 'team-a-artifacts-7f3c' };
  const key = keyOf('team-a', driver.apply({ namespace: 'team-a', name: 'artifacts', spec, annotations: OPT_IN }).metadata.name);
  await settle((d) => condition(d.get(key), 'ConfigMapReady')?.reason === 'Published');
  const bucket = driver.get(key)!;
  const cm = driver.configMap('team-a', 'artifacts-s3');
  t.same(cm?.data, { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:7480', AWS_REGION: 'eu-west-1', BUCKET_ARN: 'arn:aws:s3:::team-a-artifacts-7f3c', BUCKET_NAME: 'team-a-artifacts-7f3c', BUCKET_URL: 'http://127.0.0.1:7480/team-a-artifacts-7f3c', S3_ADDRESSING_STYLE: 'path' });
  t.same(cm?.metadata.ownerReferences, [{ apiVersion: 's3.services.k8s.aws/v1alpha1', kind: 'Bucket', name: 'artifacts', uid: bucket.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  t.equal(cm?.metadata.labels?.['controller-uid'], bucket.metadata.uid);
  t.same(driver.childOperations.map((o) => o.op), ['create']);
  t.same(standIn.log(), ['POST Created', 'POST ConfigMapPublished']);
  t.same(driver.stats.violations, []);

  // Someone edits the ConfigMap: its watch event brings a (zero-cost) sync, whose answer puts it back in place.
  driver.editConfigMap('team-a', 'artifacts-s3', (c) => void (c.data = { BUCKET_NAME: 'wrong' }));
  await settle(() => driver.configMap('team-a', 'artifacts-s3')?.data?.BUCKET_NAME === 'team-a-artifacts-7f3c');
  t.same(standIn.log(), ['POST Created', 'POST ConfigMapPublished'], 'no new event for that');

  driver.apply({ namespace: 'team-a', name: 'artifacts', spec });
  await settle((d) => d.configMap('team-a', 'artifacts-s3') === undefined);
  t.equal(condition(driver.get(key), 'ConfigMapReady'), undefined, 'the condition goes with the annotation');
  driver.apply({ namespace: 'team-a', name: 'artifacts', spec, annotations: OPT_IN });
  await settle((d) => d.configMap('team-a', 'artifacts-s3') !== undefined && condition(d.get(key), 'ConfigMapReady')?.reason === 'Published');
  driver.delete(key);
  await settle((d) => d.get(key) === undefined);
  t.equal(driver.configMap('team-a', 'artifacts-s3'), undefined, 'gone with its Bucket');
  t.same(standIn.log(), ['POST Created', 'POST ConfigMapPublished', 'PATCH ConfigMapPublished 2', 'POST Deleted'], 'the second publication is the same event again: a series');
});

for (const customize of [true, false]) {
  t.test(`a ConfigMap of that name the Bucket does not own is left as it is (${customize ? 'with' : 'without'} the customize hook)`, async (t) => {
    const { standIn, driver, settle } = await setup(t, customize);
    const theirs = driver.createConfigMap('team-a', 'artifacts-s3', { owner: 'someone else' });
    const key = keyOf('team-a', driver.apply({ namespace: 'team-a', name: 'artifacts', spec: { name: 'team-a-artifacts-7f3c' }, annotations: OPT_IN }).metadata.name);
    const expected = customize ? 'ConfigMapNameTaken' : 'Requested';
    await settle((d) => condition(d.get(key), 'ConfigMapReady')?.reason === expected);
    t.same(driver.configMap('team-a', 'artifacts-s3'), theirs, 'untouched');
    const ops = [...new Set(driver.childOperations.map((o) => o.op))];
    t.same(ops, customize ? [] : ['exists'], customize ? 'never asked for' : 'asked for, and each Create found it there');
    t.same(standIn.log(), customize ? ['POST Created', 'POST ConfigMapNameTaken'] : ['POST Created']);
    t.match(condition(driver.get(key), 'ConfigMapReady'), { status: customize ? 'False' : 'Unknown' });
    driver.delete(key);
    await settle((d) => d.get(key) === undefined);
    t.same(driver.configMap('team-a', 'artifacts-s3'), theirs, 'not collected with the Bucket either');
  });
}
