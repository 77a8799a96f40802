// A create interrupted half-way must still converge. On stores that ignore the tags sent with
// CreateBucket (Ceph RGW), a new bucket carries no ownership marks until the PutBucketTagging right after
// it. If that put fails (503, reset, deadline), or the CreateBucket's answer is lost after the store did
// the work, the next sync finds an unmarked bucket. It is the bucket this resource was creating, and the
// status it reported says so: it must be re-tagged and converge, not refused as NotOwned (terminal,
// never retried) as it was before.
import t from 'tap';
import { sync } from '../support/core.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { S3Error, type S3PortFactory } from '../../src/s3/port.js';
import { testDeps } from '../support/deps.js';
import { bucketResource, type BucketInput } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const SPEC = { name: NAME, versioning: { status: 'Enabled' } };

/**
 * The fake, behaving like RGW: CreateBucket drops the tags it was sent, and the port says so (the hook
 * trusts what it learned, and reads back nothing after its create). Optionally the create's answer is lost.
 */
function rgwLike(fake: FakeS3, options: { loseCreateAnswer?: boolean } = {}): S3PortFactory {
  return (region) => {
    const port = fake.port(region);
    return {
      ...port,
      createTagging: () => 'ignored',
      createBucket: async (input, signal) => {
        await port.createBucket(input, signal);
        const b = fake.buckets.get(input.bucket);
        if (b) b.tags = {};
        if (options.loseCreateAnswer) throw new S3Error('CreateBucket', 'ECONNRESET', 'transient', undefined);
      },
    };
  };
}

const reasons = (r: HookResponse) => Object.fromEntries((r.status.conditions ?? []).map((c) => [c.type, c.reason]));
const run = (s3: S3PortFactory, input: BucketInput = {}) => sync(bucketResource({ uid: UID, spec: SPEC, ...input }), testDeps(s3));
/** The first sync records the claim on the name (the reservation); the create is the second. */
const created = async (s3: S3PortFactory) => run(s3, { status: (await run(s3)).status });

t.test('CreateBucket done, the PutBucketTagging after it fails: the next sync re-tags and converges', async (t) => {
  const fake = new FakeS3();
  fake.fail('PutBucketTagging', { code: 'SlowDown', kind: 'throttled', status: 503, times: 1 });
  const first = await created(rgwLike(fake));
  t.same(reasons(first), { Ready: 'Throttled', 'ACK.ResourceSynced': 'Throttled', 'ACK.Recoverable': 'Throttled', Reconciling: 'Throttled' });
  t.same(fake.buckets.get(NAME)?.tags, {}, 'created, but unmarked');
  t.equal(first.status.ackResourceMetadata?.arn, `arn:aws:s3:::${NAME}`, 'the status reports the bucket it created');

  const second = await run(rgwLike(fake), { status: first.status });
  t.equal(reasons(second).Ready, 'Available', 'not NotOwned: this resource created it');
  t.equal(fake.buckets.get(NAME)?.tags['services.k8s.aws/uid'], UID, 'marked as ours now');
  t.equal(fake.versioningOf(NAME), 'Enabled');
  t.equal(fake.calls.filter((c) => c === 'CreateBucket').length, 1, 'created once');
});

t.test('... and the sync after that cannot read the tags (503): it keeps reporting the bucket, so a later sync still re-tags it', async (t) => {
  const fake = new FakeS3();
  fake.fail('PutBucketTagging', { code: 'SlowDown', kind: 'throttled', status: 503, times: 1 });
  const first = await created(rgwLike(fake));
  // Twice: the tags read first in place of HeadBucket (the name is claimed), then again after HeadBucket.
  fake.fail('GetBucketTagging', { code: 'SlowDown', kind: 'throttled', status: 503, times: 2 });
  const second = await run(rgwLike(fake), { status: first.status });
  t.equal(reasons(second)['ACK.Recoverable'], 'Throttled');
  t.equal(second.status.ackResourceMetadata?.arn, `arn:aws:s3:::${NAME}`, 'the ARN is not blanked by a failed read');
  const third = await run(rgwLike(fake), { status: second.status });
  t.equal(reasons(third).Ready, 'Available', 'not NotOwned');
  t.equal(fake.buckets.get(NAME)?.tags['services.k8s.aws/uid'], UID);
});

t.test('CreateBucket done but its answer lost: the next sync finds the bucket, re-tags it and converges', async (t) => {
  const fake = new FakeS3();
  const first = await created(rgwLike(fake, { loseCreateAnswer: true }));
  t.equal(reasons(first)['ACK.Recoverable'], 'S3Unavailable');
  t.ok((first.resyncAfterSeconds ?? 0) > 0);
  t.ok(fake.buckets.has(NAME), 'the store did create it');
  t.equal(first.status.ackResourceMetadata?.arn, `arn:aws:s3:::${NAME}`, 'the status names the bucket the create may have made');

  const second = await run(rgwLike(fake), { status: first.status });
  t.equal(reasons(second).Ready, 'Available');
  t.equal(fake.buckets.get(NAME)?.tags['services.k8s.aws/uid'], UID);
  t.equal(fake.calls.filter((c) => c === 'CreateBucket').length, 1, 'not created twice');
});

t.test('a failed CreateBucket that did not create: the next sync creates it; a hand-made bucket is still NotOwned', async (t) => {
  const fake = new FakeS3();
  fake.fail('CreateBucket', { code: 'InternalError', kind: 'transient', status: 500, times: 1 });
  const first = await created(rgwLike(fake));
  t.equal(reasons(first)['ACK.Recoverable'], 'S3Unavailable');
  t.notOk(fake.buckets.has(NAME));
  const second = await run(rgwLike(fake), { status: first.status });
  t.equal(reasons(second).Ready, 'Available');

  // Without a status naming the bucket, an unmarked bucket stays someone else's.
  const other = new FakeS3();
  other.seed(NAME, { tags: { owner: 'ops' } });
  const refused = await run(other.factory());
  t.equal(reasons(refused)['ACK.Terminal'], 'NotOwned');
  t.same(other.writes(), []);
});
