// GET /metrics: Prometheus text from the app's own registry, fed by the hook routes and by the S3
// adapter's per-request callback.
import t from 'tap';
import { createMetrics, outcomeOf } from '../../src/http/metrics.js';
import type { Timers } from '../../src/http/timers.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { testApp } from '../support/app.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';
import { ManualTimers } from '../support/manual-timers.js';
import { byLabels, parseSamples, valueOf } from '../support/prom-text.js';

const BUCKET = 'team-a-artifacts-7f3c';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01' };
const deleting = { deletionTimestamp: '2026-11-24T12:00:00Z' };

/** A clock that reads `stepMs` later each time it is read: a reconcile (read at its start and its end) takes `stepMs`. */
function steppingClock(stepMs: number): Timers {
  const timers = new ManualTimers();
  let now = 0;
  return { now: () => (now += stepMs), setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout };
}

t.test('/metrics is open Prometheus text with process metrics', async (t) => {
  const app = testApp(new FakeS3().factory());
  const res = await app.inject({ url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const samples = parseSamples(res.body);
  t.ok(
    samples.some((s) => s.name === 'process_cpu_user_seconds_total'),
    "collectDefaultMetrics on the app's registry",
  );
  t.ok(samples.some((s) => s.name === 'nodejs_heap_size_used_bytes'));
  t.match(res.body, /# TYPE bucket_hook_reconcile_duration_seconds histogram/);
  t.match(res.body, /# TYPE bucket_hook_reconcile_outcomes_total counter/);
  t.match(res.body, /# TYPE bucket_hook_s3_requests_total counter/);
  t.equal((await app.inject({ method: 'POST', url: '/metrics', payload: {} })).statusCode, 404, 'GET only');
});

t.test('each app has its own registry', async (t) => {
  const fake = new FakeS3();
  const a = testApp(fake.factory());
  const b = testApp(fake.factory());
  await a.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource({ spec: { name: BUCKET } })) });
  const inA = parseSamples((await a.inject({ url: '/metrics' })).body);
  const inB = parseSamples((await b.inject({ url: '/metrics' })).body);
  t.equal(valueOf(inA, 'bucket_hook_reconcile_outcomes_total', { hook: 'sync', reason: 'Synced' }), 1);
  t.equal(valueOf(inB, 'bucket_hook_reconcile_outcomes_total', { hook: 'sync', reason: 'Synced' }), undefined);
});

t.test('reconciles are timed and counted by outcome class and ACK.ResourceSynced reason', async (t) => {
  const fake = new FakeS3();
  fake.seed('shared-reports-4d1a', { owner: 'another-account' });
  fake.seed('flaky-bucket-1a2b', { tags: { ...OURS, 'services.k8s.aws/name': 'flaky' } });
  const metrics = createMetrics({ processMetrics: false });
  const app = testApp(fake.factory(), { metrics, timers: steppingClock(200) });
  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload });

  await post('/sync', envelope(bucketResource({ spec: { name: BUCKET } }))); // created: Synced
  await post('/sync', envelope(bucketResource({ spec: { name: BUCKET } }))); // in sync: Synced
  await post('/sync', envelope(bucketResource({ spec: { name: 'Bad_Name' } }))); // InvalidSpec
  await post('/sync', envelope(bucketResource({ spec: { name: 'shared-reports-4d1a' } }))); // NameTaken
  fake.fail('GetBucketTagging', { code: 'SlowDown', kind: 'throttled', status: 503, times: 1 });
  await post('/sync', envelope(bucketResource({ name: 'flaky', spec: { name: 'flaky-bucket-1a2b' } }))); // Throttled
  await post('/finalize', envelope(bucketResource({ spec: { name: BUCKET }, ...deleting }), true)); // Deleted
  await post('/sync', envelope({ ...bucketResource(), apiVersion: 'v1', kind: 'Pod' })); // 422: not a reconcile

  const samples = parseSamples(await metrics.registry.metrics());
  t.same(byLabels(samples, 'bucket_hook_reconcile_outcomes_total', ['hook', 'reason']), {
    'sync Synced': 2,
    'sync InvalidSpec': 1,
    'sync NameTaken': 1,
    'sync Throttled': 1,
    'finalize Deleted': 1,
  });
  t.same(byLabels(samples, 'bucket_hook_reconcile_duration_seconds_count', ['hook', 'outcome']), {
    'sync synced': 2,
    'sync terminal': 2,
    'sync recoverable': 1,
    'finalize finalized': 1,
    'sync error': 0,
    'finalize error': 0,
  });
  // Every reconcile took 200 ms on the stepping clock: observed as 0.2 s.
  t.equal(
    valueOf(samples, 'bucket_hook_reconcile_duration_seconds_sum', { hook: 'sync', outcome: 'synced' }),
    0.4,
    'two reconciles of 200 ms: durations are in seconds',
  );
  t.equal(valueOf(samples, 'bucket_hook_reconcile_duration_seconds_sum', { hook: 'finalize', outcome: 'finalized' }), 0.2);
  t.equal(valueOf(samples, 'bucket_hook_reconcile_duration_seconds_bucket', { hook: 'sync', outcome: 'synced', le: '0.1' }), 0, 'none under 0.1 s');
  t.equal(valueOf(samples, 'bucket_hook_reconcile_duration_seconds_bucket', { hook: 'sync', outcome: 'synced', le: '0.25' }), 2, 'both under 0.25 s');
  t.equal(valueOf(samples, 'bucket_hook_reconcile_duration_seconds_bucket', { hook: 'sync', outcome: 'synced', le: '+Inf' }), 2);
});

t.test('a bug is timed with outcome error', async (t) => {
  const metrics = createMetrics({ processMetrics: false });
  const app = testApp(
    () => {
      throw new TypeError('boom');
    },
    { metrics },
  );
  t.equal((await app.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource()) })).statusCode, 500);
  const samples = parseSamples(await metrics.registry.metrics());
  t.equal(valueOf(samples, 'bucket_hook_reconcile_duration_seconds_count', { hook: 'sync', outcome: 'error' }), 1);
  t.same(byLabels(samples, 'bucket_hook_reconcile_outcomes_total', ['reason']), {}, 'no reason: nothing was answered');
});

t.test('the error outcome is exported at 0 before any error, so that increase() sees the first one', async (t) => {
  const samples = parseSamples(await createMetrics({ processMetrics: false }).registry.metrics());
  t.same(byLabels(samples, 'bucket_hook_reconcile_duration_seconds_count', ['hook', 'outcome']), { 'sync error': 0, 'finalize error': 0 });
  t.equal(valueOf(samples, 'bucket_hook_reconcile_duration_seconds_bucket', { hook: 'sync', outcome: 'error', le: '+Inf' }), 0);
});

t.test('the S3 request callback counts by operation and result', async (t) => {
  const metrics = createMetrics({ processMetrics: false });
  metrics.s3Request('HeadBucket', '200');
  metrics.s3Request('HeadBucket', '200');
  metrics.s3Request('HeadBucket', 'NotFound');
  metrics.s3Request('PutBucketTagging', 'SlowDown');
  const app = testApp(new FakeS3().factory(), { metrics });
  const samples = parseSamples((await app.inject({ url: '/metrics' })).body);
  t.same(byLabels(samples, 'bucket_hook_s3_requests_total', ['operation', 'result']), {
    'HeadBucket 200': 2,
    'HeadBucket NotFound': 1,
    'PutBucketTagging SlowDown': 1,
  });
  t.notOk(
    samples.some((s) => s.name.startsWith('process_')),
    'processMetrics: false',
  );
});

t.test('outcome classes', async (t) => {
  const condition = (type: string, status: 'True' | 'False', reason: string) => ({
    type,
    status,
    reason,
    message: '',
    lastTransitionTime: '2026-11-24T10:00:00Z',
  });
  const answer = (conditions: ReturnType<typeof condition>[], finalized?: boolean): HookResponse => ({
    status: { conditions },
    children: [],
    ...(finalized === undefined ? {} : { finalized }),
  });
  const table: Array<[string, HookResponse, string]> = [
    ['in sync', answer([condition('Ready', 'True', 'Available'), condition('ACK.ResourceSynced', 'True', 'Synced')]), 'synced'],
    ['read-only drift', answer([condition('Ready', 'True', 'Available'), condition('ACK.ResourceSynced', 'False', 'ReadOnlyDrift')]), 'unsynced'],
    ['terminal', answer([condition('ACK.ResourceSynced', 'False', 'NotOwned'), condition('ACK.Terminal', 'True', 'NotOwned')]), 'terminal'],
    ['recoverable', answer([condition('ACK.ResourceSynced', 'False', 'Throttled'), condition('ACK.Recoverable', 'True', 'Throttled')]), 'recoverable'],
    ['finalized', answer([condition('ACK.ResourceSynced', 'False', 'Deleted')], true), 'finalized'],
    [
      'waiting to finalize',
      answer([condition('ACK.ResourceSynced', 'False', 'BucketNotEmpty'), condition('ACK.Recoverable', 'True', 'BucketNotEmpty')], false),
      'recoverable',
    ],
    ['no conditions', { status: {}, children: [] }, 'unsynced'],
  ];
  for (const [label, response, outcome] of table) t.equal(outcomeOf(response), outcome, label);
});
