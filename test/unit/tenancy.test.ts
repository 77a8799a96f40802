// A shared cluster: no Bucket takes over a bucket that another Bucket resource manages, whatever its
// annotations; retain releases a bucket so that it can be handed over; the admin decides who may adopt
// and which names a namespace may claim. Messages name no other tenant.
import t from 'tap';
import { finalize, sync } from '../support/core.js';
import { parseConfig } from '../../src/config.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { mayEmptyAdopted, type TenancyRules } from '../../src/reconciler/rules/tenancy.js';
import { testDeps } from '../support/deps.js';
import { bucketResource, type BucketInput } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const NAME = 'team-a-artifacts-7f3c';
const A = { namespace: 'team-a', name: 'artifacts', uid: 'aaaaaaaa-0000-4000-8000-000000000001' };
const B = { namespace: 'team-b', name: 'grab', uid: 'bbbbbbbb-0000-4000-8000-000000000002' };
const tagsOf = (r: typeof A) => ({ 'services.k8s.aws/namespace': r.namespace, 'services.k8s.aws/name': r.name, 'services.k8s.aws/uid': r.uid });
const ADOPT = { 'services.k8s.aws/adoption-policy': 'adopt' };
const terminal = (r: HookResponse) => r.status.conditions?.find((c) => c.type === 'ACK.Terminal');
const ready = (r: HookResponse) => r.status.conditions?.find((c) => c.type === 'Ready');

function deps(fake: FakeS3, tenancy?: TenancyRules) {
  return { ...testDeps(fake.factory()), ...(tenancy ? { tenancy } : {}) };
}
const syncAs = (who: typeof A, fake: FakeS3, input: BucketInput = {}, tenancy?: TenancyRules) =>
  sync(bucketResource({ ...who, spec: { name: NAME, versioning: { status: 'Suspended' } }, ...input }), deps(fake, tenancy));

t.test('adopt cannot take a bucket another Bucket resource manages: terminal, nothing written, no uid in the message', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: { ...tagsOf(A), team: 'a' }, versioning: 'Enabled' });
  for (const policy of ['adopt', 'adopt-or-create']) {
    const res = await syncAs(B, fake, { annotations: { 'services.k8s.aws/adoption-policy': policy } });
    t.equal(terminal(res)?.reason, 'ManagedElsewhere', policy);
    t.notMatch(terminal(res)?.message, /aaaaaaaa|team-a\/artifacts|artifacts \(/, `${policy}: names neither the owner's uid nor its name`);
    t.match(terminal(res)?.message, /deletion-policy: retain/, 'says how a hand-over works');
    t.equal(res.status.ackResourceMetadata?.arn, undefined, "not reported as B's");
    t.ok((res.resyncAfterSeconds ?? 0) > 0, 're-checked with backoff: the owner may release it');
  }
  t.same(fake.writes(), []);
  t.equal(fake.versioningOf(NAME), 'Enabled');
  t.equal(fake.buckets.get(NAME)?.tags['services.k8s.aws/uid'], A.uid);
  // The owner is unaffected, and B's finalize leaves the bucket alone.
  const owner = await syncAs(A, fake, { spec: { name: NAME, versioning: { status: 'Enabled' } } });
  t.equal(ready(owner)?.reason, 'Available');
  const gone = await finalize(bucketResource({ ...B, spec: { name: NAME }, annotations: ADOPT, deletionTimestamp: '2026-11-24T10:00:00Z' }), deps(fake));
  t.equal(gone.finalized, true);
  t.ok(fake.buckets.has(NAME), "B's deletion did not delete A's bucket");
});

t.test('hand-over: A retains and goes (its ownership tags removed), then B adopts', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: { ...tagsOf(A), team: 'a' } });
  const released = await finalize(
    bucketResource({ ...A, spec: { name: NAME }, annotations: { 'services.k8s.aws/deletion-policy': 'retain' }, deletionTimestamp: '2026-11-24T10:00:00Z' }),
    deps(fake),
  );
  t.equal(released.finalized, true);
  t.same(fake.buckets.get(NAME)?.tags, { team: 'a' }, "only the hook's tags removed");
  const adopted = await syncAs(B, fake, { annotations: ADOPT, spec: { name: NAME, versioning: { status: 'Enabled' } } });
  t.equal(ready(adopted)?.reason, 'Available');
  t.equal(fake.buckets.get(NAME)?.tags['services.k8s.aws/uid'], B.uid);
  t.equal(fake.versioningOf(NAME), 'Enabled', "B's spec applied");
});

t.test('ADOPTION_NAMESPACES: only the listed namespaces adopt; an unmarked bucket stays adoptable there (migration from ACK)', async (t) => {
  const rules: TenancyRules = { adoptionNamespaces: ['team-a'] };
  const fake = new FakeS3();
  fake.seed(NAME, { tags: { 'services.k8s.aws/namespace': 'legacy' } }); // ACK's tags carry no uid
  const refused = await syncAs(B, fake, { annotations: ADOPT }, rules);
  t.equal(terminal(refused)?.reason, 'AdoptionNotAllowed');
  t.equal(
    terminal(refused)?.message,
    `Bucket "${NAME}" exists but Buckets in namespace team-b may not adopt existing buckets (the cluster's adoption rule). Ask the cluster admin, or choose another spec.name.`,
  );
  t.same(fake.writes(), []);
  const allowed = await syncAs(A, fake, { annotations: ADOPT }, rules);
  t.equal(ready(allowed)?.reason, 'Available');
  const nobody = await syncAs(B, new FakeS3(), {}, { adoptionNamespaces: [] });
  t.equal(ready(nobody)?.reason, 'Available', 'creating is not adopting: allowed when nobody may adopt');
});

t.test('BUCKET_NAME_PREFIX: a namespace creates and adopts only names with its prefix; buckets it owns stay managed', async (t) => {
  const rules: TenancyRules = { adoptionNamespaces: 'all', bucketNamePrefix: '{namespace}-' };
  const fake = new FakeS3();
  const refused = await syncAs(B, fake, {}, rules);
  t.equal(terminal(refused)?.reason, 'InvalidSpec');
  t.equal(
    terminal(refused)?.message,
    `spec.name "${NAME}" must start with "team-b-" in namespace team-b (the cluster's bucket naming rule). Choose a name with that prefix; nothing was sent to S3 for it.`,
  );
  t.same(fake.writes(), []);
  fake.seed(NAME, {});
  const adopt = await syncAs(B, fake, { annotations: ADOPT }, rules);
  t.equal(terminal(adopt)?.reason, 'InvalidSpec', 'adoption too');
  t.same(fake.writes(), []);
  const own = await syncAs(A, fake, { annotations: ADOPT }, rules);
  t.equal(ready(own)?.reason, 'Available', 'team-a-... in team-a');
  // A rule added later does not disown what a namespace already manages.
  const later = await syncAs(A, fake, {}, { adoptionNamespaces: 'all', bucketNamePrefix: 'new-' });
  t.equal(ready(later)?.reason, 'Available');
});

t.test('config: ADOPTION_NAMESPACES and BUCKET_NAME_PREFIX', async (t) => {
  const base = { AWS_REGION: 'eu-west-1' };
  t.same(parseConfig(base).tenancy, { adoptionNamespaces: 'all' });
  t.same(parseConfig({ ...base, ADOPTION_NAMESPACES: '*' }).tenancy.adoptionNamespaces, 'all');
  t.same(parseConfig({ ...base, ADOPTION_NAMESPACES: 'none' }).tenancy.adoptionNamespaces, []);
  t.same(parseConfig({ ...base, ADOPTION_NAMESPACES: 'team-a, platform' }).tenancy.adoptionNamespaces, ['team-a', 'platform']);
  t.same(parseConfig({ ...base, BUCKET_NAME_PREFIX: '{namespace}-' }).tenancy.bucketNamePrefix, '{namespace}-');
  t.throws(() => parseConfig({ ...base, BUCKET_NAME_PREFIX: 'Team_' }), /BUCKET_NAME_PREFIX="Team_" may hold/);
  t.same(parseConfig({ ...base, ALLOWED_REGIONS: 'us-east-1, garage' }).allowedRegions, ['us-east-1', 'garage']);
});

t.test('config: EMPTY_ADOPTED_BUCKETS_NAMESPACES (default none) and CLAIM_KEY_FILE', async (t) => {
  const base = { AWS_REGION: 'eu-west-1' };
  t.equal(parseConfig(base).tenancy.emptyAdoptedNamespaces, undefined, 'unset');
  t.notOk(mayEmptyAdopted('team-a', parseConfig(base).tenancy), 'unset: no namespace empties a bucket it adopted');
  t.same(parseConfig({ ...base, EMPTY_ADOPTED_BUCKETS_NAMESPACES: '*' }).tenancy.emptyAdoptedNamespaces, 'all');
  t.same(parseConfig({ ...base, EMPTY_ADOPTED_BUCKETS_NAMESPACES: 'none' }).tenancy.emptyAdoptedNamespaces, []);
  const listed = parseConfig({ ...base, EMPTY_ADOPTED_BUCKETS_NAMESPACES: 'team-a, platform' }).tenancy;
  t.same(listed.emptyAdoptedNamespaces, ['team-a', 'platform']);
  t.ok(mayEmptyAdopted('platform', listed));
  t.notOk(mayEmptyAdopted('team-b', listed));
  t.equal(parseConfig(base).claimKeyFile, undefined);
  t.equal(parseConfig({ ...base, CLAIM_KEY_FILE: ' /var/run/secrets/bucket-hook-claim/key ' }).claimKeyFile, '/var/run/secrets/bucket-hook-claim/key');
});
