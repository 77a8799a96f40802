// The sync core against the fake S3: assert the resulting status and S3 state, not the call order.
import t from 'tap';
import { sync } from '../support/core.js';
import type { BucketStatus, Condition, HookResponse } from '../../src/reconciler/model/resource.js';
import { FakeS3 } from '../support/fake-s3.js';
import { bucketResource, withoutLastCheck, type BucketInput } from '../support/envelope.js';
import { testDeps } from '../support/deps.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };
/** The ownership tags with how the bucket became the resource's (the origin tag, issue 23). */
const CREATED = { ...OURS, 'services.k8s.aws/origin': 'created' };
const ADOPTED = { ...OURS, 'services.k8s.aws/origin': 'adopted' };
const SPEC = { name: NAME, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };

function cond(response: HookResponse, type: string): Condition | undefined {
  return response.status.conditions?.find((c) => c.type === type);
}
function brief(response: HookResponse): Record<string, string | undefined> {
  return Object.fromEntries((response.status.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));
}

async function run(fake: FakeS3, input: BucketInput = {}, clock?: { now: Date }) {
  return sync(bucketResource({ spec: SPEC, ...input }), testDeps(fake.factory(), clock));
}

t.test('creates the bucket with tags at create, then versioning; reports Ready and Synced', async (t) => {
  const fake = new FakeS3();
  const res = await run(fake);
  t.same(fake.writes(), ['CreateBucket', 'PutBucketVersioning'], 'tags travel with CreateBucket (read back, not assumed)');
  const b = fake.buckets.get(NAME)!;
  t.same(b.tags, { team: 'a', ...CREATED });
  t.equal(fake.versioningOf(NAME), 'Enabled');
  t.equal(b.region, 'eu-west-1');
  t.same(brief(res), { Ready: 'True/Available', 'ACK.ResourceSynced': 'True/Synced' });
  t.same(res.status.ackResourceMetadata, { region: 'eu-west-1', arn: `arn:aws:s3:::${NAME}` });
  t.equal(res.status.location, `/${NAME}`);
  t.equal(res.status.observedGeneration, 1);
  t.equal(res.resyncAfterSeconds, 600);
  t.equal(res.finalized, undefined, 'sync never says finalized');
  t.same(res.children, []);
});

t.test('a quiet drift check of the claimed bucket: k reads (the tags first, no HeadBucket), no writes, the same status but for lastCheck.time', async (t) => {
  const fake = new FakeS3();
  const clock = { now: new Date('2026-11-24T10:00:00Z') };
  const first = await run(fake, {}, clock);
  t.same(first.status.lastCheck, { time: '2026-11-24T10:00:00Z', inputHash: first.status.lastCheck?.inputHash });
  fake.calls.length = 0;
  clock.now = new Date('2026-11-24T11:00:00Z');
  const second = await run(fake, { status: first.status, keepLastCheck: true }, clock);
  t.same(fake.writes(), []);
  t.same(fake.calls, ['GetBucketTagging', 'GetBucketVersioning'], 'k reads, the tags first');
  t.strictSame(withoutLastCheck(second.status), withoutLastCheck(first.status));
  t.equal(second.status.lastCheck?.time, '2026-11-24T11:00:00Z', 'the stamp moves once per check');
});

t.test('zero-cost answers: inputs unchanged and the last check recent', async (t) => {
  const fake = new FakeS3();
  const clock = { now: new Date('2026-11-24T10:00:00Z') };
  const first = await run(fake, {}, clock);
  fake.calls.length = 0;
  clock.now = new Date('2026-11-24T10:04:00Z');
  const echo = await run(fake, { status: first.status, keepLastCheck: true }, clock);
  t.same(fake.calls, [], 'no S3 call at all');
  t.strictSame(echo.status, first.status, 'the status it received');
  t.equal(echo.resyncAfterSeconds, 360, 'come back when the check is due');
  const full = (input: BucketInput) =>
    run(fake, { status: first.status, keepLastCheck: true, ...input }, clock).then(() => fake.calls.splice(0).includes('GetBucketVersioning'));
  t.ok(await full({ generation: 2 }), 'a spec change (generation) is never delayed');
  t.ok(await full({ spec: { ...SPEC, versioning: { status: 'Suspended' } } }), 'changed inputs');
  t.ok(await full({ annotations: { 's3.services.k8s.aws/requested-at': '2026-11-24T10:03:00Z' } }), 'a user asks for a check now');
  t.ok(await full({ annotations: { 's3.services.k8s.aws/drift-check-interval': '2m' } }), 'a shorter interval makes the check due');
  t.notOk(await full({ annotations: {} }), 'annotations the hook ignores change nothing');
  clock.now = new Date('2026-11-24T10:10:00Z');
  t.ok(await full({}), 'the interval has passed');
});

t.test('a spec change is applied and only the changed field is written', async (t) => {
  const fake = new FakeS3();
  const first = await run(fake);
  fake.calls.length = 0;
  const res = await run(fake, { generation: 2, status: first.status, spec: { ...SPEC, versioning: { status: 'Suspended' } } });
  t.same(fake.writes(), ['PutBucketVersioning']);
  t.equal(fake.versioningOf(NAME), 'Suspended');
  t.equal(res.status.observedGeneration, 2);
  t.equal(cond(res, 'Ready')!.lastTransitionTime, cond(first, 'Ready')!.lastTransitionTime, 'still ready: no transition');
});

t.test('out-of-band drift is put back', async (t) => {
  const fake = new FakeS3();
  const first = await run(fake);
  const b = fake.buckets.get(NAME)!;
  fake.setVersioning(NAME, 'Suspended');
  b.tags = { ...b.tags, team: 'b', extra: 'x' };
  fake.calls.length = 0;
  await run(fake, { status: first.status });
  t.same(fake.writes().sort(), ['PutBucketTagging', 'PutBucketVersioning']);
  t.same(b.tags, { team: 'a', ...CREATED });
  t.equal(fake.versioningOf(NAME), 'Enabled');
});

t.test('omitted fields are unmanaged: foreign tags are kept, versioning untouched', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: { ...OURS, cost: 'x' }, versioning: 'Suspended' });
  const res = await run(fake, { spec: { name: NAME } });
  t.same(fake.writes(), []);
  t.same(fake.calls.sort(), ['GetBucketTagging', 'HeadBucket']);
  t.equal(cond(res, 'ACK.ResourceSynced')!.status, 'True');
});

t.test('Suspended on a never-versioned bucket is already in sync (AWS default filled in)', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS });
  await run(fake, { spec: { name: NAME, versioning: { status: 'Suspended' } } });
  t.same(fake.writes(), []);
});

t.test('a name owned by another account is terminal NameTaken, no writes, no requeue', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { owner: 'someone-else' });
  const res = await run(fake);
  t.same(fake.writes(), []);
  t.same(brief(res), { Ready: 'False/NameTaken', 'ACK.ResourceSynced': 'False/NameTaken', 'ACK.Terminal': 'True/NameTaken', Stalled: 'True/NameTaken' });
  t.match(cond(res, 'ACK.Terminal')!.message, /taken by another AWS account \(HeadBucket answered 403 Forbidden\).*choose another spec\.name/);
  t.equal(res.resyncAfterSeconds, undefined);
  t.same(res.status.ackResourceMetadata, { region: 'eu-west-1' }, 'no ARN for a bucket that is not ours');
  t.equal(res.status.location, undefined);
});

t.test('CreateBucket answering BucketAlreadyExists is NameTaken too', async (t) => {
  const fake = new FakeS3();
  fake.fail('CreateBucket', { code: 'BucketAlreadyExists', kind: 'name-taken', status: 409 });
  const res = await run(fake);
  t.same(brief(res)['ACK.Terminal'], 'True/NameTaken');
  t.match(cond(res, 'ACK.Terminal')!.message, /CreateBucket answered BucketAlreadyExists/);
});

t.test('a bucket of ours not created by this resource is terminal unless adopted', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: { owner: 'ops' } });
  const res = await run(fake);
  t.same(fake.writes(), []);
  t.same(brief(res)['ACK.Terminal'], 'True/NotOwned');
  t.match(
    cond(res, 'ACK.Terminal')!.message,
    /carries no valid ownership tags\). To manage it from here, add the annotation services\.k8s\.aws\/adoption-policy: adopt/,
  );

  const other = new FakeS3();
  other.seed(NAME, { tags: { ...OURS, 'services.k8s.aws/uid': 'old-uid' } });
  const res2 = await run(other);
  t.same(brief(res2)['ACK.Terminal'], 'True/ManagedElsewhere');
  t.match(cond(res2, 'ACK.Terminal')!.message, /is managed by another Bucket resource/);
  t.notMatch(cond(res2, 'ACK.Terminal')!.message, /old-uid/, "no other tenant's uid in a message");
});

for (const policy of ['adopt', 'adopt-or-create']) {
  t.test(`adoption-policy ${policy} takes over an existing bucket and keeps unmanaged settings`, async (t) => {
    const fake = new FakeS3();
    fake.seed(NAME, { tags: { owner: 'ops' }, versioning: 'Enabled' });
    const res = await run(fake, {
      annotations: { 'services.k8s.aws/adoption-policy': policy },
      spec: { name: NAME, tagging: { tagSet: [{ key: 'team', value: 'a' }] } },
    });
    t.same(fake.writes(), ['PutBucketTagging']);
    t.same(fake.buckets.get(NAME)!.tags, { team: 'a', ...ADOPTED });
    t.equal(fake.versioningOf(NAME), 'Enabled');
    t.equal(cond(res, 'Ready')!.status, 'True');
  });
}

t.test('adopt of a missing bucket waits; adopt-or-create creates', async (t) => {
  const fake = new FakeS3();
  const res = await run(fake, { annotations: { 'services.k8s.aws/adoption-policy': 'adopt' } });
  t.same(fake.writes(), []);
  t.same(brief(res)['ACK.Recoverable'], 'True/AdoptionTargetNotFound');
  t.equal(res.resyncAfterSeconds, 5);
  await run(fake, { annotations: { 'services.k8s.aws/adoption-policy': 'adopt-or-create' } });
  t.ok(fake.buckets.has(NAME));
});

t.test('tags wiped out of band: a bucket this resource reported as synced is re-tagged', async (t) => {
  const fake = new FakeS3();
  const first = await run(fake);
  fake.buckets.get(NAME)!.tags = {};
  const res = await run(fake, { status: first.status });
  t.same(fake.buckets.get(NAME)!.tags, { team: 'a', ...CREATED });
  // A correction of drift: remembered for the drift-loop guard (drift-loop.ts), the status otherwise as it was.
  const { driftCorrections, ...rest } = res.status;
  t.strictSame(rest, first.status);
  t.strictSame(driftCorrections, { fields: [{ field: 'spec.tagging', times: ['2026-11-24T10:00:00Z'] }] });
  // Without that history the same bucket is not ours.
  fake.buckets.get(NAME)!.tags = {};
  const cold = await run(fake);
  t.same(brief(cold)['ACK.Terminal'], 'True/NotOwned');
});

t.test('read-only observes and never writes', async (t) => {
  const fake = new FakeS3();
  const ro = { annotations: { 'services.k8s.aws/read-only': 'true' } };
  const missing = await run(fake, ro);
  t.same(fake.writes(), []);
  t.same(brief(missing)['ACK.Recoverable'], 'True/NotFound');
  fake.seed(NAME, { tags: { team: 'b' }, versioning: 'Suspended' });
  const drift = await run(fake, ro);
  t.same(fake.writes(), []);
  t.same(brief(drift), { Ready: 'True/Available', 'ACK.ResourceSynced': 'False/ReadOnlyDrift' });
  t.match(cond(drift, 'ACK.ResourceSynced')!.message, /S3 differs from the spec at spec\.tagging, spec\.versioning/);
  fake.setVersioning(NAME, 'Enabled');
  const ok = await run(fake, { ...ro, spec: { ...SPEC, tagging: undefined } });
  t.same(brief(ok), { Ready: 'True/Available', 'ACK.ResourceSynced': 'True/Synced' });
});

t.test('an invalid spec is terminal InvalidSpec naming the field, with no S3 call', async (t) => {
  const fake = new FakeS3();
  const res = await run(fake, { spec: { name: '192.168.1.1' } });
  t.same(fake.calls, []);
  t.same(brief(res), {
    Ready: 'False/InvalidSpec',
    'ACK.ResourceSynced': 'False/InvalidSpec',
    'ACK.Terminal': 'True/InvalidSpec',
    Stalled: 'True/InvalidSpec',
  });
  t.equal(
    cond(res, 'ACK.Terminal')!.message,
    'spec.name "192.168.1.1" is not a valid S3 bucket name: it must not be formatted as an IP address. Fix the Bucket resource; nothing was sent to S3.',
  );
  t.equal(res.resyncAfterSeconds, undefined);
});

t.test('the bucket in another region is WrongRegion', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { region: 'us-west-2', tags: OURS });
  const res = await run(fake);
  t.same(brief(res)['ACK.Terminal'], 'True/WrongRegion');
  t.match(cond(res, 'ACK.Terminal')!.message, /exists in region us-west-2, not in eu-west-1/);
});

t.test('one failing field does not hide the other; retryable failures back off without churn', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS });
  fake.fail('PutBucketTagging', { code: 'AccessDenied', kind: 'access-denied', status: 403 });
  const clock = { now: new Date('2026-11-24T10:00:00Z') };
  const res = await run(fake, {}, clock);
  t.equal(fake.versioningOf(NAME), 'Enabled', 'versioning still applied');
  t.same(brief(res), {
    Ready: 'False/AccessDenied',
    'ACK.ResourceSynced': 'False/AccessDenied',
    'ACK.Recoverable': 'True/AccessDenied',
    Reconciling: 'True/AccessDenied',
  });
  t.equal(
    cond(res, 'ACK.Recoverable')!.message,
    `Not in sync: spec.tagging. spec.tagging: PutBucketTagging failed with AccessDenied (HTTP 403): the hook's credentials are not allowed to do this: allow s3:PutBucketTagging on arn:aws:s3:::${NAME} in its IAM policy; it retries with backoff.`,
  );
  t.equal(res.resyncAfterSeconds, 5);
  clock.now = new Date('2026-11-24T10:00:40Z');
  const again = await run(fake, { status: res.status }, clock);
  t.strictSame(again.status, res.status, 'same failure, same status: no write, no hot loop');
  t.equal(again.resyncAfterSeconds, 40, 'backoff grows with the time the problem has lasted');
  clock.now = new Date('2026-11-24T12:00:00Z');
  t.equal((await run(fake, { status: res.status }, clock)).resyncAfterSeconds, 300, 'capped');
});

t.test('throttling on the first read is recoverable and keeps the reported ARN', async (t) => {
  const fake = new FakeS3();
  const first = await run(fake);
  fake.fail('GetBucketTagging', { code: 'SlowDown', kind: 'throttled', status: 503 });
  fake.calls.length = 0;
  const res = await run(fake, { status: first.status });
  // The tags read first fail, so HeadBucket is asked as without a claim; then the tags fail again.
  t.same(fake.calls, ['GetBucketTagging', 'HeadBucket', 'GetBucketTagging', 'GetBucketVersioning']);
  t.same(brief(res)['ACK.Recoverable'], 'True/Throttled');
  t.equal(res.status.ackResourceMetadata?.arn, `arn:aws:s3:::${NAME}`);
  t.equal(res.status.location, `/${NAME}`);
});

t.test('a resource being deleted but sent to sync changes nothing', async (t) => {
  const fake = new FakeS3();
  const status: BucketStatus = { conditions: [], observedGeneration: 1 };
  const res = await run(fake, { deletionTimestamp: '2026-11-24T10:00:00Z', generation: 2, status });
  t.same(fake.calls, []);
  t.same(res.status, { conditions: [], observedGeneration: 2 });
});

t.test('access denied names the IAM action to allow, not the API call', async (t) => {
  const fake = new FakeS3();
  fake.fail('HeadBucket', { code: 'AccessDenied', kind: 'access-denied', status: 403 });
  const res = await run(fake);
  t.match(
    res.status.conditions?.find((c) => c.type === 'ACK.Recoverable')?.message,
    /HeadBucket failed with AccessDenied \(HTTP 403\): .*allow s3:ListBucket on arn:aws:s3:::team-a-artifacts-7f3c/,
  );
});

t.test('a read-only resource never becomes the owner by dropping the annotation', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: { owner: 'ops' } });
  const observed = await run(fake, { annotations: { 'services.k8s.aws/read-only': 'true' }, spec: { name: NAME } });
  t.equal(observed.status.ackResourceMetadata?.arn, undefined);
  const writable = await run(fake, { status: observed.status, spec: { name: NAME } });
  t.equal(writable.status.conditions?.find((c) => c.type === 'ACK.Terminal')?.reason, 'NotOwned');
  t.same(fake.writes(), [], 'nothing claimed');
});

t.test('an interrupted create (tag write failed) stays ours on the next sync', async (t) => {
  const fake = new FakeS3();
  fake.fail('PutBucketVersioning', { code: 'SlowDown', kind: 'throttled', status: 503, times: 1 });
  const first = await run(fake);
  t.equal(first.status.ackResourceMetadata?.arn, `arn:aws:s3:::${NAME}`, 'the created bucket is reported while not yet in sync');
  fake.buckets.get(NAME)!.tags = {};
  const next = await run(fake, { status: first.status });
  t.equal(next.status.conditions?.find((c) => c.type === 'ACK.ResourceSynced')?.status, 'True');
  t.equal(fake.buckets.get(NAME)?.tags['services.k8s.aws/uid'], UID, 're-tagged');
});

t.test("NotOwned is re-checked with backoff, so a racing replica's fresh create heals", async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, {});
  const clock = { now: new Date('2026-11-24T10:00:00Z') };
  const raced = await run(fake, {}, clock);
  t.equal(raced.status.conditions?.find((c) => c.type === 'ACK.Terminal')?.reason, 'NotOwned');
  t.equal(raced.resyncAfterSeconds, 5, 'first re-check soon');
  clock.now = new Date('2026-11-24T10:02:00Z');
  t.equal((await run(fake, { status: raced.status }, clock)).resyncAfterSeconds, 120, 'then doubling');
  fake.buckets.get(NAME)!.tags = OURS; // the other replica's tag write lands
  const healed = await run(fake, { status: raced.status }, clock);
  t.equal(healed.status.conditions?.find((c) => c.type === 'ACK.ResourceSynced')?.status, 'True');
});
