// ACK's services.k8s.aws/ignore-field-drift and the tags other tools own (FOREIGN_TAG_PREFIXES), over
// the fake S3: what is written at create, what a drift check reads (counted), what it leaves alone, and
// the InvalidSpec for paths that name no field.
import t from 'tap';
import { sync } from '../support/core.js';
import { ConfigError, parseConfig } from '../../src/config.js';
import { ANNOTATION } from '../../src/reconciler/rules/annotations.js';
import { resolveDesired } from '../../src/reconciler/rules/desired.js';
import { ignoredFields } from '../../src/reconciler/rules/ignore-drift.js';
import { inputHash } from '../../src/reconciler/rules/quick.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { testDeps } from '../support/deps.js';
import { bucketResource, type BucketInput } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };
const LIFECYCLE = { rules: [{ id: 'expire', status: 'Enabled', filter: { prefix: 'tmp/' }, expiration: { days: 7 } }] };
const SPEC = { name: NAME, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] }, lifecycle: LIFECYCLE };
const IGNORE = (value: string) => ({ [ANNOTATION.ignoreFieldDrift]: value });

const reasons = (r: HookResponse) => Object.fromEntries((r.status.conditions ?? []).map((c) => [c.type, c.reason]));
const run = (fake: FakeS3, input: BucketInput, foreign?: string[]) => {
  const deps = testDeps(fake.factory());
  if (foreign) deps.defaults = { ...deps.defaults, foreignTagPrefixes: foreign };
  return sync(bucketResource({ uid: UID, spec: SPEC, ...input }), deps);
};

t.test('the annotation: ACK format, with or without "spec.", whole fields, aliases; unknown paths named', async (t) => {
  t.same(ignoredFields({}), []);
  t.same(ignoredFields(IGNORE(' , ')), [], 'blank entries are skipped');
  t.same(ignoredFields(IGNORE('spec.tagging, lifecycle ,spec.tagging')), ['spec.tagging', 'spec.lifecycle'], 'trimmed, prefix optional, no repeats');
  t.same(
    ignoredFields(IGNORE('spec.tagging.tagSet,spec.cors.corsRules,versioning.status')),
    ['spec.tagging', 'spec.cors', 'spec.versioning'],
    "a field's whole content names the field",
  );
  t.same(
    ignoredFields(IGNORE('spec.grantRead,spec.objectLockEnabledForBucket')),
    ['spec.acl', 'spec.objectLockConfiguration'],
    'keys handled by a field of another name',
  );
  t.same(ignoredFields(IGNORE('spec.objectOwnership,spec.createBucketConfiguration')), [], 'create-time only: accepted, never compared anyway');
  t.throws(() => ignoredFields(IGNORE('spec.tagz,spec.tagging,Spec.Lifecycle')), {
    message:
      /names "spec.tagz", "Spec.Lifecycle", which are not a field this controller manages: list top-level spec fields, comma-separated, such as spec.tagging,spec.lifecycle/,
  });
  t.throws(() => ignoredFields(IGNORE('spec.website.indexDocument')), {
    message: /"spec.website.indexDocument" \(fields are ignored whole: use spec.website\), which is not/,
  });
  t.throws(() => ignoredFields(IGNORE('spec.name')), { message: /the bucket's name cannot be ignored/ });
});

t.test('an unknown path is InvalidSpec before any S3 call', async (t) => {
  const fake = new FakeS3();
  const res = await run(fake, { annotations: IGNORE('spec.tagz') });
  t.same(reasons(res), { 'ACK.Terminal': 'InvalidSpec', 'ACK.ResourceSynced': 'InvalidSpec', Stalled: 'InvalidSpec', Ready: 'InvalidSpec' });
  t.match(res.status.conditions?.[0]?.message, /services\.k8s\.aws\/ignore-field-drift"\] names "spec.tagz"/);
  t.same(fake.calls, [], 'nothing sent to S3');
});

t.test('written at create, then neither read nor written: out-of-band changes and spec edits stay as they are', async (t) => {
  const fake = new FakeS3();
  const annotations = IGNORE('spec.lifecycle,spec.tagging');
  const created = await run(fake, { annotations });
  t.same(reasons(created), { 'ACK.ResourceSynced': 'Synced', Ready: 'Available' });
  const b = fake.buckets.get(NAME)!;
  t.same(b.configs.lifecycle, LIFECYCLE, 'the ignored lifecycle is written at create');
  t.same(b.tags, { team: 'a', ...OURS, 'services.k8s.aws/origin': 'created' }, 'the ignored tags too');

  // Another tool changes both; the spec changes both too.
  b.configs.lifecycle = { rules: [{ id: 'theirs', status: 'Enabled', expiration: { days: 1 } }] };
  b.tags = { team: 'ops', 'cost-center': '42', ...OURS };
  const edited = { ...SPEC, tagging: { tagSet: [{ key: 'team', value: 'b' }] }, lifecycle: { rules: [] } };
  fake.calls.length = 0;
  const checked = await run(fake, { annotations, spec: edited, generation: 2, status: created.status });
  t.same(
    fake.calls.sort(),
    ['GetBucketTagging', 'GetBucketVersioning'],
    'the drift check reads no lifecycle (one call fewer); the tags only for ownership (and, the bucket claimed, in place of HeadBucket)',
  );
  t.same(fake.writes(), [], 'nothing written');
  t.same(b.configs.lifecycle, { rules: [{ id: 'theirs', status: 'Enabled', expiration: { days: 1 } }] });
  t.same(b.tags, { team: 'ops', 'cost-center': '42', ...OURS });
  t.same(reasons(checked), { 'ACK.ResourceSynced': 'Synced', Ready: 'Available' }, 'still Synced, as in ACK');
  t.match(
    checked.status.conditions?.find((c) => c.type === 'Ready')?.message,
    /drift of spec\.lifecycle, spec\.tagging is ignored \(annotation services\.k8s\.aws\/ignore-field-drift\)/,
  );

  // The ownership tags are still the hook's business: wiped out of band, they come back alone.
  b.tags = { team: 'ops' };
  fake.calls.length = 0;
  await run(fake, { annotations, spec: edited, generation: 2, status: checked.status });
  t.same(fake.writes(), ['PutBucketTagging']);
  t.same(
    b.tags,
    { team: 'ops', ...OURS, 'services.k8s.aws/origin': 'created' },
    "the user's tags stay; only the ownership marks are put back (the status's claim says this resource created it)",
  );

  // Versioning is not ignored: its drift is put back.
  fake.setVersioning(NAME, 'Suspended');
  fake.calls.length = 0;
  await run(fake, { annotations, spec: edited, generation: 2, status: checked.status });
  t.same(fake.writes(), ['PutBucketVersioning']);

  // Dropping a field from the annotation manages it again: the spec's value is pushed.
  fake.calls.length = 0;
  await run(fake, { annotations: IGNORE('spec.tagging'), spec: edited, generation: 2, status: checked.status });
  t.same(fake.writes(), ['DeleteBucketLifecycle'], 'lifecycle: {rules: []} now removes the rules');
});

t.test('an adopted bucket: the ignored fields are never written', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: { team: 'ops' }, configs: { lifecycle: { rules: [{ id: 'theirs', status: 'Enabled', expiration: { days: 1 } }] } } });
  const res = await run(fake, { annotations: { ...IGNORE('spec.lifecycle'), [ANNOTATION.adoptionPolicy]: 'adopt' } });
  t.equal(reasons(res).Ready, 'Available');
  t.same(fake.writes(), ['PutBucketTagging', 'PutBucketVersioning'], 'the tags (spec and ownership) and versioning; no lifecycle');
});

t.test('read-only: ignored fields are not compared either', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { versioning: 'Enabled', tags: { team: 'ops' } });
  const res = await run(fake, { annotations: { ...IGNORE('spec.tagging,spec.lifecycle'), [ANNOTATION.readOnly]: 'true' } });
  t.same(reasons(res), { 'ACK.ResourceSynced': 'Synced', Ready: 'Available' });
  t.same(fake.calls.sort(), ['GetBucketVersioning', 'HeadBucket'], 'no tags (read-only claims nothing), no lifecycle');
});

t.test('the input hash: unchanged for Buckets without the annotation, changed by it', async (t) => {
  const plain = bucketResource({ uid: UID, spec: SPEC });
  const annotated = bucketResource({ uid: UID, spec: SPEC, annotations: IGNORE('spec.tagging') });
  const other = bucketResource({ uid: UID, spec: SPEC, annotations: IGNORE('spec.lifecycle') });
  t.equal(inputHash(plain, 'eu-west-1'), inputHash(bucketResource({ uid: UID, spec: SPEC, annotations: { unrelated: 'x' } }), 'eu-west-1'));
  t.not(inputHash(plain, 'eu-west-1'), inputHash(annotated, 'eu-west-1'));
  t.not(inputHash(annotated, 'eu-west-1'), inputHash(other, 'eu-west-1'));
});

t.test('foreign tag prefixes: never removed, never compared; aws: as ever', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, {
    tags: { team: 'x', 'org:owner': 'finance', 'cost-center/id': '42', 'aws:cloudformation:stack-name': 's', ...OURS },
    versioning: 'Enabled',
    configs: { lifecycle: LIFECYCLE },
  });
  const res = await run(fake, {}, ['org:', 'cost-center/']);
  t.equal(reasons(res).Ready, 'Available');
  t.same(fake.writes(), ['PutBucketTagging'], 'team differs');
  t.same(
    fake.buckets.get(NAME)!.tags,
    { team: 'a', 'org:owner': 'finance', 'cost-center/id': '42', ...OURS },
    'the foreign tags are carried in the write, the aws: one is not written',
  );

  fake.buckets.get(NAME)!.tags['org:owner'] = 'ops';
  fake.calls.length = 0;
  await run(fake, {}, ['org:', 'cost-center/']);
  t.same(fake.writes(), [], 'a changed foreign tag is not drift');

  fake.calls.length = 0;
  await run(fake, {});
  t.same(fake.writes(), ['PutBucketTagging'], "without FOREIGN_TAG_PREFIXES they are the user's tags, as before: removed");
  t.same(fake.buckets.get(NAME)!.tags, { team: 'a', ...OURS });
});

t.test('foreign tag prefixes: kept when spec.tagging is omitted; a spec tag under one is InvalidSpec', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: { team: 'x', 'org:owner': 'finance' } });
  const res = await run(fake, { spec: { name: NAME }, annotations: { [ANNOTATION.adoptionPolicy]: 'adopt' } }, ['org:']);
  t.equal(reasons(res).Ready, 'Available');
  t.same(fake.buckets.get(NAME)!.tags, { team: 'x', 'org:owner': 'finance', ...OURS, 'services.k8s.aws/origin': 'adopted' });
  const desired = resolveDesired(bucketResource({ spec: { name: NAME, tagging: { tagSet: [{ key: 'org:owner', value: 'me' }] } } }), {
    region: 'eu-west-1',
    deletionPolicy: 'delete',
    foreignTagPrefixes: ['org:'],
  });
  t.match(desired, {
    ok: false,
    problem: { path: 'spec.tagging.tagSet[0].key', message: /"org:owner": tags under "org:" belong to another tool \(the hook's FOREIGN_TAG_PREFIXES\)/ },
  });
});

t.test('FOREIGN_TAG_PREFIXES: parsed, and refused when it would cover the ownership tags', async (t) => {
  t.same(parseConfig({ AWS_REGION: 'eu-west-1' }).foreignTagPrefixes, []);
  t.same(parseConfig({ AWS_REGION: 'eu-west-1', FOREIGN_TAG_PREFIXES: ' org:, cost-center/ ,,org:' }).foreignTagPrefixes, ['org:', 'cost-center/']);
  const problems = (value: string): string[] => {
    try {
      parseConfig({ AWS_REGION: 'eu-west-1', FOREIGN_TAG_PREFIXES: value });
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    return [];
  };
  t.same(problems('org:,services.'), [
    'FOREIGN_TAG_PREFIXES: "services." would cover this controller\'s ownership tags (services.k8s.aws/...): name the other tool\'s own prefix, such as org: or cost-center/',
  ]);
  t.match(problems('x'.repeat(200)), [/is longer than a tag key may be/]);
});
