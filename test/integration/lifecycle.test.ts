// A Bucket's whole life through the real HTTP edge and SDK adapter against Ceph RGW on loopback.
import {
  CreateBucketCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  DeleteObjectCommand,
} from '@aws-sdk/client-s3';
import t from 'tap';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { withoutLastCheck } from '../support/envelope.js';
import { bucketExists, rgwHarness, uniqueBucket } from '../support/rgw.js';

const { env, mine, theirs, counter, post, once, track } = rgwHarness(t);
const deleting = { deletionTimestamp: '2026-11-24T12:00:00Z' };
const reason = (r: HookResponse, type: string) => r.status.conditions?.find((c) => c.type === type)?.reason;
const tagsOf = async (bucket: string): Promise<Record<string, string | undefined>> =>
  Object.fromEntries(
    ((await mine.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet ?? []).map((x): [string, string | undefined] => [x.Key ?? '', x.Value]),
  );
const versioningOf = async (bucket: string) => (await mine.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;
const exists = (bucket: string): Promise<boolean> => bucketExists(mine, bucket);

t.test('create, quiet resync, update, drift put back, delete', async (t) => {
  const name = uniqueBucket('life');
  track(name);
  const uid = '11111111-2222-4333-8444-555555555555';
  const spec = { name, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };
  const owner = {
    'services.k8s.aws/namespace': 'team-a',
    'services.k8s.aws/name': 'artifacts',
    'services.k8s.aws/uid': uid,
    'services.k8s.aws/origin': 'created',
  };

  // RGW drops the tags sent with CreateBucket (and refuses them in us-east-1): the first sync records the
  // name in the status, the next one creates. That costs one sync and one HeadBucket more than on AWS.
  counter.reset();
  const reserved = await once({ uid, spec }, false);
  t.equal(reason(reserved, 'Ready'), 'Creating');
  t.same(counter.calls, ['HeadBucket'], 'the reservation: one HeadBucket, no write');
  t.equal(reserved.status.ackResourceMetadata?.arn, `arn:aws:s3:::${name}`);
  t.equal(reserved.resyncAfterSeconds, 0.2, 'the create follows once the claim is written');
  counter.reset();
  const created = await post({ uid, spec, status: reserved.status });
  t.equal(reason(created, 'Ready'), 'Available');
  // In us-east-1 RGW refuses a create body that holds only Tags: the hook sends it once per process,
  // then creates without a body. Elsewhere the tags ride along (and are dropped). This is the app's first create.
  const creates = env.region === 'us-east-1' ? ['CreateBucket', 'CreateBucket'] : ['CreateBucket'];
  t.same(counter.writes(), [...creates, 'PutBucketTagging', 'PutBucketVersioning']);
  t.same(await tagsOf(name), { team: 'a', ...owner });
  t.equal(await versioningOf(name), 'Enabled');
  t.same(created.status.ackResourceMetadata, { region: env.region, arn: `arn:aws:s3:::${name}` });

  counter.reset();
  const quiet = await post({ uid, spec, status: created.status });
  t.same(
    counter.calls.sort(),
    ['GetBucketTagging', 'GetBucketVersioning'],
    'a quiet resync: k reads (the claimed bucket: its tags first, no HeadBucket), no write',
  );
  t.strictSame(withoutLastCheck(quiet.status), withoutLastCheck(created.status), 'status deep-equal: Metacontroller writes nothing');
  t.equal(quiet.resyncAfterSeconds, 600);

  counter.reset();
  const spec2 = {
    name,
    versioning: { status: 'Suspended' },
    tagging: {
      tagSet: [
        { key: 'team', value: 'a' },
        { key: 'env', value: 'prod' },
      ],
    },
  };
  const updated = await post({ uid, spec: spec2, generation: 2, status: quiet.status });
  t.same(counter.writes(), ['PutBucketTagging', 'PutBucketVersioning']);
  t.equal(await versioningOf(name), 'Suspended');
  t.same(await tagsOf(name), { team: 'a', env: 'prod', ...owner });
  t.equal(updated.status.observedGeneration, 2);
  counter.reset();
  await post({ uid, spec: spec2, generation: 2, status: updated.status });
  t.same(counter.writes(), [], 'the sync after an apply writes nothing');

  await mine.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }));
  await mine.send(new PutBucketTaggingCommand({ Bucket: name, Tagging: { TagSet: [{ Key: 'team', Value: 'z' }] } }));
  counter.reset();
  const healed = await post({ uid, spec: spec2, generation: 2, status: updated.status });
  t.same(counter.writes(), ['PutBucketTagging', 'PutBucketVersioning'], 'out-of-band drift is put back');
  t.equal(await versioningOf(name), 'Suspended');
  t.same(
    await tagsOf(name),
    { team: 'a', env: 'prod', ...owner },
    'ownership tags restored for the bucket this resource created (its status holds the claim, older than the bucket)',
  );
  // The corrections are remembered for the drift-loop guard (status.driftCorrections); the rest is as it was.
  const { driftCorrections, ...healedRest } = withoutLastCheck(healed.status);
  t.strictSame(healedRest, withoutLastCheck(updated.status));
  t.same(
    driftCorrections?.fields.map((f) => f.field),
    ['spec.tagging', 'spec.versioning'],
  );

  const gone = await post({ uid, spec: spec2, generation: 3, status: healed.status, ...deleting }, true);
  t.equal(gone.finalized, true);
  t.equal(await exists(name), false);
  const again = await post({ uid, spec: spec2, generation: 3, status: gone.status, ...deleting }, true);
  t.equal(again.finalized, true, 'finalize is idempotent once the bucket is gone');
});

t.test('a Bucket with only spec.name reaches Ready: what a create costs on RGW, counted', async (t) => {
  const name = uniqueBucket('plain');
  track(name);
  counter.reset();
  const res = await post({ spec: { name } });
  t.equal(reason(res, 'Ready'), 'Available');
  t.equal(reason(res, 'ACK.ResourceSynced'), 'Synced');
  // Reservation (HeadBucket), then the reserved name's tags (NoSuchBucket: HeadBucket's 404), CreateBucket
  // and the tags put: what RGW does with the create's tags (drops them; refuses them in us-east-1: one
  // CreateBucket now) was learned by the first test, so nothing is read back after the create.
  t.same(counter.calls, ['HeadBucket', 'GetBucketTagging', 'CreateBucket', 'PutBucketTagging']);
  t.comment(`${env.region}: a create cost ${counter.calls.length} S3 calls over 2 syncs`);
  t.same(res.status.ackResourceMetadata, { region: env.region, arn: `arn:aws:s3:::${name}` });
});

t.test('retain keeps the bucket and releases it: only the ownership tags are removed', async (t) => {
  const name = uniqueBucket('keep');
  track(name);
  await post({ spec: { name, tagging: { tagSet: [{ key: 'team', value: 'a' }] } } });
  counter.reset();
  const res = await post({ spec: { name }, annotations: { 'services.k8s.aws/deletion-policy': 'retain' }, ...deleting }, true);
  t.equal(res.finalized, true);
  t.equal(reason(res, 'Ready'), 'Retained');
  t.same(counter.writes(), ['PutBucketTagging'], 'no DeleteBucket');
  t.equal(await exists(name), true);
  t.same(await tagsOf(name), { team: 'a' }, "the user's tag stays");
});

t.test('a non-empty bucket is never emptied; deletion finishes once the user empties it', async (t) => {
  const name = uniqueBucket('full');
  track(name);
  await post({ spec: { name } });
  await mine.send(new PutObjectCommand({ Bucket: name, Key: 'report.csv', Body: 'a,b\n1,2\n' }));
  const blocked = await post({ spec: { name }, ...deleting }, true);
  t.equal(blocked.finalized, false);
  t.equal(reason(blocked, 'ACK.Recoverable'), 'BucketNotEmpty');
  t.ok((blocked.resyncAfterSeconds ?? 0) > 0, 'a backoff resync, no hot loop');
  t.equal(await exists(name), true);
  await mine.send(new DeleteObjectCommand({ Bucket: name, Key: 'report.csv' }));
  const done = await post({ spec: { name }, status: blocked.status, ...deleting }, true);
  t.equal(done.finalized, true);
  t.equal(await exists(name), false);
});

t.test('a name owned by another account: NameTaken, and finalize leaves it alone', async (t) => {
  const name = uniqueBucket('taken');
  await theirs.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: env.region as never } }));
  track(name, theirs);
  counter.reset();
  const res = await post({ spec: { name } });
  t.equal(reason(res, 'ACK.Terminal'), 'NameTaken');
  t.match(res.status.conditions?.find((c) => c.type === 'ACK.Terminal')?.message, /taken by another AWS account \(HeadBucket answered 403 Forbidden\)/);
  t.same(counter.writes(), []);
  const fin = await post({ spec: { name }, ...deleting }, true);
  t.equal(fin.finalized, true, 'the resource can be deleted');
  await theirs.send(new HeadBucketCommand({ Bucket: name }));
  t.pass('the other account still has its bucket');
});

t.test('an existing bucket of this account: NotOwned until adopted; finalize never deletes it unadopted', async (t) => {
  const name = uniqueBucket('adopt');
  track(name);
  await mine.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: env.region as never } }));
  await mine.send(new PutBucketTaggingCommand({ Bucket: name, Tagging: { TagSet: [{ Key: 'owner', Value: 'ops' }] } }));
  const refused = await post({ spec: { name, versioning: { status: 'Enabled' } } });
  t.equal(reason(refused, 'ACK.Terminal'), 'NotOwned');
  t.equal(await versioningOf(name), undefined, 'nothing written');
  // A crafted finalize body claiming this bucket: only the tags count.
  const crafted = await post({ spec: { name }, status: { ackResourceMetadata: { region: env.region, arn: `arn:aws:s3:::${name}` } }, ...deleting }, true);
  t.equal(crafted.finalized, true);
  t.equal(await exists(name), true, 'a bucket we did not create is never deleted');

  const adopted = await post({ spec: { name, versioning: { status: 'Enabled' } }, annotations: { 'services.k8s.aws/adoption-policy': 'adopt' } });
  t.equal(reason(adopted, 'Ready'), 'Available');
  t.equal(await versioningOf(name), 'Enabled');
  const tags = await tagsOf(name);
  t.equal(tags.owner, 'ops', 'unmanaged tags kept');
  t.equal(tags['services.k8s.aws/uid'], '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01');
});

t.test('read-only observes and never writes', async (t) => {
  const name = uniqueBucket('ro');
  const ro = { annotations: { 'services.k8s.aws/read-only': 'true' } };
  counter.reset();
  const missing = await post({ spec: { name }, ...ro });
  t.equal(reason(missing, 'ACK.Recoverable'), 'NotFound');
  t.equal(await exists(name), false, 'never created');
  await mine.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: env.region as never } }));
  track(name);
  const drift = await post({ spec: { name, versioning: { status: 'Enabled' } }, ...ro });
  t.equal(reason(drift, 'ACK.ResourceSynced'), 'ReadOnlyDrift');
  t.same(counter.writes(), []);
  t.equal(await versioningOf(name), undefined);
  const fin = await post({ spec: { name }, ...ro, ...deleting }, true);
  t.equal(fin.finalized, true);
  t.equal(await exists(name), true);
});

t.test('an invalid name is terminal without any S3 call', async (t) => {
  counter.reset();
  const res = await post({ spec: { name: 'xn--not-allowed' } });
  t.equal(reason(res, 'ACK.Terminal'), 'InvalidSpec');
  t.same(counter.calls, []);
});
