// Safety against Ceph RGW: finalize never deletes a bucket that is not marked as this resource's, whatever
// the request body claims; it never removes an object; a retained bucket survives (released: only the
// hook's ownership tags removed).
import {
  CreateBucketCommand,
  GetBucketTaggingCommand,
  ListObjectsV2Command,
  PutBucketTaggingCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import t from 'tap';
import type { BucketStatus, HookResponse } from '../../src/reconciler/model/resource.js';
import type { BucketInput } from '../support/envelope.js';
import { bucketExists, rgwHarness, uniqueBucket } from '../support/rgw.js';

if (process.env.SKIP_INTEGRATION === '1') t.plan(0, 'needs Ceph RGW (SKIP_INTEGRATION=1)');
else safetyTests();

function safetyTests(): void {
  const { env, mine, theirs, counter, post, track } = rgwHarness(t);

  const UID = '5afe0000-1111-4222-8333-444444444444';
  const OTHER_UID = '5afe0000-9999-4999-8999-999999999999';
  const deleting = { deletionTimestamp: '2026-11-24T12:00:00Z', generation: 2 };
  const reason = (r: HookResponse, type: string) => r.status.conditions?.find((c) => c.type === type)?.reason;
  /** The status a stolen or hand-written body could carry: "this bucket is mine and synced". */
  const claims = (bucket: string): BucketStatus => ({
    ackResourceMetadata: { region: env.region, arn: `arn:aws:s3:::${bucket}` },
    location: `/${bucket}`,
    observedGeneration: 1,
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Available', message: 'x', lastTransitionTime: '2026-11-24T09:00:00Z' },
      { type: 'ACK.ResourceSynced', status: 'True', reason: 'Synced', message: 'x', lastTransitionTime: '2026-11-24T09:00:00Z' },
    ],
  });

  const exists = bucketExists;
  const objectCount = async (client: S3Client, bucket: string) => (await client.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount ?? 0;
  const tagsOf = async (bucket: string): Promise<Record<string, string | undefined>> =>
    Object.fromEntries(
      ((await mine.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet ?? []).map((x): [string, string | undefined] => [x.Key ?? '', x.Value]),
    );
  async function madeBy(client: S3Client, prefix: string, tags?: Record<string, string>, objects = 0): Promise<string> {
    const bucket = uniqueBucket(prefix);
    await client.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: env.region as never } }));
    track(bucket, client);
    if (tags)
      await client.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } }));
    for (let i = 0; i < objects; i++) await client.send(new PutObjectCommand({ Bucket: bucket, Key: `keep-${i}.txt`, Body: `object ${i}` }));
    return bucket;
  }

  t.test("crafted finalize bodies never delete a bucket that is not marked as this resource's", async (t) => {
    const foreign = await madeBy(theirs, 'safe-foreign');
    const unmarked = await madeBy(mine, 'safe-unmarked', { owner: 'ops' }, 2);
    const emptyUnmarked = await madeBy(mine, 'safe-unmarked-empty');
    // A bucket that really belongs to another Bucket resource (same namespace/name, another uid: a
    // re-created resource must not delete its predecessor's bucket).
    const sibling = uniqueBucket('safe-sibling');
    track(sibling);
    t.equal(reason(await post({ uid: OTHER_UID, spec: { name: sibling } }, false), 'Ready'), 'Available');

    const crafted: Array<[string, string, BucketInput]> = [
      ["another account's bucket, status claiming it", foreign, { uid: UID, spec: { name: foreign }, status: claims(foreign) }],
      ['an unmarked bucket of ours, status claiming it', unmarked, { uid: UID, spec: { name: unmarked }, status: claims(unmarked) }],
      ['an empty unmarked bucket, status claiming it', emptyUnmarked, { uid: UID, spec: { name: emptyUnmarked }, status: claims(emptyUnmarked) }],
      ['the right namespace/name, another uid', sibling, { uid: UID, spec: { name: sibling }, status: claims(sibling) }],
      [
        'another uid with adoption annotations',
        sibling,
        { uid: UID, spec: { name: sibling }, annotations: { 'services.k8s.aws/adoption-policy': 'adopt', 'services.k8s.aws/deletion-policy': 'delete' } },
      ],
      [
        'no spec.name, adoption-fields naming it',
        sibling,
        {
          uid: UID,
          spec: {},
          annotations: { 'services.k8s.aws/adoption-fields': JSON.stringify({ name: sibling }), 'services.k8s.aws/adoption-policy': 'adopt' },
        },
      ],
      ["the owner's uid but read-only", sibling, { uid: OTHER_UID, spec: { name: sibling }, annotations: { 'services.k8s.aws/read-only': 'true' } }],
      [
        'a status naming another region',
        sibling,
        { uid: UID, spec: { name: sibling }, status: { ...claims(sibling), ackResourceMetadata: { region: 'ap-south-2', arn: `arn:aws:s3:::${sibling}` } } },
      ],
    ];
    for (const [label, bucket, input] of crafted) {
      counter.reset();
      const res = await post({ ...input, ...deleting }, true);
      t.equal(res.finalized, true, `${label}: the resource may go`);
      t.notOk(['Deleted'].includes(reason(res, 'Ready') ?? ''), `${label}: not reported as deleted (${reason(res, 'Ready')})`);
      t.notOk(counter.calls.includes('DeleteBucket'), `${label}: no DeleteBucket sent`);
      t.same(counter.writes(), [], `${label}: no write at all`);
      t.ok(await exists(bucket === foreign ? theirs : mine, bucket), `${label}: ${bucket} still exists`);
    }
    t.ok(await exists(theirs, foreign), 'the foreign bucket survives');
    t.ok(await exists(mine, unmarked), 'the unmarked bucket survives');
    t.equal(await objectCount(mine, unmarked), 2, 'its objects are untouched');
    t.ok(await exists(mine, emptyUnmarked), 'the empty unmarked bucket survives (emptiness is no licence)');
    t.ok(await exists(mine, sibling), "the other resource's bucket survives");
    t.same((await tagsOf(sibling))['services.k8s.aws/uid'], OTHER_UID, "and is still marked as the other resource's");

    // Its real owner may delete it.
    const own = await post({ uid: OTHER_UID, spec: { name: sibling }, ...deleting }, true);
    t.equal(reason(own, 'Ready'), 'Deleted');
    t.notOk(await exists(mine, sibling));
  });

  t.test('objects are never removed: a non-empty bucket of ours stays, finalize waits with BucketNotEmpty', async (t) => {
    const bucket = uniqueBucket('safe-full');
    track(bucket);
    await post({ uid: UID, spec: { name: bucket } }, false);
    for (let i = 0; i < 3; i++) await mine.send(new PutObjectCommand({ Bucket: bucket, Key: `data/${i}.csv`, Body: 'a,b\n' }));
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await post({ uid: UID, spec: { name: bucket }, ...deleting }, true);
      t.equal(res.finalized, false);
      t.equal(reason(res, 'ACK.Recoverable'), 'BucketNotEmpty');
    }
    t.equal(await objectCount(mine, bucket), 3, 'all three objects are still there');
    t.ok(
      counter.calls.every((c) => !/Object/.test(c)),
      'the hook sent no object call at all',
    );
  });

  t.test('a retained bucket survives, with its objects, and the resource goes', async (t) => {
    const bucket = uniqueBucket('safe-retain');
    track(bucket);
    await post({ uid: UID, spec: { name: bucket } }, false);
    await mine.send(new PutObjectCommand({ Bucket: bucket, Key: 'x', Body: 'x' }));
    const annotations = { 'services.k8s.aws/deletion-policy': 'retain' };
    await mine.send(
      new PutBucketTaggingCommand({
        Bucket: bucket,
        Tagging: { TagSet: [...Object.entries(await tagsOf(bucket)).map(([Key, Value]) => ({ Key, Value })), { Key: 'cost-center', Value: '42' }] },
      }),
    );
    counter.reset();
    const res = await post({ uid: UID, spec: { name: bucket }, annotations, ...deleting }, true);
    t.equal(res.finalized, true);
    t.equal(reason(res, 'Ready'), 'Retained');
    t.same(counter.writes(), ['PutBucketTagging'], 'retain releases the bucket: one tag write, no DeleteBucket, no object call');
    t.ok(await exists(mine, bucket));
    t.equal(await objectCount(mine, bucket), 1);
    t.same(await tagsOf(bucket), { 'cost-center': '42' }, "only the hook's ownership tags were removed");
  });

  t.test("crafted sync bodies write nothing to a foreign or another resource's bucket", async (t) => {
    const foreign = await madeBy(theirs, 'safe-foreign-sync');
    const sibling = await madeBy(mine, 'safe-sibling-sync', {
      'services.k8s.aws/namespace': 'team-a',
      'services.k8s.aws/name': 'artifacts',
      'services.k8s.aws/uid': OTHER_UID,
    });
    for (const bucket of [foreign, sibling]) {
      counter.reset();
      const res = await post({ uid: UID, spec: { name: bucket, versioning: { status: 'Enabled' } }, status: claims(bucket) }, false);
      t.equal(reason(res, 'ACK.Terminal'), bucket === foreign ? 'NameTaken' : 'ManagedElsewhere', `${bucket}: ${reason(res, 'ACK.Terminal')}`);
      t.same(counter.writes(), [], 'no write');
    }
    t.same((await tagsOf(sibling))['services.k8s.aws/uid'], OTHER_UID);
  });
}
