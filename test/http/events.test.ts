// Events and the coordinates ConfigMap through the real HTTP edge over the fake S3: each answer's events
// are queued after it is sent (a hanging API server never holds one), counted in
// bucket_hook_events_total; every answer of an opted-in Bucket (full, zero-cost, the deadline's,
// finalize) carries its ConfigMap; POST /customize names it; dry runs list both.
import t, { type Test } from 'tap';
import { KubeApi } from '../../src/events/kube-api.js';
import { EventRecorder, REPORTING_CONTROLLER } from '../../src/events/recorder.js';
import { buildApp } from '../../src/http/app.js';
import { createMetrics } from '../../src/http/metrics.js';
import type { BucketStatus, HookResponse } from '../../src/reconciler/model/resource.js';
import type { S3PortFactory } from '../../src/s3/port.js';
import { testDeps } from '../support/deps.js';
import { bucketResource, envelope, type BucketInput } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';
import { hangingFactory } from '../support/hanging-port.js';
import { KubeApiStandIn } from '../support/kube-api-stand-in.js';
import { ManualTimers, turns, until } from '../support/manual-timers.js';
import { parseSamples, valueOf } from '../support/prom-text.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const SPEC = { name: NAME, versioning: { status: 'Enabled' } };
const OPT_IN = { 's3.services.k8s.aws/coordinates-configmap': 'artifacts-s3' };
const deleting = { deletionTimestamp: '2026-11-24T12:00:00Z' };

async function setup(
  t: Test,
  options: { s3?: S3PortFactory; timeoutMs?: number; timers?: ManualTimers; addressing?: { endpoint: string | undefined; forcePathStyle: boolean } } = {},
) {
  const fake = new FakeS3();
  const standIn = new KubeApiStandIn();
  const url = await standIn.start();
  const api = new KubeApi({ url, timeoutMs: options.timeoutMs ?? 2000 });
  const metrics = createMetrics({ processMetrics: false });
  const recorder = new EventRecorder({ api, controller: REPORTING_CONTROLLER, instance: 'pod-a', onResult: metrics.event });
  const { log: _log, clock, ...deps } = testDeps(options.s3 ?? fake.factory());
  const app = buildApp({
    deps,
    logger: false,
    metrics,
    events: recorder,
    addressing: options.addressing,
    ...(options.timers ? { timers: options.timers, requestDeadlineMs: 1000 } : {}),
  });
  t.teardown(async () => {
    await app.close();
    await recorder.close(100);
    api.close();
    await standIn.stop();
  });
  const call = async (
    input: BucketInput,
    extra: { children?: unknown; related?: unknown; finalizing?: boolean; url?: string } = {},
  ): Promise<HookResponse & { events?: unknown; plan?: unknown }> => {
    const body = {
      ...envelope(bucketResource({ spec: SPEC, ...input }), extra.finalizing ?? false),
      ...(extra.children ? { children: extra.children } : {}),
      ...(extra.related ? { related: extra.related } : {}),
    };
    const res = await app.inject({ method: 'POST', url: extra.url ?? (extra.finalizing ? '/finalize' : '/sync'), payload: body });
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${res.body}`);
    return res.json();
  };
  const counted = async (result: string) => valueOf(parseSamples(await metrics.registry.metrics()), 'bucket_hook_events_total', { result });
  return { fake, standIn, recorder, app, call, counted, clock };
}

t.test('a create records Created; the echo and a quiet resync record nothing (counted)', async (t) => {
  const { standIn, recorder, call, counted } = await setup(t);
  const created = await call({ uid: UID });
  await recorder.idle();
  t.same(standIn.log(), ['POST Created']);
  t.match(standIn.list()[0], {
    reason: 'Created',
    type: 'Normal',
    action: 'Create',
    regarding: { kind: 'Bucket', namespace: 'team-a', name: 'artifacts', uid: UID, resourceVersion: '4718' },
  });
  for (let i = 0; i < 5; i++) await call({ uid: UID, status: created.status, keepLastCheck: true }); // echoes: the zero-cost answer
  for (let i = 0; i < 3; i++) await call({ uid: UID, status: created.status }); // full checks that find it in sync
  await recorder.idle();
  t.same(standIn.log(), ['POST Created'], '8 more calls, no event');
  t.equal(await counted('sent'), 1);
});

t.test('a hanging API server never holds an answer; its events fail after their timeout', async (t) => {
  const { standIn, recorder, call, counted, fake } = await setup(t, { timeoutMs: 200 });
  standIn.delayMs = 60_000;
  fake.seed(NAME, { owner: 'other' });
  const answers: string[] = [];
  for (const uid of ['u1', 'u2', 'u3']) answers.push((await call({ uid })).status.conditions?.find((c) => c.type === 'ACK.Terminal')?.reason ?? '');
  t.same(answers, ['NameTaken', 'NameTaken', 'NameTaken'], 'every answer came');
  await until(() => standIn.requests.length >= 1, 'the first event to reach the API server');
  t.same(
    standIn.requests.map((r) => r.answered),
    [false],
    'the API server has answered nothing yet, one request at a time',
  );
  await recorder.idle();
  t.equal(await counted('failed'), 3);
});

t.test('the coordinates ConfigMap: asked for once Ready, carried by the zero-cost answer, Published once Metacontroller reports it', async (t) => {
  const { standIn, recorder, call } = await setup(t, { addressing: { endpoint: 'http://127.0.0.1:7480', forcePathStyle: true } });
  const first = await call({ uid: UID, annotations: OPT_IN }, { children: { 'ConfigMap.v1': {} } });
  t.same(first.children, [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'artifacts-s3', namespace: 'team-a', labels: { 'app.kubernetes.io/managed-by': 'bucket-hook' } },
      data: {
        AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:7480',
        AWS_REGION: 'eu-west-1',
        BUCKET_ARN: `arn:aws:s3:::${NAME}`,
        BUCKET_NAME: NAME,
        BUCKET_URL: `http://127.0.0.1:7480/${NAME}`,
        S3_ADDRESSING_STYLE: 'path',
      },
    },
  ]);
  t.equal(first.status.conditions?.find((c) => c.type === 'ConfigMapReady')?.reason, 'Requested');
  const owned = {
    'ConfigMap.v1': {
      'artifacts-s3': { ...first.children[0], metadata: { ...first.children[0]!.metadata, ownerReferences: [{ uid: UID, controller: true }] } },
    },
  };
  // Metacontroller created it: the child's watch event brings a sync whose inputs are unchanged (zero-cost).
  const echo = await call({ uid: UID, annotations: OPT_IN, status: first.status, keepLastCheck: true }, { children: owned });
  t.same(echo.children, first.children, 'the zero-cost answer keeps it (or Metacontroller would delete it)');
  t.equal(echo.status.conditions?.find((c) => c.type === 'ConfigMapReady')?.reason, 'Published');
  const again = await call({ uid: UID, annotations: OPT_IN, status: echo.status, keepLastCheck: true }, { children: owned });
  t.strictSame(again.status, echo.status, 'then stable');
  await recorder.idle();
  t.same(standIn.log(), ['POST Created', 'POST ConfigMapPublished']);
  // Deleting: kept while finalize waits, gone once finalized.
  const fin = await call({ uid: UID, annotations: OPT_IN, status: echo.status, ...deleting }, { children: owned, finalizing: true });
  t.equal(fin.finalized, true);
  t.same(fin.children, []);
  await recorder.idle();
  t.same(standIn.log(), ['POST Created', 'POST ConfigMapPublished', 'POST Deleted']);
});

t.test('a ConfigMap of that name the Bucket does not own (seen through the customize hook): left alone, one Warning', async (t) => {
  const { standIn, recorder, call } = await setup(t);
  const related = {
    'ConfigMap.v1': {
      'artifacts-s3': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'artifacts-s3', namespace: 'team-a' }, data: { theirs: 'yes' } },
    },
  };
  const res = await call({ uid: UID, annotations: OPT_IN }, { related });
  t.same(res.children, []);
  t.equal(res.status.conditions?.find((c) => c.type === 'ConfigMapReady')?.reason, 'ConfigMapNameTaken');
  await call({ uid: UID, annotations: OPT_IN, status: res.status, keepLastCheck: true }, { related });
  await recorder.idle();
  t.same(standIn.log(), ['POST Created', 'POST ConfigMapNameTaken'], 'once, not per sync');
});

t.test('the deadline answer keeps the ConfigMap too', async (t) => {
  const fake = new FakeS3();
  const timers = new ManualTimers();
  const { call } = await setup(t, { s3: hangingFactory(fake, { methods: ['headBucket'] }), timers });
  const status: BucketStatus = {
    ackResourceMetadata: { region: 'eu-west-1', arn: `arn:aws:s3:::${NAME}` },
    conditions: [
      { type: 'ACK.ResourceSynced', status: 'True', reason: 'Synced', message: 'ok', lastTransitionTime: '2026-11-24T09:00:00Z' },
      { type: 'Ready', status: 'True', reason: 'Available', message: 'ok', lastTransitionTime: '2026-11-24T09:00:00Z' },
    ],
    observedGeneration: 1,
  };
  const owned = {
    'ConfigMap.v1': {
      'artifacts-s3': {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'artifacts-s3', namespace: 'team-a', ownerReferences: [{ uid: UID }] },
        data: {},
      },
    },
  };
  const pending = call({ uid: UID, annotations: OPT_IN, status }, { children: owned });
  await until(() => timers.pending().length === 2, 'the deadline to be set');
  timers.advance(1000);
  await turns();
  const res = await pending;
  t.equal(res.status.conditions?.find((c) => c.type === 'ACK.Recoverable')?.reason, 'DeadlineExceeded');
  t.same(
    res.children.map((c) => c.metadata.name),
    ['artifacts-s3'],
  );
});

t.test("POST /customize names the ConfigMap as a related object (after the role selection's Namespace and IAMRoleSelectors)", async (t) => {
  const { app } = await setup(t);
  const ask = (input: BucketInput, kind = 'Bucket') =>
    app.inject({ method: 'POST', url: '/customize', payload: { controller: {}, parent: { ...bucketResource(input), kind } } });
  t.same((await ask({ annotations: OPT_IN })).json(), {
    relatedResources: [
      { apiVersion: 'v1', resource: 'namespaces', names: ['team-a'] },
      { apiVersion: 'services.k8s.aws/v1alpha1', resource: 'iamroleselectors' },
      { apiVersion: 'v1', resource: 'configmaps', namespace: 'team-a', names: ['artifacts-s3'] },
    ],
  });
  t.same((await ask({})).json(), {
    relatedResources: [
      { apiVersion: 'v1', resource: 'namespaces', names: ['team-a'] },
      { apiVersion: 'services.k8s.aws/v1alpha1', resource: 'iamroleselectors' },
    ],
  });
  t.equal((await ask({}, 'Pod')).statusCode, 422);
});

t.test('a dry run lists the events and the children it would write, and records nothing', async (t) => {
  const { standIn, recorder, call } = await setup(t);
  const res = await call({ uid: UID, annotations: OPT_IN }, { url: '/sync?dryRun=true' });
  // This endpoint keeps the tags sent with CreateBucket (AWS-like): as in the real run, no tag write follows.
  t.same(res.events, [{ type: 'Normal', reason: 'Created', action: 'Create', note: `Created bucket "${NAME}" in eu-west-1; set spec.versioning.` }]);
  t.same(
    res.children.map((c) => `${c.kind}/${c.metadata.name}`),
    ['ConfigMap/artifacts-s3'],
  );
  await recorder.idle();
  t.same(standIn.requests, []);
});
