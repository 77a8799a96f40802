// The dry-run port: reads reach the (fake) S3, writes land in the plan only, and the plan is the ordered
// list of writes the same reconcile would make for real.
import t from 'tap';
import { finalize, sync } from '../support/core.js';
import { dryRun } from '../../src/s3/dry-run-port.js';
import { testDeps } from '../support/deps.js';
import { bucketResource } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const BUCKET = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };
const OWNER_TAGS = Object.entries(OURS).map(([key, value]) => ({ key, value }));
const SPEC = { name: BUCKET, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };
const reason = (conditions: Array<{ type: string; reason: string }> | undefined, type: string) => conditions?.find((c) => c.type === type)?.reason;

t.test('a new bucket: the plan is create, tags, versioning; nothing reaches S3 but the HeadBucket', async (t) => {
  const fake = new FakeS3();
  const dry = dryRun(fake.factory());
  const res = await sync(bucketResource({ spec: SPEC }), testDeps(dry.factory));
  const tags = [{ key: 'team', value: 'a' }, ...OWNER_TAGS, { key: 'services.k8s.aws/origin', value: 'created' }];
  t.same(dry.plan, [
    { operation: 'CreateBucket', bucket: BUCKET, input: { locationConstraint: 'eu-west-1', tags, extras: {} } },
    // The endpoint keeps the tags sent with CreateBucket (AWS), so the real run writes none after it: nor does the plan.
    { operation: 'PutBucketVersioning', bucket: BUCKET, input: { status: 'Enabled' } },
  ]);
  t.same(fake.calls, ['HeadBucket'], 'reads of the virtual bucket never reach S3');
  t.same(fake.writes(), []);
  t.equal(fake.buckets.size, 0);
  t.equal(reason(res.status.conditions, 'Ready'), 'Available', 'the status it would answer after applying');
});

t.test('drift: only the differing fields are planned, with their target values', async (t) => {
  const fake = new FakeS3();
  fake.seed(BUCKET, { tags: { team: 'z', ...OURS }, versioning: 'Suspended' });
  const dry = dryRun(fake.factory());
  await sync(bucketResource({ spec: SPEC }), testDeps(dry.factory));
  t.same(dry.plan, [
    { operation: 'PutBucketTagging', bucket: BUCKET, input: { tags: [{ key: 'team', value: 'a' }, ...OWNER_TAGS] } },
    { operation: 'PutBucketVersioning', bucket: BUCKET, input: { status: 'Enabled' } },
  ]);
  t.same(fake.calls.sort(), ['GetBucketTagging', 'GetBucketVersioning', 'HeadBucket'], 'observed for real');
  t.same(fake.writes(), []);
  t.equal(fake.versioningOf(BUCKET), 'Suspended', 'S3 unchanged');
  t.equal(fake.buckets.get(BUCKET)?.tags.team, 'z');
});

t.test('in sync: an empty plan', async (t) => {
  const fake = new FakeS3();
  fake.seed(BUCKET, { tags: { team: 'a', ...OURS }, versioning: 'Enabled' });
  const dry = dryRun(fake.factory());
  await sync(bucketResource({ spec: SPEC }), testDeps(dry.factory));
  t.same(dry.plan, []);
});

t.test('finalize: the delete is planned, not sent', async (t) => {
  const fake = new FakeS3();
  fake.seed(BUCKET, { tags: OURS });
  const dry = dryRun(fake.factory());
  const res = await finalize(bucketResource({ spec: SPEC, deletionTimestamp: '2026-11-24T12:00:00Z' }), testDeps(dry.factory));
  t.same(dry.plan, [{ operation: 'DeleteBucket', bucket: BUCKET, input: {} }]);
  t.equal(res.finalized, true);
  t.same(fake.calls, ['HeadBucket', 'GetBucketTagging']);
  t.ok(fake.buckets.has(BUCKET), 'the bucket is still there');
});

t.test('finalize of a bucket that is not ours plans nothing', async (t) => {
  const fake = new FakeS3();
  fake.seed(BUCKET, { tags: { owner: 'ops' } });
  const dry = dryRun(fake.factory());
  const res = await finalize(bucketResource({ spec: SPEC, deletionTimestamp: '2026-11-24T12:00:00Z' }), testDeps(dry.factory));
  t.same(dry.plan, []);
  t.equal(reason(res.status.conditions, 'Ready'), 'LeftInPlace');
});

t.test('the port: virtual buckets read as fresh ones, read errors pass through, every write is recorded', async (t) => {
  const fake = new FakeS3();
  fake.fail('GetBucketTagging', { code: 'AccessDenied', kind: 'access-denied', status: 403 });
  const dry = dryRun(fake.factory());
  const port = dry.factory('eu-west-1');
  t.equal(dry.factory('eu-west-1'), port, 'one port per region');
  await t.rejects(port.getBucketTags('real-one'), { code: 'AccessDenied' }, 'a real read fails for real');

  await port.createBucket({ bucket: 'virtual', locationConstraint: 'eu-west-1', tags: [] });
  t.same(await port.headBucket('virtual'), { kind: 'present' });
  t.same(await port.getBucketTags('virtual'), {});
  t.equal(await port.getConfig('versioning', 'virtual'), undefined);
  t.same(await port.listCollection('metrics', 'virtual'), []);
  await port.putConfig('cors', 'virtual', { corsRules: [{ allowedMethods: ['GET'], allowedOrigins: ['*'] }] });
  await port.deleteConfig('policy', 'virtual');
  await port.putCollectionItem('metrics', 'virtual', { id: 'all' });
  await port.deleteCollectionItem('analytics', 'virtual', 'old');
  await port.deleteBucket('virtual');
  t.same(await port.headBucket('virtual'), { kind: 'absent' }, 'deleted in the plan: gone');
  t.same(
    dry.plan.map((w) => [w.operation, w.input]),
    [
      ['CreateBucket', { locationConstraint: 'eu-west-1', tags: [] }],
      ['PutBucketCors', { corsRules: [{ allowedMethods: ['GET'], allowedOrigins: ['*'] }] }],
      ['DeleteBucketPolicy', {}],
      ['PutBucketMetricsConfiguration', { id: 'all' }],
      ['DeleteBucketAnalyticsConfiguration', { id: 'old' }],
      ['DeleteBucket', {}],
    ],
  );
  t.same(fake.calls, ['GetBucketTagging'], 'only the real read reached S3');
});

t.test('the plan holds copies: later changes to the inputs do not rewrite it', async (t) => {
  const dry = dryRun(new FakeS3().factory());
  const value: { status: 'Enabled' | 'Suspended' } = { status: 'Enabled' };
  await dry.factory('eu-west-1').putConfig('versioning', 'b', value);
  value.status = 'Suspended';
  t.same(dry.plan[0]?.input, { status: 'Enabled' });
});
