// The finalize core: deletes only our bucket, only with policy delete, never objects.
import t from 'tap';
import { finalize } from '../support/core.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { FakeS3 } from '../support/fake-s3.js';
import { bucketResource, type BucketInput } from '../support/envelope.js';
import { testDeps } from '../support/deps.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };
const DELETING = { deletionTimestamp: '2026-11-24T10:00:00Z', generation: 3 };

function ready(res: HookResponse): string {
  const c = res.status.conditions?.find((x) => x.type === 'Ready');
  return `${c?.status}/${c?.reason}`;
}

async function run(fake: FakeS3, input: BucketInput = {}, deletionPolicy: 'delete' | 'retain' = 'delete') {
  const deps = testDeps(fake.factory());
  deps.defaults.deletionPolicy = deletionPolicy;
  return finalize(bucketResource({ spec: { name: NAME }, ...DELETING, ...input }), deps);
}

t.test('deletes our empty bucket and finalizes', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS });
  const res = await run(fake);
  t.equal(res.finalized, true);
  t.notOk(fake.buckets.has(NAME));
  t.equal(ready(res), 'False/Deleted');
  t.equal(res.resyncAfterSeconds, undefined);
  t.equal(res.status.observedGeneration, 3);
});

t.test('already gone: finalized', async (t) => {
  const fake = new FakeS3();
  const res = await run(fake);
  t.equal(res.finalized, true);
  t.same(fake.writes(), []);
});

t.test('a non-empty bucket is never emptied: not finalized, clear condition, backoff', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS, objects: 3 });
  const res = await run(fake);
  t.equal(res.finalized, false);
  t.equal(fake.buckets.get(NAME)!.objects, 3);
  const rec = res.status.conditions?.find((c) => c.type === 'ACK.Recoverable');
  t.equal(rec?.reason, 'BucketNotEmpty');
  t.match(
    rec?.message,
    /still holds objects, so it was not deleted .*deletes no object unless the Bucket opts in.*s3\.services\.k8s\.aws\/empty-on-delete=true.*services\.k8s\.aws\/deletion-policy: retain/,
  );
  t.equal(ready(res), 'False/Deleting');
  t.equal(res.resyncAfterSeconds, 5);
  // Emptied by the user: the next call finishes.
  fake.buckets.get(NAME)!.objects = 0;
  const again = await run(fake, { status: res.status });
  t.equal(again.finalized, true);
  t.notOk(fake.buckets.has(NAME));
});

t.test('retain: finalized, bucket kept and released (annotation over default, default too)', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS });
  fake.buckets.get(NAME)!.tags = { ...OURS, team: 'a' };
  const byAnnotation = await run(fake, { annotations: { 'services.k8s.aws/deletion-policy': 'retain' } });
  t.equal(byAnnotation.finalized, true);
  t.equal(ready(byAnnotation), 'False/Retained');
  t.same(fake.buckets.get(NAME)!.tags, { team: 'a' }, 'released: only the ownership tags removed');
  t.match(byAnnotation.status.conditions?.at(-1)?.message, /kept \(deletion policy retain\) and released/);
  fake.buckets.get(NAME)!.tags = OURS;
  const byDefault = await run(fake, {}, 'retain');
  t.equal(byDefault.finalized, true);
  t.same(fake.buckets.get(NAME)!.tags, {}, 'no other tags: the tag set is deleted');
  t.equal(fake.calls.at(-1), 'DeleteBucketTagging');
  fake.buckets.get(NAME)!.tags = OURS;
  const overridden = await run(fake, { annotations: { 'services.k8s.aws/deletion-policy': 'delete' } }, 'retain');
  t.equal(overridden.finalized, true);
  t.same(
    fake.calls.filter((c) => c === 'DeleteBucket'),
    ['DeleteBucket'],
    'only the explicit delete annotation deleted',
  );
  t.notOk(fake.buckets.has(NAME));
});

t.test('a bucket that is not ours is left in place, whatever the body claims', async (t) => {
  const cases: Array<[string, Record<string, string>, string]> = [
    ['hand-made bucket', { owner: 'ops' }, 'no ownership tags'],
    ['another resource', { ...OURS, 'services.k8s.aws/uid': 'other' }, 'tags name another Bucket resource'],
  ];
  for (const [label, tags, why] of cases) {
    // (no uid of another resource ever reaches a message: checked below)
    const fake = new FakeS3();
    fake.seed(NAME, { tags });
    // A crafted body: status claims the bucket is ours and synced.
    const res = await run(fake, {
      status: {
        ackResourceMetadata: { region: 'eu-west-1', arn: `arn:aws:s3:::${NAME}` },
        conditions: [{ type: 'ACK.ResourceSynced', status: 'True', reason: 'Synced', message: '', lastTransitionTime: '2026-11-24T09:00:00Z' }],
      },
    });
    t.equal(res.finalized, true, label);
    t.ok(fake.buckets.has(NAME), `${label}: still there`);
    t.same(fake.writes(), [], `${label}: no write`);
    t.match(res.status.conditions?.at(-1)?.message, new RegExp(why), label);
    t.notMatch(res.status.conditions?.at(-1)?.message, /uid/, `${label}: no uid in the message`);
  }
  const foreign = new FakeS3();
  foreign.seed(NAME, { owner: 'another-account', tags: OURS });
  const res = await run(foreign);
  t.equal(res.finalized, true, 'foreign account: let the resource go');
  t.ok(foreign.buckets.has(NAME));
});

t.test('read-only resources never delete', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS });
  const res = await run(fake, { annotations: { 'services.k8s.aws/read-only': 'true' } });
  t.equal(res.finalized, true);
  t.same(fake.calls, []);
  t.ok(fake.buckets.has(NAME));
});

t.test('an invalid deletion policy keeps the bucket and the finalizer', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS });
  const res = await run(fake, { annotations: { 'services.k8s.aws/deletion-policy': 'retian' } });
  t.equal(res.finalized, false);
  t.same(fake.calls, []);
  t.equal(res.status.conditions?.find((c) => c.type === 'ACK.Terminal')?.reason, 'InvalidDeletionPolicy');
});

t.test('an invalid name means nothing was created: finalized without S3 calls', async (t) => {
  const fake = new FakeS3();
  const res = await run(fake, { spec: { name: 'Bad_Name' } });
  t.equal(res.finalized, true);
  t.same(fake.calls, []);
});

t.test('S3 failures keep the finalizer and back off', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS });
  fake.fail('DeleteBucket', { code: 'AccessDenied', kind: 'access-denied', status: 403 });
  const res = await run(fake);
  t.equal(res.finalized, false);
  t.ok(fake.buckets.has(NAME));
  t.equal(res.status.conditions?.find((c) => c.type === 'ACK.Recoverable')?.reason, 'AccessDenied');
  t.equal(res.resyncAfterSeconds, 5);
  fake.fail('HeadBucket', { code: 'InternalError', kind: 'transient', status: 500 });
  const res2 = await run(fake);
  t.equal(res2.finalized, false);
  t.equal(res2.status.conditions?.find((c) => c.type === 'ACK.Recoverable')?.reason, 'S3Unavailable');
});
