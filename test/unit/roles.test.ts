// IAMRoleSelectors in the core (reconciler/roles.ts): ACK's matching rules as a table, the choice from
// `related`, the session's name and tags, what the zero-cost hash covers, the IAMRoleSelected condition,
// and sync/finalize over the fake S3 with a role, two roles, or none.
import t from 'tap';
import { finalize, fullSync, sync, withRoleCondition } from '../support/core.js';
import { describeFailure } from '../../src/reconciler/outcome/messages.js';
import { inputHash } from '../../src/reconciler/rules/quick.js';
import type { BucketResource, HookResponse } from '../../src/reconciler/model/resource.js';
import {
  chooseRole,
  identityKey,
  matches,
  NAMESPACE_GROUP,
  parseSelector,
  ROLE_CONDITION,
  ROLE_SELECTOR_GROUP,
  roleRefusal,
  roleRelatedResources,
  roleSession,
  withRole,
  type RoleChoice,
  type RoleSelector,
} from '../../src/reconciler/rules/roles.js';
import { S3Error, type RoleSession, type S3PortFactory } from '../../src/s3/port.js';
import { testDeps } from '../support/deps.js';
import { bucketResource } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const ROLE = 'arn:aws:iam::111122223333:role/team-a';
const sel = (over: Partial<RoleSelector> = {}): RoleSelector => ({
  name: 's',
  arn: ROLE,
  namespaceNames: [],
  namespaceLabels: {},
  resourceLabels: {},
  resourceTypes: [],
  ...over,
});
const ctx = { namespace: 'team-a', namespaceLabels: { team: 'a', env: 'prod' }, resourceLabels: { app: 'web' } };

t.test("matching follows ACK's matcher: AND between parts, OR within names and types, empty parts match all", async (t) => {
  const rows: Array<[string, Partial<RoleSelector>, boolean]> = [
    ['an empty selector matches everything', {}, true],
    ['namespace name listed', { namespaceNames: ['team-b', 'team-a'] }, true],
    ['namespace name not listed', { namespaceNames: ['team-b'] }, false],
    ['namespace labels, all present', { namespaceLabels: { team: 'a', env: 'prod' } }, true],
    ['namespace labels, one differs', { namespaceLabels: { team: 'a', env: 'dev' } }, false],
    ['names and labels both hold', { namespaceNames: ['team-a'], namespaceLabels: { team: 'a' } }, true],
    ['name holds, labels do not: no match (AND)', { namespaceNames: ['team-a'], namespaceLabels: { team: 'b' } }, false],
    ['resource labels hold', { resourceLabels: { app: 'web' } }, true],
    ['resource labels do not', { resourceLabels: { app: 'db' } }, false],
    ['resource type Bucket', { resourceTypes: [{ group: 's3.services.k8s.aws', version: 'v1alpha1', kind: 'Bucket' }] }, true],
    ['resource type with empty parts', { resourceTypes: [{ group: 's3.services.k8s.aws', version: '', kind: '' }] }, true],
    ['another kind only', { resourceTypes: [{ group: 'rds.services.k8s.aws', version: 'v1alpha1', kind: 'DBInstance' }] }, false],
    [
      'one of several types (OR)',
      {
        resourceTypes: [
          { group: 'rds.services.k8s.aws', version: '', kind: '' },
          { group: '', version: '', kind: 'Bucket' },
        ],
      },
      true,
    ],
    ['a wrong version', { resourceTypes: [{ group: 's3.services.k8s.aws', version: 'v1', kind: 'Bucket' }] }, false],
  ];
  for (const [label, over, expected] of rows) t.equal(matches(sel(over), ctx), expected, label);
});

const selectorObject = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'services.k8s.aws/v1alpha1',
  kind: 'IAMRoleSelector',
  metadata: { name },
  spec,
});
const related = (selectors: Array<ReturnType<typeof selectorObject>>, labels: Record<string, string> = {}, namespace = 'team-a') => ({
  [ROLE_SELECTOR_GROUP]: Object.fromEntries(selectors.map((s) => [s.metadata.name, s])),
  [NAMESPACE_GROUP]: { [namespace]: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } } },
});
const parent = (labels?: Record<string, string>): BucketResource => {
  const r = bucketResource({ spec: { name: 'team-a-data' } });
  if (labels) r.metadata.labels = labels;
  return r;
};

t.test('the choice from related: none, one (with its account), two (named, sorted), a bad ARN', async (t) => {
  t.same(chooseRole(parent(), undefined), { kind: 'default' }, 'no related objects at all (no customize hook)');
  t.same(chooseRole(parent(), {}), { kind: 'default' });
  t.same(
    chooseRole(parent(), related([selectorObject('b', { arn: ROLE, namespaceSelector: { names: ['team-b'] } })])),
    { kind: 'default' },
    'no selector matches',
  );
  t.same(chooseRole(parent(), related([selectorObject('a', { arn: ROLE, namespaceSelector: { names: ['team-a'] } })])), {
    kind: 'role',
    arn: ROLE,
    selector: 'a',
    account: '111122223333',
  });
  t.same(
    chooseRole(parent(), related([selectorObject('a', { arn: 'arn:aws:iam:::role/team-a', namespaceSelector: { names: ['team-a'] } })])),
    { kind: 'role', arn: 'arn:aws:iam:::role/team-a', selector: 'a', account: undefined },
    "Ceph RGW's tenant-less ARN: no account",
  );
  const byLabel = selectorObject('z-label', { arn: ROLE, namespaceSelector: { labelSelector: { matchLabels: { team: 'a' } } } });
  const byName = selectorObject('a-name', { arn: ROLE, namespaceSelector: { names: ['team-a'] } });
  t.same(chooseRole(parent(), related([byLabel, byName], { team: 'a' })), { kind: 'ambiguous', selectors: ['a-name', 'z-label'] });
  t.same(chooseRole(parent(), related([byLabel, byName], {})).kind, 'role', 'the namespace label gone, one matches');
  const byResource = selectorObject('web', { arn: ROLE, namespaceSelector: { names: ['team-a'] }, resourceLabelSelector: { matchLabels: { app: 'web' } } });
  t.same(chooseRole(parent({ app: 'web' }), related([byResource])).kind, 'role');
  t.same(chooseRole(parent({ app: 'db' }), related([byResource])).kind, 'default');
  t.same(chooseRole(parent(), related([selectorObject('bad', { arn: 'arn:aws:s3:::team-a' })])), {
    kind: 'invalid',
    selector: 'bad',
    arn: 'arn:aws:s3:::team-a',
  });
  t.same(parseSelector('nonsense'), undefined);
  t.same(
    parseSelector({ metadata: { name: 'x' }, spec: { arn: 1, namespaceSelector: { names: 'team-a' } } }),
    sel({ name: 'x', arn: '' }),
    'malformed parts read as empty',
  );
});

t.test('a selector without a namespaceSelector (resource labels or the ARN alone) is refused unless the admin allows it', async (t) => {
  const labelOnly = selectorObject('team-a-by-label', { arn: ROLE, resourceLabelSelector: { matchLabels: { team: 'a' } } });
  const arnOnly = selectorObject('everyone', { arn: ROLE });
  const evil = (labels: Record<string, string>): BucketResource => {
    const r = bucketResource({ namespace: 'evil', spec: { name: 'team-a-data' } });
    r.metadata.labels = labels;
    return r;
  };
  t.same(
    chooseRole(evil({ team: 'a' }), related([labelOnly], {}, 'evil')),
    { kind: 'unscoped', selector: 'team-a-by-label' },
    "evil labels its Bucket as team-a's: no role",
  );
  t.same(
    chooseRole(parent({ team: 'a' }), related([labelOnly])),
    { kind: 'unscoped', selector: 'team-a-by-label' },
    "team-a's own Buckets too, until the selector names its namespaces",
  );
  t.same(chooseRole(parent(), related([arnOnly])), { kind: 'unscoped', selector: 'everyone' });
  t.same(chooseRole(evil({}), related([labelOnly], {}, 'evil')), { kind: 'default' }, 'not matching: nothing to refuse');
  const byNamespaceLabel = selectorObject('by-ns-label', {
    arn: ROLE,
    namespaceSelector: { labelSelector: { matchLabels: { team: 'a' } } },
    resourceLabelSelector: { matchLabels: { team: 'a' } },
  });
  t.same(
    chooseRole(parent({ team: 'a' }), related([byNamespaceLabel], { team: 'a' })).kind,
    'role',
    "a Namespace's labels scope it (the admin's, not the Bucket author's)",
  );
  t.same(chooseRole(evil({ team: 'a' }), related([byNamespaceLabel], {}, 'evil')).kind, 'default');
  const ack = { allowUnscoped: true };
  t.same(
    chooseRole(evil({ team: 'a' }), related([labelOnly], {}, 'evil'), ack),
    { kind: 'role', arn: ROLE, selector: 'team-a-by-label', account: '111122223333' },
    "ALLOW_UNSCOPED_ROLE_SELECTORS: ACK's matching",
  );
  const refusal = roleRefusal({ kind: 'unscoped', selector: 'team-a-by-label' });
  t.equal(refusal?.terminal?.reason, 'InvalidRoleSelector');
  t.equal(
    refusal?.terminal?.message,
    'IAMRoleSelector team-a-by-label matches this Bucket by its labels alone: it has no spec.namespaceSelector, so any namespace could use its role by labelling a Bucket, and the hook refuses such selectors; nothing was sent to S3. The cluster admin adds spec.namespaceSelector (names, or a labelSelector on the Namespace) naming the namespaces whose Buckets may use that role (kubectl edit iamroleselector team-a-by-label), or, to match selectors as ACK does, sets ALLOW_UNSCOPED_ROLE_SELECTORS=true on the hook.',
  );
  t.notMatch(refusal?.terminal?.message, ROLE, 'the role is not named to whoever wrote the Bucket');
  const fake = new FakeS3();
  const out = await fullSync(evil({ team: 'a' }), { ...testDeps(fake.factory()), role: { kind: 'unscoped', selector: 'team-a-by-label' } });
  t.equal(conditionOf(out, 'ACK.Terminal')?.reason, 'InvalidRoleSelector');
  t.same(fake.calls, [], 'nothing sent to S3');
});

t.test('the session: one per role and namespace, a bounded name of allowed characters, the namespace as a tag', async (t) => {
  t.same(roleSession(ROLE, 'team-a'), { roleArn: ROLE, sessionName: 'bucket-hook.team-a', tags: [{ key: 'kubernetes-namespace', value: 'team-a' }] });
  const long = 'n'.repeat(63);
  const a = roleSession(ROLE, long);
  const b = roleSession(ROLE, `${'n'.repeat(62)}m`);
  t.equal(a.sessionName.length, 64);
  t.match(a.sessionName, /^[\w+=,.@-]{2,64}$/);
  t.not(a.sessionName, b.sessionName, 'two long namespaces with a common prefix get different names');
  t.same(roleSession(ROLE, ''), { roleArn: ROLE, sessionName: 'bucket-hook.', tags: [] });
});

t.test('the zero-cost hash: unchanged without a role, changed by a role, by another role, by a conflict', async (t) => {
  const r = parent();
  const role: RoleChoice = { kind: 'role', arn: ROLE, selector: 'a', account: undefined };
  t.equal(identityKey(undefined), undefined);
  t.equal(identityKey({ kind: 'default' }), undefined);
  t.equal(inputHash(r, 'eu-west-1', identityKey({ kind: 'default' })), inputHash(r, 'eu-west-1'), 'no role: the hash every Bucket has today');
  const hashes = new Set([
    inputHash(r, 'eu-west-1'),
    inputHash(r, 'eu-west-1', identityKey(role)),
    inputHash(r, 'eu-west-1', identityKey({ ...role, arn: 'arn:aws:iam::111122223333:role/team-b' })),
    inputHash(r, 'eu-west-1', identityKey({ kind: 'ambiguous', selectors: ['a', 'b'] })),
    inputHash(r, 'eu-west-1', identityKey({ kind: 'invalid', selector: 'a', arn: 'x' })),
    inputHash(r, 'eu-west-1', identityKey({ kind: 'unscoped', selector: 'a' })),
  ]);
  t.equal(hashes.size, 6);
});

t.test('customize rules: the Namespace by name and every IAMRoleSelector', async (t) => {
  t.same(roleRelatedResources(parent()), [
    { apiVersion: 'v1', resource: 'namespaces', names: ['team-a'] },
    { apiVersion: 'services.k8s.aws/v1alpha1', resource: 'iamroleselectors' },
  ]);
});

/** The fake S3 with the sessions its ports were asked for recorded. */
function recorded(fake: FakeS3): { factory: S3PortFactory; sessions: Array<RoleSession | undefined> } {
  const sessions: Array<RoleSession | undefined> = [];
  const inner = fake.factory();
  return { factory: (region, session) => (sessions.push(session), inner(region)), sessions };
}
const role: RoleChoice = { kind: 'role', arn: ROLE, selector: 'team-a', account: '111122223333' };
const conditionOf = (r: HookResponse, type: string) => r.status.conditions?.find((c) => c.type === type);

t.test('sync with a role: its session for every port, its account as ownerAccountID; without: unchanged', async (t) => {
  const fake = new FakeS3();
  const { factory, sessions } = recorded(fake);
  const deps = withRole({ ...testDeps(factory), accountId: '999999999999' }, role, 'team-a');
  const out = await sync(bucketResource({ spec: { name: 'team-a-data' } }), deps);
  t.equal(conditionOf(out, 'Ready')?.status, 'True');
  t.same(new Set(sessions.map((s) => s?.sessionName)), new Set(['bucket-hook.team-a']));
  t.equal(out.status.ackResourceMetadata?.ownerAccountID, '111122223333', "the role's account, not the hook's AWS_ACCOUNT_ID");
  t.not(out.status.lastCheck?.inputHash, inputHash(bucketResource({ spec: { name: 'team-a-data' } }), 'eu-west-1'), 'the hash covers the role');

  const plain = recorded(new FakeS3());
  const base = { ...testDeps(plain.factory), accountId: '999999999999' };
  const same = withRole(base, { kind: 'default' }, 'team-a');
  t.equal(same.s3, base.s3, 'no role: the factory as it was');
  const own = await sync(bucketResource({ spec: { name: 'team-a-data' } }), same);
  t.same(
    plain.sessions,
    plain.sessions.map(() => undefined),
    "the hook's own identity",
  );
  t.equal(own.status.ackResourceMetadata?.ownerAccountID, '999999999999');
  t.equal(own.status.lastCheck?.inputHash, inputHash(bucketResource({ spec: { name: 'team-a-data' } }), 'eu-west-1'));
});

t.test('two selectors: sync and finalize are terminal, name both, make no S3 call, and keep the reported ARN', async (t) => {
  const fake = new FakeS3();
  fake.seed('team-a-data');
  const deps = { ...testDeps(fake.factory()), role: { kind: 'ambiguous', selectors: ['a', 'b'] } as RoleChoice };
  const status = { ackResourceMetadata: { arn: 'arn:aws:s3:::team-a-data', region: 'eu-west-1' } };
  const out = await fullSync(bucketResource({ spec: { name: 'team-a-data' }, status }), deps);
  t.equal(conditionOf(out, 'ACK.Terminal')?.reason, 'RoleSelectorConflict');
  t.match(conditionOf(out, 'ACK.Terminal')?.message, 'IAMRoleSelectors a, b all match this Bucket');
  t.equal(out.status.ackResourceMetadata?.arn, 'arn:aws:s3:::team-a-data');
  const fin = await finalize(bucketResource({ spec: { name: 'team-a-data' }, deletionTimestamp: '2026-11-24T10:00:00Z' }), deps);
  t.equal(fin.finalized, false);
  t.equal(conditionOf(fin, 'ACK.Terminal')?.reason, 'RoleSelectorConflict');
  const bad = await fullSync(bucketResource({ spec: { name: 'team-a-data' } }), { ...deps, role: { kind: 'invalid', selector: 'x', arn: 'arn:aws:s3:::y' } });
  t.equal(conditionOf(bad, 'ACK.Terminal')?.reason, 'InvalidRoleSelector');
  t.same(fake.calls, [], 'nothing sent to S3');
  t.equal(fake.buckets.has('team-a-data'), true);
});

t.test('ACK.IAMRoleSelected: before Ready, stable, gone without a role', async (t) => {
  const response: HookResponse = {
    status: {
      conditions: [
        { type: 'ACK.ResourceSynced', status: 'True', reason: 'Synced', message: 'm', lastTransitionTime: 't0' },
        { type: 'Ready', status: 'True', reason: 'Available', message: 'm', lastTransitionTime: 't0' },
      ],
    },
    children: [],
  };
  const first = withRoleCondition(response, role, [], new Date('2026-12-01T10:00:00Z'));
  t.same(
    first.status.conditions?.map((c) => c.type),
    ['ACK.ResourceSynced', ROLE_CONDITION, 'Ready'],
  );
  t.same(conditionOf(first, ROLE_CONDITION), {
    type: ROLE_CONDITION,
    status: 'True',
    reason: 'Selected',
    message: `roleARN: ${ROLE}, selectorName: team-a`,
    lastTransitionTime: '2026-12-01T10:00:00Z',
  });
  const again = withRoleCondition(first, role, first.status.conditions!, new Date('2026-12-01T11:00:00Z'));
  t.same(again, first, 'an unchanged role changes nothing (zero-cost answers stay identical)');
  const other = withRoleCondition(first, { ...role, arn: 'arn:aws:iam::111122223333:role/team-b' }, first.status.conditions!, new Date('2026-12-01T11:00:00Z'));
  t.equal(conditionOf(other, ROLE_CONDITION)?.lastTransitionTime, '2026-12-01T11:00:00Z');
  t.same(
    withRoleCondition(first, { kind: 'default' }, [], new Date()).status.conditions?.map((c) => c.type),
    ['ACK.ResourceSynced', 'Ready'],
  );
  t.equal(withRoleCondition(response, { kind: 'default' }, [], new Date()), response);
});

t.test('messages name the role: what to grant it, and what a refused AssumeRole needs', async (t) => {
  const denied = new S3Error('CreateBucket', 'AccessDenied', 'access-denied', 403, { identity: ROLE });
  t.match(
    describeFailure(denied, 'team-b-x'),
    `CreateBucket failed with AccessDenied (HTTP 403): the IAM role ${ROLE} (chosen by an IAMRoleSelector) is not allowed to do this: allow s3:CreateBucket`,
  );
  t.match(describeFailure(new S3Error('CreateBucket', 'AccessDenied', 'access-denied', 403), 'x'), "the hook's credentials are not allowed");
  const refused = describeFailure(new S3Error('AssumeRole', 'AccessDenied', 'access-denied', 403, { identity: ROLE }), 'x');
  t.match(refused, `AssumeRole failed with AccessDenied (HTTP 403): the hook may not assume the IAM role ${ROLE}: the role's trust policy must allow`);
  t.match(refused, "the hook's IAM policy must allow sts:AssumeRole on");
  t.match(describeFailure(new S3Error('AssumeRole', 'NotFound', 'access-denied', 404, { identity: ROLE }), 'x'), `(STS answered 404: does ${ROLE} exist?)`);
  t.match(
    describeFailure(new S3Error('AssumeRole', 'ValidationError', 'invalid', 400, { identity: ROLE, sent: 'AssumeRole of r' }), 'x'),
    'STS refused the request the hook sent (AssumeRole of r)',
  );
});
