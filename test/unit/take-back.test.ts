// Taking buckets back after a restore or a cluster move, and the cluster in the ownership tags: the rule
// as a table (take-back.ts, ownership.ts), then through the sync core over the fake S3.
import t from 'tap';
import { plannedEvents } from '../../src/reconciler/outcome/events.js';
import { noChanges } from '../../src/reconciler/model/changes.js';
import { ownerOf, ownershipOf, ownershipTags } from '../../src/reconciler/rules/ownership.js';
import { fullSync } from '../support/core.js';
import { takeBack } from '../../src/reconciler/rules/take-back.js';
import type { TenancyRules } from '../../src/reconciler/rules/tenancy.js';
import type { ResourceRef } from '../../src/reconciler/model/types.js';
import { testDeps } from '../support/deps.js';
import { bucketResource, type BucketInput } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const NAME = 'team-a-artifacts-7f3c';
const OLD = '0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f';
const NEW = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const tagsFor = (over: Record<string, string> = {}) => ({
  'services.k8s.aws/namespace': 'team-a',
  'services.k8s.aws/name': 'artifacts',
  'services.k8s.aws/uid': OLD,
  'services.k8s.aws/origin': 'created',
  ...over,
});
const ref = (cluster?: string): ResourceRef => ({ namespace: 'team-a', name: 'artifacts', uid: NEW, generation: 1, ...(cluster ? { cluster } : {}) });
const TAKE = { 's3.services.k8s.aws/take-back': 'true' };
const ALLOWED: TenancyRules = { adoptionNamespaces: 'all', takeBackNamespaces: ['team-a'] };

t.test('ownership with the cluster tag: another cluster is never ours; buckets without the tag keep working', async (t) => {
  const cases: Array<[string, Record<string, string>, ResourceRef, string]> = [
    ['same uid, no cluster anywhere', tagsFor({ 'services.k8s.aws/uid': NEW }), ref(), 'ours'],
    ['same uid, marked before CLUSTER_NAME was set', tagsFor({ 'services.k8s.aws/uid': NEW }), ref('prod-eu-1'), 'ours'],
    ['same uid, same cluster', tagsFor({ 'services.k8s.aws/uid': NEW, 'services.k8s.aws/cluster': 'prod-eu-1' }), ref('prod-eu-1'), 'ours'],
    ['same uid, another cluster', tagsFor({ 'services.k8s.aws/uid': NEW, 'services.k8s.aws/cluster': 'prod-us-1' }), ref('prod-eu-1'), 'other-resource'],
    ['another uid', tagsFor(), ref('prod-eu-1'), 'other-resource'],
    ['a cluster tag that is no name: no owner', tagsFor({ 'services.k8s.aws/cluster': 'Not A Name!' }), ref(), 'unmarked'],
  ];
  for (const [name, tags, r, want] of cases) t.equal(ownershipOf(tags, r), want, name);
  t.same(ownershipTags(ref('prod-eu-1'), 'created'), {
    'services.k8s.aws/namespace': 'team-a',
    'services.k8s.aws/name': 'artifacts',
    'services.k8s.aws/uid': NEW,
    'services.k8s.aws/cluster': 'prod-eu-1',
    'services.k8s.aws/origin': 'created',
  });
  t.same(
    ownershipTags(ref()),
    { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': NEW },
    'no CLUSTER_NAME: no cluster tag',
  );
});

t.test('takeBack: only the same namespace and name, this cluster, the annotation, a namespace the admin allows', async (t) => {
  const cases: Array<[string, Record<string, string>, Record<string, string>, ResourceRef, TenancyRules, string, RegExp | undefined]> = [
    ['all conditions met', tagsFor(), TAKE, ref(), ALLOWED, 'take', undefined],
    ['with clusters: the same one', tagsFor({ 'services.k8s.aws/cluster': 'prod-eu-1' }), TAKE, ref('prod-eu-1'), ALLOWED, 'take', undefined],
    ['tagged before CLUSTER_NAME', tagsFor(), TAKE, ref('prod-eu-1'), ALLOWED, 'take', undefined],
    ['no annotation: a hint', tagsFor(), {}, ref(), ALLOWED, 'refused', /annotate it s3\.services\.k8s\.aws\/take-back=true .*TAKE_BACK_NAMESPACES/],
    ['no annotation, another name: no hint', tagsFor({ 'services.k8s.aws/name': 'logs' }), {}, ref(), ALLOWED, 'refused', undefined],
    ['another name', tagsFor({ 'services.k8s.aws/name': 'logs' }), TAKE, ref(), ALLOWED, 'refused', /only a bucket tagged for this same namespace and name/],
    [
      'another namespace',
      tagsFor({ 'services.k8s.aws/namespace': 'team-b' }),
      TAKE,
      ref(),
      ALLOWED,
      'refused',
      /only a bucket tagged for this same namespace and name/,
    ],
    ['another cluster', tagsFor({ 'services.k8s.aws/cluster': 'prod-us-1' }), TAKE, ref('prod-eu-1'), ALLOWED, 'refused', /belongs to another cluster/],
    ['namespace not allowed', tagsFor(), TAKE, ref(), { adoptionNamespaces: 'all' }, 'refused', /not allowed in namespace team-a.*TAKE_BACK_NAMESPACES/],
    ['a bad value', tagsFor(), { 's3.services.k8s.aws/take-back': 'yes' }, ref(), ALLOWED, 'refused', /is "yes"; the only value is "true"/],
  ];
  for (const [name, tags, annotations, r, rules, kind, why] of cases) {
    const result = takeBack(ownerOf(tags)!, tags, r, bucketResource({ annotations }), rules);
    t.equal(result.kind, kind, name);
    if (result.kind === 'refused') t.match(result.why ?? '', why ?? /^$/, `${name}: why`);
  }
  const legacy = takeBack(ownerOf(tagsFor({ 'services.k8s.aws/origin': '' }))!, {}, ref(), bucketResource({ annotations: TAKE }), ALLOWED);
  t.same(legacy, { kind: 'take', from: OLD, origin: 'adopted' }, 'no origin tag: counted as adopted, as before');
});

const SPEC = { name: NAME, versioning: { status: 'Enabled' } };
async function run(fake: FakeS3, input: BucketInput, over: { tenancy?: TenancyRules; clusterName?: string } = {}) {
  const deps = testDeps(fake.factory());
  const changes = noChanges();
  const resource = bucketResource({ uid: NEW, spec: SPEC, ...input });
  const response = await fullSync(
    resource,
    { ...deps, defaults: { ...deps.defaults, ...(over.clusterName ? { clusterName: over.clusterName } : {}) }, tenancy: over.tenancy ?? ALLOWED },
    undefined,
    changes,
  );
  return { response, changes, events: plannedEvents({ hook: 'sync', received: resource.status, generation: 1, answer: response, changes }) };
}
const reason = (r: { response: { status: { conditions?: Array<{ type: string; reason: string; message: string }> } } }) =>
  r.response.status.conditions?.find((c) => c.type === 'Ready');

t.test('sync: ManagedElsewhere without the annotation; taken back with it, no setting lost; another cluster named and never taken', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: { ...tagsFor(), team: 'a' }, versioning: 'Enabled' });
  const refused = await run(fake, {});
  t.equal(reason(refused)?.reason, 'ManagedElsewhere');
  t.match(reason(refused)?.message, /managed by another Bucket resource \(its ownership tags say so\).*annotate it s3\.services\.k8s\.aws\/take-back=true/);
  t.same(fake.writes(), []);

  const back = await run(fake, { annotations: TAKE });
  t.equal(reason(back)?.reason, 'Available');
  t.same(fake.writes(), ['PutBucketTagging'], 'only the ownership tags: versioning was as the spec says');
  t.same(fake.buckets.get(NAME)!.tags, { ...tagsFor({ 'services.k8s.aws/uid': NEW }), team: 'a' }, 'the new uid, the origin kept, the other tags kept');
  t.equal(back.changes.takenBackFrom, OLD);
  t.same(
    back.events.map((e) => e.reason),
    ['TakenBack'],
  );
  t.match(back.events[0]!.note, new RegExp(`under uid ${OLD}`));
  t.equal(back.response.status.driftCorrections, undefined, 'taking back is no drift correction');

  const other = new FakeS3();
  other.seed(NAME, { tags: tagsFor({ 'services.k8s.aws/cluster': 'prod-us-1' }) });
  const elsewhere = await run(other, { annotations: TAKE }, { clusterName: 'prod-eu-1' });
  t.match(reason(elsewhere)?.message, /managed by another Bucket resource in cluster "prod-us-1".*belongs to another cluster, which is never taken from/);
  t.same(other.writes(), []);
});

t.test('sync with CLUSTER_NAME: written at create; a bucket marked without it stays ours and gets it', async (t) => {
  const fake = new FakeS3();
  await run(fake, {}, { clusterName: 'prod-eu-1' });
  t.equal(fake.buckets.get(NAME)!.tags['services.k8s.aws/cluster'], 'prod-eu-1');
  const legacy = new FakeS3();
  legacy.seed(NAME, { tags: tagsFor({ 'services.k8s.aws/uid': NEW }), versioning: 'Enabled' });
  const kept = await run(legacy, { status: { observedGeneration: 1 } }, { clusterName: 'prod-eu-1' });
  t.equal(reason(kept)?.reason, 'Available');
  t.same(legacy.buckets.get(NAME)!.tags, tagsFor({ 'services.k8s.aws/uid': NEW, 'services.k8s.aws/cluster': 'prod-eu-1' }));
});

t.test('a hook without CLUSTER_NAME keeps the cluster tag a bucket carries; never one that names no cluster, never past 50 tags', async (t) => {
  const tagged = tagsFor({ 'services.k8s.aws/uid': NEW, 'services.k8s.aws/cluster': 'prod-eu-1' });
  const fake = new FakeS3();
  fake.seed(NAME, { tags: tagged, versioning: 'Enabled' });
  const quiet = await run(fake, { status: { observedGeneration: 1 } });
  t.equal(reason(quiet)?.reason, 'Available');
  t.same(fake.writes(), [], 'in sync as it is: no tag write');
  const retagged = await run(fake, { spec: { ...SPEC, tagging: { tagSet: [{ key: 'team', value: 'a' }] } }, status: { observedGeneration: 1 } });
  t.equal(reason(retagged)?.reason, 'Available');
  t.same(fake.writes(), ['PutBucketTagging']);
  t.same(fake.buckets.get(NAME)!.tags, { ...tagged, team: 'a' }, 'the user tag written, the cluster tag kept');

  const { targetTags } = await import('../../src/reconciler/fields/tagging.js');
  const owner = ownershipTags(ref());
  const asMap = (tags: Array<{ key: string; value: string }>) => Object.fromEntries(tags.map((tag) => [tag.key, tag.value]));
  t.same(asMap(targetTags({ user: [], owner }, tagged)), tagged, 'kept');
  t.same(
    asMap(targetTags({ user: [], owner: ownershipTags(ref('prod-us-1')) }, tagged))['services.k8s.aws/cluster'],
    'prod-us-1',
    'a hook with CLUSTER_NAME writes its own',
  );
  t.notOk(
    'services.k8s.aws/cluster' in asMap(targetTags({ user: [], owner }, { ...tagged, 'services.k8s.aws/cluster': 'Not A Name!' })),
    'a value that names no cluster is not kept',
  );
  t.same(targetTags({ user: [{ key: 'team', value: 'a' }], owner: {} }, tagged), [{ key: 'team', value: 'a' }], 'read-only: no ownership tag at all');
  const full = Array.from({ length: 46 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
  const atLimit = targetTags({ user: full, owner }, tagged);
  t.equal(atLimit.length, 50, "46 user tags and 4 ownership tags: S3's 50");
  t.notOk('services.k8s.aws/cluster' in asMap(atLimit), 'no room: the cluster tag goes, as before');
  t.ok('services.k8s.aws/cluster' in asMap(targetTags({ user: full.slice(1), owner }, tagged)), 'one tag fewer: kept');
});

t.test('CLUSTER_NAME reserves one more of the 50 tags', async (t) => {
  const { resolveDesired } = await import('../../src/reconciler/rules/desired.js');
  const tagSet = Array.from({ length: 46 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
  const resource = bucketResource({ spec: { name: NAME, tagging: { tagSet } } });
  t.equal(resolveDesired(resource, { region: 'eu-west-1', deletionPolicy: 'delete' }).ok, true, '46 user tags and 4 ownership tags');
  const named = resolveDesired(resource, { region: 'eu-west-1', deletionPolicy: 'delete', clusterName: 'prod-eu-1' });
  t.same(named.ok ? undefined : named.problem, {
    path: 'spec.tagging.tagSet',
    message: 'has 46 tags; S3 allows 50 and this controller reserves 5 for ownership',
  });
});
