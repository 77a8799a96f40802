// Creating where the store does not keep the tags sent with CreateBucket (Ceph RGW), and where it refuses
// them (RGW in us-east-1). The stateless hook must never leave an unmarked bucket that no sync can
// recognise: on such stores the name is recorded in the status first and created at the next sync, so
// an interruption at any point after that (here: the process "dies" right after CreateBucket) heals. On
// AWS (tags land with the create) a create stays one sync, as before.
import t from 'tap';
import { sync } from '../support/core.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import type { S3PortFactory } from '../../src/s3/port.js';
import { testDeps } from '../support/deps.js';
import { bucketResource, type BucketInput } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const ARN = `arn:aws:s3:::${NAME}`;
const SPEC = { name: NAME, versioning: { status: 'Enabled' } };

const ready = (r: HookResponse) => r.status.conditions?.find((c) => c.type === 'Ready');
const run = (s3: S3PortFactory, input: BucketInput = {}) => sync(bucketResource({ uid: UID, spec: SPEC, ...input }), testDeps(s3));
const creates = (fake: FakeS3) => fake.calls.filter((c) => c === 'CreateBucket').length;

/** The fake's port, but the process "dies" right after the create went through: the caller never hears back. */
function dyingAfterCreate(fake: FakeS3): S3PortFactory {
  return (region) => {
    const port = fake.port(region);
    return {
      ...port,
      createBucket: async (input, signal) => {
        await port.createBucket(input, signal);
        throw new Error('SIGKILL');
      },
    };
  };
}

t.test('tags honoured at create (AWS): one sync creates, tags travel with CreateBucket, no reservation step', async (t) => {
  const fake = new FakeS3('me', 'honoured');
  const res = await run(fake.factory());
  t.equal(ready(res)?.reason, 'Available');
  t.same(fake.writes(), ['CreateBucket', 'PutBucketVersioning'], 'no PutBucketTagging: the tags came with the create');
  t.equal(fake.buckets.get(NAME)?.tags['services.k8s.aws/uid'], UID);
});

t.test('tags ignored at create (RGW): the first sync records the name and creates nothing; the next creates and tags', async (t) => {
  const fake = new FakeS3('me', 'ignored');
  const first = await run(fake.factory());
  t.same(fake.writes(), [], 'nothing written yet');
  t.same(fake.calls, ['HeadBucket']);
  t.equal(ready(first)?.status, 'False');
  t.equal(ready(first)?.reason, 'Creating');
  t.match(ready(first)?.message, /recorded in this status first/);
  t.equal(first.status.ackResourceMetadata?.arn, ARN, 'the name is claimed in the status');
  t.equal(first.resyncAfterSeconds, 0.2, 'the create follows once the claim is written');
  t.notOk(
    first.status.conditions?.some((c) => c.type === 'ACK.Terminal' || c.type === 'ACK.Recoverable'),
    'not a failure',
  );

  const second = await run(fake.factory(), { status: first.status });
  t.equal(ready(second)?.reason, 'Available');
  t.same(fake.writes(), ['CreateBucket', 'PutBucketTagging', 'PutBucketVersioning']);
  t.equal(fake.buckets.get(NAME)?.tags['services.k8s.aws/uid'], UID);
  t.equal(fake.tagging.get(), 'ignored', 'learned from the read-back');

  // A later bucket on the same endpoint: still two syncs, the memo says tags do not land.
  const other = await sync(
    bucketResource({ uid: 'a1b2c3d4-0000-4000-8000-000000000002', name: 'logs', spec: { name: 'team-a-logs-0b1c' } }),
    testDeps(fake.factory()),
  );
  t.equal(ready(other)?.reason, 'Creating');
});

t.test('a crash right after CreateBucket, before tagging and answering: the next sync recognises the bucket and converges', async (t) => {
  const fake = new FakeS3('me', 'ignored');
  const first = await run(fake.factory());
  await t.rejects(run(dyingAfterCreate(fake), { status: first.status }), /SIGKILL/);
  t.same(fake.buckets.get(NAME)?.tags, {}, 'created, unmarked: what RGW leaves behind');
  // Metacontroller never got an answer, so it calls again with the status it last wrote: the reservation.
  const again = await run(fake.factory(), { status: first.status });
  t.equal(ready(again)?.reason, 'Available', 'not NotOwned');
  t.equal(fake.buckets.get(NAME)?.tags['services.k8s.aws/uid'], UID);
  t.equal(creates(fake), 1, 'created once');
});

t.test("without the reservation in the status, an unmarked bucket is still someone else's", async (t) => {
  const fake = new FakeS3('me', 'ignored');
  fake.seed(NAME, { region: 'eu-west-1' });
  const res = await run(fake.factory());
  t.equal(res.status.conditions?.[0]?.reason, 'NotOwned');
  t.same(fake.writes(), []);
});

t.test('a reserved name taken by another account before the create: NameTaken, and the ARN is dropped', async (t) => {
  const taken = new FakeS3('me', 'ignored');
  const reserved = await run(taken.factory());
  taken.buckets.set(NAME, { owner: 'someone-else', region: 'eu-west-1', tags: {}, configs: {}, collections: {}, objects: 0 });
  const raced = await sync(bucketResource({ uid: UID, spec: SPEC, status: reserved.status }), testDeps(racingCreate(taken)));
  t.equal(raced.status.conditions?.[0]?.type, 'ACK.Terminal');
  t.equal(raced.status.conditions?.[0]?.reason, 'NameTaken');
  t.equal(reserved.status.ackResourceMetadata?.arn, ARN, 'reserved first');
  t.equal(raced.status.ackResourceMetadata?.arn, undefined, 'not ours: no ARN');
});

/** HeadBucket still says absent (the other account's create lands between HeadBucket and CreateBucket). */
function racingCreate(fake: FakeS3): S3PortFactory {
  return (region) => {
    const port = fake.port(region);
    return { ...port, headBucket: async () => ({ kind: 'absent' }) };
  };
}

t.test('tags refused at create (RGW in us-east-1): the create is retried without them once, then never sent with tags again', async (t) => {
  const fake = new FakeS3('me', 'refused');
  const first = await run(fake.factory());
  t.equal(ready(first)?.reason, 'Creating');
  const second = await run(fake.factory(), { status: first.status });
  t.equal(ready(second)?.reason, 'Available');
  t.equal(creates(fake), 2, 'refused with tags, then created without');
  t.equal(fake.tagging.get(), 'refused');
  t.equal(fake.buckets.get(NAME)?.tags['services.k8s.aws/uid'], UID, 'tagged by its own PutBucketTagging');

  const otherName = 'team-a-logs-0b1c';
  const otherUid = 'a1b2c3d4-0000-4000-8000-000000000002';
  const r1 = await sync(bucketResource({ uid: otherUid, name: 'logs', spec: { name: otherName } }), testDeps(fake.factory()));
  await sync(bucketResource({ uid: otherUid, name: 'logs', spec: { name: otherName }, status: r1.status }), testDeps(fake.factory()));
  t.equal(creates(fake), 3, 'the second bucket costs one CreateBucket: the fallback is remembered per endpoint');
});

t.test('an unknown endpoint that does keep the tags: the first create is reserved, later ones are one sync', async (t) => {
  const fake = new FakeS3('me', 'honoured', 'unknown');
  const first = await run(fake.factory());
  t.equal(ready(first)?.reason, 'Creating');
  const second = await run(fake.factory(), { status: first.status });
  t.equal(ready(second)?.reason, 'Available');
  t.equal(fake.tagging.get(), 'honoured');
  const other = await sync(
    bucketResource({ uid: 'a1b2c3d4-0000-4000-8000-000000000002', name: 'logs', spec: { name: 'team-a-logs-0b1c' } }),
    testDeps(fake.factory()),
  );
  t.equal(ready(other)?.reason, 'Available', 'one sync now');
});
