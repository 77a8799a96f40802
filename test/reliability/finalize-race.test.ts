// Two finalize calls racing (two replicas, or a retried call still in flight): the other one deletes the
// bucket between this call's HeadBucket and its next request. Whichever request meets NoSuchBucket, the
// bucket is gone, which is what finalize wants: finalized now, not a retry with a "BucketGone ... the next
// sync creates it again" condition.
import t from 'tap';
import { finalize } from '../support/core.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import type { S3PortFactory } from '../../src/s3/port.js';
import { testDeps } from '../support/deps.js';
import { bucketResource } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };

/** The other replica deletes the bucket right after this call's `after` request. */
function racing(fake: FakeS3, after: 'headBucket' | 'getBucketTags'): S3PortFactory {
  return (region) => {
    const port = fake.port(region);
    return {
      ...port,
      headBucket: async (bucket, signal) => {
        const presence = await port.headBucket(bucket, signal);
        if (after === 'headBucket') fake.buckets.delete(bucket);
        return presence;
      },
      getBucketTags: async (bucket, signal) => {
        const tags = await port.getBucketTags(bucket, signal);
        if (after === 'getBucketTags') fake.buckets.delete(bucket);
        return tags;
      },
    };
  };
}

const reasons = (r: HookResponse) => Object.fromEntries((r.status.conditions ?? []).map((c) => [c.type, c.reason]));

for (const after of ['headBucket', 'getBucketTags'] as const) {
  t.test(`the bucket vanishes after ${after}: finalized, Deleted`, async (t) => {
    const fake = new FakeS3();
    fake.seed(NAME, { tags: OURS });
    const res = await finalize(
      bucketResource({ uid: UID, spec: { name: NAME }, generation: 3, deletionTimestamp: '2026-11-24T10:00:00Z' }),
      testDeps(racing(fake, after)),
    );
    t.equal(res.finalized, true);
    t.match(reasons(res), { Ready: 'Deleted', 'ACK.ResourceSynced': 'Deleted' }, 'Ready and Synced say Deleted');
    t.equal(res.resyncAfterSeconds, undefined);
  });
}
