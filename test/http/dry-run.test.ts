// Dry-run requests through the HTTP edge: `?dryRun=true` or `X-Bucket-Hook-Dry-Run: true` observe S3 for
// real, write nothing, and answer the plan; without the marker the answer has exactly Metacontroller's fields.
import t from 'tap';
import { createMetrics } from '../../src/http/metrics.js';
import type { PlannedWrite } from '../../src/s3/dry-run-port.js';
import { testApp } from '../support/app.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const BUCKET = 'team-a-artifacts-7f3c';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01' };
const SPEC = { name: BUCKET, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };
const deleting = { deletionTimestamp: '2026-11-24T12:00:00Z' };

interface DryAnswer {
  status: { conditions: Array<{ type: string; reason: string }> };
  children: unknown[];
  resyncAfterSeconds?: number;
  finalized?: boolean;
  plan: PlannedWrite[];
  events: Array<{ type: string; reason: string; action: string; note: string }>;
}

const forms: Array<[string, { url: string; headers?: Record<string, string> }]> = [
  ['query', { url: '/sync?dryRun=true' }],
  ['header', { url: '/sync', headers: { 'x-bucket-hook-dry-run': 'true' } }],
  ['bare query flag', { url: '/sync?dryRun' }],
];

for (const [form, req] of forms) {
  t.test(`sync, ${form} form: the plan for a new bucket, and S3 untouched`, async (t) => {
    const fake = new FakeS3();
    const app = testApp(fake.factory());
    const res = await app.inject({ method: 'POST', ...req, payload: envelope(bucketResource({ spec: SPEC })) });
    t.equal(res.statusCode, 200);
    const body = res.json<DryAnswer>();
    t.same(Object.keys(body).sort(), ['children', 'events', 'plan', 'resyncAfterSeconds', 'status']);
    t.same(body.children, []);
    t.same(
      body.events,
      [{ type: 'Normal', reason: 'Created', action: 'Create', note: `Created bucket "${BUCKET}" in eu-west-1; set spec.versioning.` }],
      'the event it would record',
    );
    // The tags go with CreateBucket on this endpoint (AWS-like): the plan is the real run's writes.
    t.same(
      body.plan.map((w) => w.operation),
      ['CreateBucket', 'PutBucketVersioning'],
    );
    t.ok(body.plan.every((w) => w.bucket === BUCKET));
    t.same(body.plan[1]?.input, { status: 'Enabled' });
    t.equal(body.status.conditions.find((c) => c.type === 'Ready')?.reason, 'Available');
    t.same(fake.calls, ['HeadBucket']);
    t.equal(fake.buckets.size, 0, 'nothing created');
  });
}

t.test('finalize, query form: the delete is planned, the bucket stays', async (t) => {
  const fake = new FakeS3();
  fake.seed(BUCKET, { tags: OURS });
  const app = testApp(fake.factory());
  const res = await app.inject({ method: 'POST', url: '/finalize?dryRun=true', payload: envelope(bucketResource({ spec: SPEC, ...deleting }), true) });
  t.equal(res.statusCode, 200);
  const body = res.json<DryAnswer>();
  t.equal(body.finalized, true);
  t.same(body.plan, [{ operation: 'DeleteBucket', bucket: BUCKET, input: {} }]);
  t.same(fake.writes(), []);
  t.ok(fake.buckets.has(BUCKET));
});

t.test('finalize, header form, through /sync with finalizing: true', async (t) => {
  const fake = new FakeS3();
  fake.seed(BUCKET, { tags: OURS });
  const app = testApp(fake.factory());
  const res = await app.inject({
    method: 'POST',
    url: '/sync',
    headers: { 'X-Bucket-Hook-Dry-Run': 'TRUE' },
    payload: envelope(bucketResource({ spec: SPEC, ...deleting }), true),
  });
  t.same(
    res.json<DryAnswer>().plan.map((w) => w.operation),
    ['DeleteBucket'],
  );
  t.ok(fake.buckets.has(BUCKET));
});

t.test('without the marker (or with it false): no plan key, and the writes happen', async (t) => {
  for (const req of [{ url: '/sync' }, { url: '/sync?dryRun=false' }, { url: '/sync', headers: { 'x-bucket-hook-dry-run': 'false' } }]) {
    const fake = new FakeS3();
    const app = testApp(fake.factory());
    const res = await app.inject({ method: 'POST', ...req, payload: envelope(bucketResource({ spec: SPEC })) });
    t.same(Object.keys(res.json<object>()).sort(), ['children', 'resyncAfterSeconds', 'status'], `${JSON.stringify(req)}: Metacontroller's fields only`);
    // The fake keeps the tags sent with CreateBucket (as AWS does), so no separate tag write here.
    t.same(fake.writes(), ['CreateBucket', 'PutBucketVersioning']);
  }
});

t.test('a misspelt marker is refused before anything reaches S3', async (t) => {
  for (const req of [{ url: '/sync?dryRun=ture' }, { url: '/sync', headers: { 'x-bucket-hook-dry-run': 'yes please' } }]) {
    const fake = new FakeS3();
    const app = testApp(fake.factory());
    const res = await app.inject({ method: 'POST', ...req, payload: envelope(bucketResource({ spec: SPEC })) });
    t.equal(res.statusCode, 400);
    t.equal(res.json<{ code: string }>().code, 'HOOK_BAD_DRY_RUN');
    t.same(fake.calls, []);
  }
});

t.test('a repeated marker: any true wins', async (t) => {
  const fake = new FakeS3();
  const app = testApp(fake.factory());
  const res = await app.inject({ method: 'POST', url: '/sync?dryRun=true&dryRun=false', payload: envelope(bucketResource({ spec: SPEC })) });
  t.equal(res.json<DryAnswer>().plan.length, 2);
  t.same(fake.writes(), []);
});

t.test('either form saying true is enough', async (t) => {
  const fake = new FakeS3();
  const app = testApp(fake.factory());
  const res = await app.inject({
    method: 'POST',
    url: '/sync?dryRun=false',
    headers: { 'x-bucket-hook-dry-run': 'true' },
    payload: envelope(bucketResource({ spec: SPEC })),
  });
  t.equal(res.json<DryAnswer>().plan.length, 2);
  t.same(fake.writes(), []);
});

t.test('a dry run is not counted as a reconcile', async (t) => {
  const metrics = createMetrics({ processMetrics: false });
  const app = testApp(new FakeS3().factory(), { metrics });
  await app.inject({ method: 'POST', url: '/sync?dryRun=true', payload: envelope(bucketResource({ spec: SPEC })) });
  const text = await metrics.registry.metrics();
  t.notMatch(text, /bucket_hook_reconcile_outcomes_total\{/);
  // Only the error outcome's series, exported at 0 from the start (metrics.ts).
  t.notMatch(text, /bucket_hook_reconcile_duration_seconds_count\{(?![^}]*outcome="error")/);
  t.notMatch(text, /bucket_hook_reconcile_duration_seconds_count\{[^}]*\} [1-9]/);
});
