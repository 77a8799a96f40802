// Issue 23, finding 1, over the fake S3: a status is not proof of ownership. An unmarked bucket becomes
// the resource's only through a claim this hook signed for this very resource and bucket, on a bucket no
// older than the claim (the crash-safe create); everything else goes through the adoption rules. The
// RGW test (test/integration/forged-status.test.ts) replays the issue's attack against a real store.
import t from 'tap';
import { finalize, fullSync, sync } from '../support/core.js';
import { ANNOTATION } from '../../src/reconciler/rules/annotations.js';
import { CLAIM_CLOCK_MARGIN_MS } from '../../src/reconciler/rules/claim.js';
import { ClaimKey } from '../../src/reconciler/rules/claim-proof.js';
import { noChanges } from '../../src/reconciler/model/changes.js';
import { plannedEvents } from '../../src/reconciler/outcome/events.js';
import { ownerOf, ownershipOf } from '../../src/reconciler/rules/ownership.js';
import type { BucketClaim, BucketStatus, HookResponse } from '../../src/reconciler/model/resource.js';
import { S3Error, type S3PortFactory } from '../../src/s3/port.js';
import { testDeps } from '../support/deps.js';
import { bucketResource, type BucketInput } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const REF = { uid: UID, namespace: 'team-a', name: 'artifacts' };
const SPEC = { name: NAME, versioning: { status: 'Enabled' } };
const NOW = new Date('2026-11-24T10:00:00Z');
const ARN = `arn:aws:s3:::${NAME}`;

const brief = (r: HookResponse) => Object.fromEntries((r.status.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));
const message = (r: HookResponse, type: string) => r.status.conditions?.find((c) => c.type === type)?.message ?? '';
/** The status a reservation answers: the ARN, and the claim (`claim`). */
const reported = (claim?: BucketClaim): BucketStatus => ({
  ackResourceMetadata: { arn: ARN, region: 'eu-west-1' },
  location: `/${NAME}`,
  ...(claim ? { claim } : {}),
});
const deps = (s3: S3PortFactory, key?: ClaimKey) => ({ ...testDeps(s3, { now: NOW }), ...(key ? { claimKey: key } : {}) });
const run = (s3: S3PortFactory, input: BucketInput = {}, key?: ClaimKey) => sync(bucketResource({ uid: UID, spec: SPEC, ...input }), deps(s3, key));
/** A claim signed with the key testDeps uses, at `time`. */
const signed = (time: string, ref = REF, bucket = NAME) => testDeps(new FakeS3().factory()).claimKey!.sign(ref, bucket, time);

/** An unmarked bucket of this account, created at `created`, with objects. */
function unmarked(created: string): FakeS3 {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: { team: 'ops' }, objects: 3, createdAt: new Date(created) });
  return fake;
}

t.test('a status without a valid claim proves nothing: NotOwned, nothing written, nothing reported', async (t) => {
  const forgeries: Array<[string, BucketStatus]> = [
    ["an ARN alone (the issue's attack)", reported()],
    ['a made-up proof', reported({ bucket: NAME, time: '2026-11-24T09:00:00Z', proof: 'AAAA' })],
    [
      'a proof of the right length, not signed by the hook',
      reported({ bucket: NAME, time: '2026-11-24T09:00:00Z', proof: Buffer.alloc(32, 7).toString('base64url') }),
    ],
    ["another resource's valid claim (another uid)", reported(signed('2026-11-24T09:00:00Z', { ...REF, uid: 'bbbbbbbb-0000-4000-8000-000000000002' }))],
    ['a valid claim of another namespace', reported(signed('2026-11-24T09:00:00Z', { ...REF, namespace: 'team-b' }))],
    ['a valid claim on another bucket', reported(signed('2026-11-24T09:00:00Z', REF, 'team-a-other-1234'))],
    ['a valid claim whose bucket field was edited', reported({ ...signed('2026-11-24T09:00:00Z', REF, 'team-a-other-1234'), bucket: NAME })],
    ['a valid claim whose time was moved back', reported({ ...signed('2026-11-24T09:00:00Z'), time: '2019-01-01T00:00:00Z' })],
    ['a claim with a time that is no time', reported({ bucket: NAME, time: 'yesterday', proof: signed('2026-11-24T09:00:00Z').proof })],
    ["a claim signed with another hook's key", reported(ClaimKey.random().sign(REF, NAME, '2026-11-24T09:00:00Z'))],
  ];
  for (const [what, status] of forgeries) {
    const fake = unmarked('2026-11-24T09:30:00Z');
    const res = await run(fake.factory(), { spec: { ...SPEC, policy: '{"Version":"2012-10-17","Statement":[]}' }, status });
    t.equal(brief(res)['ACK.Terminal'], 'True/NotOwned', what);
    t.same(fake.writes(), [], `${what}: nothing written`);
    t.notOk(fake.calls.includes('ListBuckets'), `${what}: not even its age read`);
    t.same(fake.buckets.get(NAME)!.tags, { team: 'ops' }, what);
    t.equal(res.status.ackResourceMetadata?.arn, undefined, `${what}: not reported`);
    t.equal(res.status.claim, undefined, `${what}: no claim answered`);
    t.match(
      message(res, 'ACK.Terminal'),
      /this resource's status names it, but (a status alone proves nothing|its claim on the name was not signed by this hook for this resource)/,
      what,
    );
  }
});

t.test('a valid claim on a bucket older than the claim: not the bucket this resource created (NotOwned), its claim dropped', async (t) => {
  const claim = signed('2026-11-24T09:00:00Z');
  const fake = unmarked('2026-11-24T08:00:00Z');
  const res = await run(fake.factory(), { status: reported(claim) });
  t.same(brief(res)['ACK.Terminal'], 'True/NotOwned');
  t.match(
    message(res, 'ACK.Terminal'),
    /it was created \(2026-11-24T08:00:00Z\) before this resource claimed the name \(2026-11-24T09:00:00Z\), so it is not the bucket this resource created/,
  );
  t.same(fake.writes(), []);
  t.same(
    fake.calls.filter((c) => c === 'ListBuckets'),
    ['ListBuckets'],
    'one ListBuckets, only on this path',
  );
  t.equal(res.status.claim, undefined);
  t.equal(res.status.ackResourceMetadata?.arn, undefined);
});

t.test(`the clock margin: ${CLAIM_CLOCK_MARGIN_MS / 1000} s of skew between the hook and S3 is tolerated, no more`, async (t) => {
  const claim = signed('2026-11-24T09:00:00Z');
  const within = unmarked(new Date(Date.parse(claim.time) - CLAIM_CLOCK_MARGIN_MS).toISOString());
  t.equal(brief(await run(within.factory(), { status: reported(claim) })).Ready, 'True/Available');
  const beyond = unmarked(new Date(Date.parse(claim.time) - CLAIM_CLOCK_MARGIN_MS - 1000).toISOString());
  t.equal(brief(await run(beyond.factory(), { status: reported(claim) }))['ACK.Terminal'], 'True/NotOwned');
});

t.test('a valid claim on a younger bucket: the interrupted create is finished (tagged, origin created), the claim kept', async (t) => {
  const claim = signed('2026-11-24T09:00:00Z');
  const fake = unmarked('2026-11-24T09:00:02Z');
  const res = await run(fake.factory(), { status: reported(claim) });
  t.same(brief(res), { 'ACK.ResourceSynced': 'True/Synced', Ready: 'True/Available' });
  t.same(fake.buckets.get(NAME)!.tags, {
    team: 'ops',
    'services.k8s.aws/namespace': 'team-a',
    'services.k8s.aws/name': 'artifacts',
    'services.k8s.aws/uid': UID,
    'services.k8s.aws/origin': 'created',
  });
  t.same(res.status.claim, claim, 'the claim goes on with the ARN');
  t.equal(res.status.ackResourceMetadata?.arn, ARN);

  // The admin's name rule applies here too (it applies to every way a name becomes a namespace's).
  const ruled = unmarked('2026-11-24T09:00:02Z');
  const refused = await sync(bucketResource({ uid: UID, spec: SPEC, status: reported(claim) }), {
    ...deps(ruled.factory()),
    tenancy: { adoptionNamespaces: 'all', bucketNamePrefix: 'team-b-' },
  });
  t.equal(brief(refused)['ACK.Terminal'], 'True/InvalidSpec');
  t.same(ruled.writes(), []);
});

t.test('ListBuckets does not list the bucket (yet): ClaimUnconfirmed, nothing written, ARN and claim kept; confirmed later', async (t) => {
  const claim = signed('2026-11-24T09:00:00Z');
  const fake = unmarked('2026-11-24T09:00:02Z');
  const listed = fake.factory();
  const lagging: S3PortFactory = (region) => ({ ...listed(region), bucketCreationDate: async () => undefined });
  const waiting = await run(lagging, { status: reported(claim) });
  t.same(brief(waiting), {
    'ACK.Recoverable': 'True/ClaimUnconfirmed',
    'ACK.ResourceSynced': 'False/ClaimUnconfirmed',
    Reconciling: 'True/ClaimUnconfirmed',
    Ready: 'False/ClaimUnconfirmed',
  });
  t.match(message(waiting, 'Ready'), /ListBuckets does not list the bucket \(yet\).*s3:ListAllMyBuckets/);
  t.same(fake.writes(), []);
  t.same(waiting.status.claim, claim);
  t.equal(waiting.status.ackResourceMetadata?.arn, ARN);
  t.ok((waiting.resyncAfterSeconds ?? 0) >= 5, 'with backoff');
  const later = await run(listed, { status: waiting.status });
  t.equal(brief(later).Ready, 'True/Available');
});

t.test('ListBuckets refused: AccessDenied naming s3:ListAllMyBuckets, the claim kept for the retry', async (t) => {
  const claim = signed('2026-11-24T09:00:00Z');
  const fake = unmarked('2026-11-24T09:00:02Z').fail('ListBuckets', { code: 'AccessDenied', kind: 'access-denied', status: 403 });
  const res = await run(fake.factory(), { status: reported(claim) });
  t.equal(brief(res)['ACK.Recoverable'], 'True/AccessDenied');
  t.match(message(res, 'ACK.Recoverable'), /ListBuckets failed with AccessDenied .*s3:ListAllMyBuckets/);
  t.same(res.status.claim, claim);
  t.same(fake.writes(), []);
});

t.test('the reservation answers a claim signed for this resource; the next sync creates with it, then it stays', async (t) => {
  const fake = new FakeS3('me', 'ignored');
  const first = await run(fake.factory());
  t.equal(brief(first).Ready, 'False/Creating');
  t.same(first.status.claim, signed('2026-11-24T10:00:00Z'), "bucket, time (the hook's clock) and proof");
  t.same(fake.writes(), [], 'nothing created yet');
  const second = await run(fake.factory(), { status: first.status });
  t.equal(brief(second).Ready, 'True/Available');
  t.same(second.status.claim, first.status.claim, 'the claim keeps its time: it dates the name, not the last answer');
  t.equal(fake.buckets.get(NAME)!.tags['services.k8s.aws/origin'], 'created');
});

t.test('a claim this hook cannot verify never skips the reservation: a claim is recorded again first', async (t) => {
  const fake = new FakeS3('me', 'ignored');
  const first = await run(fake.factory(), {}, ClaimKey.random());
  const second = await run(fake.factory(), { status: first.status }, ClaimKey.random());
  t.equal(brief(second).Ready, 'False/Creating', "another key (a restart without CLAIM_KEY_FILE, another replica's key)");
  t.same(fake.writes(), []);
  t.not(second.status.claim?.proof, first.status.claim?.proof, 'a claim of its own');
});

t.test('where the create keeps its tags (AWS) the claim is made at the create, and answered with the bucket', async (t) => {
  const fake = new FakeS3();
  const res = await run(fake.factory());
  t.equal(brief(res).Ready, 'True/Available');
  t.same(res.status.claim, signed('2026-11-24T10:00:00Z'));
  // A create whose answer was lost (the store did create it): reported with its claim, so the next sync re-tags.
  const lost = new FakeS3('me', 'ignored', 'ignored');
  const port = lost.factory();
  const losing: S3PortFactory = (region) => ({
    ...port(region),
    createBucket: async (input, signal) => {
      await port(region).createBucket(input, signal);
      throw new S3Error('CreateBucket', 'ECONNRESET', 'transient', undefined);
    },
  });
  const reservation = await run(port);
  const failed = await run(losing, { status: reservation.status });
  t.same(failed.status.claim, reservation.status.claim);
  const after = await run(port, { status: failed.status });
  t.equal(brief(after).Ready, 'True/Available');
  t.equal(lost.calls.filter((c) => c === 'CreateBucket').length, 1, 'created once');
});

t.test('adoption is the other way in, under the adoption rules, with the Adopted event and origin adopted', async (t) => {
  const fake = unmarked('2020-01-01T00:00:00Z');
  const changes = noChanges();
  const resource = bucketResource({ uid: UID, spec: SPEC, status: reported(), annotations: { [ANNOTATION.adoptionPolicy]: 'adopt' } });
  const res = await fullSync(resource, deps(fake.factory()), undefined, changes);
  t.equal(brief(res).Ready, 'True/Available');
  t.equal(fake.buckets.get(NAME)!.tags['services.k8s.aws/origin'], 'adopted');
  t.ok(changes.adopted);
  const events = plannedEvents({ hook: 'sync', received: resource.status, generation: 1, answer: res, changes });
  t.same(
    events.map((e) => e.reason),
    ['Adopted'],
    'Adopted, not Updated',
  );
  t.equal(res.status.claim, undefined, 'an adopted bucket carries no claim: it was not created here');

  for (const tenancy of [{ adoptionNamespaces: [] }, { adoptionNamespaces: 'all' as const, bucketNamePrefix: '{namespace}-x-' }]) {
    const refused = unmarked('2020-01-01T00:00:00Z');
    const answer = await sync(bucketResource({ uid: UID, spec: SPEC, status: reported(), annotations: { [ANNOTATION.adoptionPolicy]: 'adopt' } }), {
      ...deps(refused.factory()),
      tenancy,
    });
    t.match(brief(answer)['ACK.Terminal'], /True\/(AdoptionNotAllowed|InvalidSpec)/, JSON.stringify(tenancy));
    t.same(refused.writes(), []);
  }
});

t.test('ownership tags that are not Kubernetes names name no owner: unmarked, never ours, never echoed', async (t) => {
  const ref = { ...REF, generation: 1 };
  const good = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };
  t.equal(ownershipOf(good, ref), 'ours');
  t.equal(ownershipOf({ ...good, 'services.k8s.aws/uid': 'other-uid' }, ref), 'other-resource');
  t.same(ownerOf(good), { uid: UID, namespace: 'team-a', name: 'artifacts' });
  for (const [key, value] of [
    ['services.k8s.aws/namespace', 'x\n---\napiVersion: rbac.authorization.k8s.io/v1'],
    ['services.k8s.aws/namespace', 'Team-A'],
    ['services.k8s.aws/namespace', 'a'.repeat(64)],
    ['services.k8s.aws/name', 'x\nroleRef: {name: cluster-admin}\n#'],
    ['services.k8s.aws/name', `${'a'.repeat(250)}.abcd`],
    ['services.k8s.aws/uid', `${UID}\n`],
    ['services.k8s.aws/uid', 'x y'],
    ['services.k8s.aws/uid', ''],
  ] as const) {
    t.equal(ownershipOf({ ...good, [key]: value }, ref), 'unmarked', JSON.stringify(value));
    t.equal(ownerOf({ ...good, [key]: value }), undefined);
  }
  // Finalize: not ours, left in place.
  const fake = new FakeS3();
  fake.seed(NAME, { tags: { ...good, 'services.k8s.aws/name': 'x\ny' }, objects: 2 });
  const gone = await finalize(
    bucketResource({ uid: UID, spec: { name: NAME }, deletionTimestamp: '2026-11-24T12:00:00Z', annotations: { [ANNOTATION.emptyOnDelete]: 'true' } }),
    deps(fake.factory()),
  );
  t.equal(brief(gone).Ready, 'False/LeftInPlace');
  t.same(fake.writes(), []);
});
