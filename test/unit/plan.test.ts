// Plan, then approve (plan.ts): the rules as tables.
import t from 'tap';
import { approvalMode, approvedOnly, planOf, planPendingVerdict, writeKey, type PlannedCall } from '../../src/reconciler/rules/plan.js';
import { S3Error } from '../../src/s3/port.js';
import { bucketResource } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const B = 'team-a-artifacts-7f3c';
const create: PlannedCall = { operation: 'CreateBucket', bucket: B, input: { locationConstraint: 'eu-west-1', tags: [{ key: 'a', value: '1' }] } };
const tags: PlannedCall = {
  operation: 'PutBucketTagging',
  bucket: B,
  input: {
    tags: [
      { key: 'team', value: 'a' },
      { key: 'services.k8s.aws/uid', value: UID },
    ],
  },
};
const versioning: PlannedCall = { operation: 'PutBucketVersioning', bucket: B, input: { status: 'Enabled' } };
const objectLock: PlannedCall = { operation: 'PutObjectLockConfiguration', bucket: B, input: { objectLockEnabled: 'Enabled' } };
const dropCors: PlannedCall = { operation: 'DeleteBucketCors', bucket: B, input: {} };
const metricsItem: PlannedCall = { operation: 'PutBucketMetricsConfiguration', bucket: B, input: { id: 'all' } };
const emptyPage = (n: number): PlannedCall => ({ operation: 'DeleteObjects', bucket: B, input: { versions: [{ key: `k${n}`, versionId: 'v' }] } });
const abort: PlannedCall = { operation: 'AbortMultipartUpload', bucket: B, input: { key: 'big', uploadId: 'u1' } };
const del: PlannedCall = { operation: 'DeleteBucket', bucket: B, input: {} };

t.test('approvalMode: the annotation, the admin namespace list, and a bad value', async (t) => {
  const r = (annotations: Record<string, string> = {}, namespace = 'team-a') => bucketResource({ annotations, namespace });
  const cases: Array<[string, ReturnType<typeof r>, 'all' | string[] | undefined, string]> = [
    ['no annotation, no list', r(), undefined, 'off'],
    ['annotation required', r({ 's3.services.k8s.aws/approval': 'required' }), undefined, 'required'],
    ['annotation with blanks', r({ 's3.services.k8s.aws/approval': ' required ' }), undefined, 'required'],
    ['namespace listed', r({}, 'prod'), ['prod'], 'required'],
    ['namespace not listed', r({}, 'dev'), ['prod'], 'off'],
    ['every namespace', r({}, 'dev'), 'all', 'required'],
    ['a typo: no write, a clear condition', r({ 's3.services.k8s.aws/approval': 'requried' }), undefined, 'invalid'],
    ['"false" in a listed namespace cannot opt out', r({ 's3.services.k8s.aws/approval': 'false' }, 'prod'), ['prod'], 'invalid'],
  ];
  for (const [name, resource, namespaces, want] of cases) t.equal(approvalMode(resource, namespaces).kind, want, name);
  const bad = approvalMode(r({ 's3.services.k8s.aws/approval': 'requried' }), undefined);
  t.match(
    bad.kind === 'invalid' ? bad.message : '',
    /metadata\.annotations\["s3\.services\.k8s\.aws\/approval"\] is "requried"; the only value is "required".*Nothing was sent to S3\./,
  );
});

t.test('planOf: the writes in order, each with call, field and summary; emptying one step', async (t) => {
  const plan = planOf([create, tags, versioning, objectLock, dropCors, metricsItem, emptyPage(1), emptyPage(2), abort, del], { uid: UID, after: undefined });
  t.same(plan.shown.writes, [
    { call: 'CreateBucket', field: 'spec.name', summary: `create bucket "${B}" in eu-west-1, with 1 tags` },
    { call: 'PutBucketTagging', field: 'spec.tagging', summary: `set the tags to team=a, services.k8s.aws/uid=${UID}` },
    { call: 'PutBucketVersioning', field: 'spec.versioning', summary: 'set it to {"status":"Enabled"}' },
    { call: 'PutObjectLockConfiguration', field: 'spec.objectLockConfiguration', summary: 'set it to {"objectLockEnabled":"Enabled"}' },
    { call: 'DeleteBucketCors', field: 'spec.cors', summary: 'remove it (DeleteBucketCors)' },
    { call: 'PutBucketMetricsConfiguration', field: 'spec.metrics', summary: 'set it to {"id":"all"}' },
    {
      call: 'EmptyBucket',
      field: 'metadata.annotations["s3.services.k8s.aws/empty-on-delete"]',
      summary: `delete every object version, delete marker and unfinished upload in bucket "${B}" (empty-on-delete)`,
    },
    { call: 'DeleteBucket', field: 'spec.name', summary: `delete bucket "${B}"` },
  ]);
  t.match(plan.shown.hash, /^[0-9a-f]{16}$/);
  t.equal(plan.keys.length, 8);
  const long = planOf([{ operation: 'PutBucketPolicy', bucket: B, input: 'x'.repeat(500) }], { uid: UID, after: undefined });
  t.ok(long.shown.writes[0]!.summary.length < 220, 'a long value is cut in the summary');
  t.same(
    planOf([{ operation: 'PutBucketFancy', bucket: B, input: 1 }], { uid: UID, after: undefined }).shown.writes[0]?.field,
    'spec',
    'an operation without a field',
  );
});

t.test('the hash: deterministic, and it changes with any write, value, order, resource or applied plan', async (t) => {
  const h = (calls: PlannedCall[], uid = UID, after?: string) => planOf(calls, { uid, after }).shown.hash;
  const base = h([tags, versioning]);
  t.equal(h([tags, versioning]), base, 'same writes: same hash');
  t.equal(h([tags, { ...versioning, input: { status: 'Enabled' } }]), base, 'a fresh but equal value');
  t.equal(h([emptyPage(1), del]), h([emptyPage(7), emptyPage(8), del]), 'emptying: whatever the bucket holds');
  const differs: Array<[string, string]> = [
    ['another value', h([tags, { ...versioning, input: { status: 'Suspended' } }])],
    ['another order', h([versioning, tags])],
    ['one write fewer', h([versioning])],
    ['another resource', h([tags, versioning], '00000000-0000-4000-8000-000000000000')],
    ['after an applied plan', h([tags, versioning], UID, base)],
  ];
  for (const [name, hash] of differs) t.not(hash, base, name);
});

t.test('approvedOnly: only the approved writes, in order; skipping one is allowed; reads go through', async (t) => {
  const fake = new FakeS3();
  fake.seed(B, { tags: { team: 'a' } });
  const keys = planOf([tags, versioning, del], { uid: UID, after: undefined }).keys;
  const guard = approvedOnly(fake.factory(), keys);
  const port = guard.factory('eu-west-1');
  t.same(await port.getBucketTags(B), { team: 'a' });
  await port.putConfig('versioning', B, { status: 'Enabled' });
  await t.rejects(
    port.putBucketTags(B, [{ key: 'team', value: 'a' }]),
    { operation: 'PutBucketTagging', code: 'NotInApprovedPlan' },
    'an earlier step, after a later one: refused',
  );
  await t.rejects(port.putConfig('versioning', B, { status: 'Suspended' }), S3Error, 'another value: refused');
  t.same(fake.writes(), ['PutBucketVersioning'], 'the refused writes were not sent');
  t.same(guard.refused, ['PutBucketTagging', 'PutBucketVersioning']);
  await port.deleteBucket(B);
  t.same(fake.writes(), ['PutBucketVersioning', 'DeleteBucket']);
  await t.rejects(port.deleteBucket(B), S3Error, 'each step once');

  const emptying = approvedOnly(fake.factory(), planOf([emptyPage(1), del], { uid: UID, after: undefined }).keys).factory('eu-west-1');
  fake.seed(B, { tags: {} });
  await emptying.deleteObjectVersions(B, [{ key: 'x', versionId: 'v' }]);
  await emptying.deleteObjectVersions(B, [{ key: 'y', versionId: 'v' }]);
  await emptying.abortMultipartUpload(B, { key: 'big', uploadId: 'u' });
  await emptying.deleteBucket(B);
  await t.rejects(emptying.deleteObjectVersions(B, []), S3Error, 'no emptying after the delete');
  t.equal(writeKey(abort), writeKey(emptyPage(3)), 'every emptying call is the one step');
});

t.test('planPendingVerdict: Progressing, checked at the drift interval; the two commands; a stale approval named', async (t) => {
  const plan = planOf([versioning], { uid: UID, after: undefined }).shown;
  const v = planPendingVerdict(bucketResource({ annotations: { 's3.services.k8s.aws/approval': 'required' } }), plan);
  t.same(
    [v.ready.status, v.ready.reason, v.synced.reason, v.terminal, v.recoverable, v.resync],
    ['False', 'PlanPending', 'PlanPending', undefined, undefined, 'drift'],
  );
  t.equal(
    v.ready.message,
    `1 S3 write waits for approval (annotation s3.services.k8s.aws/approval: required): PutBucketVersioning (spec.versioning). Nothing was written. Read the plan: kubectl get bucket artifacts -o jsonpath='{.status.plan}'; approve exactly it: kubectl annotate --overwrite bucket artifacts s3.services.k8s.aws/approved-plan=${plan.hash}`,
  );
  const stale = planPendingVerdict(
    bucketResource({ namespace: 'prod', annotations: { 's3.services.k8s.aws/approved-plan': 'deadbeefdeadbeef' } }),
    plan,
    'S3 changed.',
  );
  t.match(
    stale.ready.message,
    /^S3 changed\. 1 S3 write waits for approval \(namespace prod is listed in APPROVAL_NAMESPACES\).*The annotation s3\.services\.k8s\.aws\/approved-plan=deadbeefdeadbeef does not name this plan/,
  );
});
