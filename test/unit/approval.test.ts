// The approval gate (approval.ts) around the real sync and finalize cores, over the fake S3 and the dry
// run's recording port: nothing is written before the plan's hash is approved, exactly that plan is
// carried out, and an approval is used once.
import t from 'tap';
import { approvalGate, type Pass } from '../../src/reconciler/steps/approval.js';
import { noChanges } from '../../src/reconciler/model/changes.js';
import { finalize } from '../../src/reconciler/deletion/finalize.js';
import { plannedEvents } from '../../src/reconciler/outcome/events.js';
import type { BucketStatus, HookResponse } from '../../src/reconciler/model/resource.js';
import { sync } from '../../src/reconciler/steps/sync.js';
import { dryRun } from '../../src/s3/dry-run-port.js';
import { testDeps } from '../support/deps.js';
import { bucketResource, type BucketInput } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const OURS = {
  'services.k8s.aws/namespace': 'team-a',
  'services.k8s.aws/name': 'artifacts',
  'services.k8s.aws/uid': UID,
  'services.k8s.aws/origin': 'created',
};
const SPEC = { name: NAME, versioning: { status: 'Enabled' } };
const REQUIRED = { 's3.services.k8s.aws/approval': 'required' };
const brief = (r: HookResponse) => Object.fromEntries((r.status.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));
const approve = (hash: string | undefined) => ({ ...REQUIRED, 's3.services.k8s.aws/approved-plan': hash ?? '' });

/** One sync through the gate, as the core's entry runs it (index.ts), the steps inside called directly so a test can act between the passes. */
async function gated(fake: FakeS3, input: BucketInput, options: { finalizing?: boolean; namespaces?: string[]; afterDry?: () => void } = {}) {
  const call = { hook: options.finalizing ? ('finalize' as const) : ('sync' as const), parent: bucketResource({ uid: UID, spec: SPEC, ...input }) };
  const deps = { ...testDeps(fake.factory()), approvalNamespaces: options.namespaces };
  let dryPasses = 0;
  const pass: Pass = async (d, changes) => {
    const response = options.finalizing ? await finalize(call, d) : await sync(call, d, changes, false);
    if (dryPasses++ === 0) options.afterDry?.();
    return response;
  };
  const changes = noChanges();
  const response = await approvalGate(call, deps, pass, dryRun, changes);
  return { response, changes };
}

t.test('create: planned and pending, nothing written; the approved hash creates exactly the plan, once', async (t) => {
  const fake = new FakeS3();
  const { response: pending } = await gated(fake, { annotations: REQUIRED });
  t.same(fake.writes(), [], 'nothing written');
  t.same(brief(pending), { 'ACK.ResourceSynced': 'False/PlanPending', Reconciling: 'True/PlanPending', Ready: 'False/PlanPending' });
  const plan = pending.status.plan!;
  t.same(
    plan.writes.map((w) => `${w.call} ${w.field}`),
    ['CreateBucket spec.name', 'PutBucketVersioning spec.versioning'],
    'the tags go with the create on a store that keeps them: nothing read back, no tagging write planned',
  );
  t.equal(pending.resyncAfterSeconds, 600);
  t.equal(pending.status.ackResourceMetadata, undefined, 'no ARN for a bucket not created');

  const again = await gated(fake, { annotations: REQUIRED, status: pending.status });
  t.equal(again.response.status.plan?.hash, plan.hash, 'the same plan while nothing changed');
  t.same(
    plannedEvents({ hook: 'sync', received: pending.status, generation: 1, answer: again.response, changes: again.changes }),
    [],
    'no second event for the same plan',
  );
  const events = plannedEvents({ hook: 'sync', received: undefined, generation: 1, answer: pending, changes: noChanges() });
  t.same(
    events.map((e) => `${e.type}/${e.reason}`),
    ['Normal/PlanPending'],
    'an Event says the same',
  );

  const { response: done, changes } = await gated(fake, { annotations: approve(plan.hash), status: pending.status });
  t.same(fake.writes(), ['CreateBucket', 'PutBucketVersioning'], 'exactly the plan');
  t.same(brief(done), { 'ACK.ResourceSynced': 'True/Synced', Ready: 'True/Available' });
  t.equal(done.status.plan, undefined);
  t.equal(done.status.appliedPlan, plan.hash);
  t.ok(changes.created, 'the events of a real create');
});

t.test('drift: pending; a stale approval approves nothing; the same drift twice needs two approvals', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS, versioning: 'Suspended' });
  const applied: BucketStatus = { observedGeneration: 1, appliedPlan: 'aaaaaaaaaaaaaaaa' };
  const first = await gated(fake, { annotations: approve('aaaaaaaaaaaaaaaa'), status: applied });
  t.same(fake.writes(), []);
  t.same(first.response.status.plan?.writes, [{ call: 'PutBucketVersioning', field: 'spec.versioning', summary: 'set it to {"status":"Enabled"}' }]);
  t.match(first.response.status.conditions?.find((c) => c.type === 'Ready')?.message, /approved-plan=aaaaaaaaaaaaaaaa does not name this plan/);
  const hash = first.response.status.plan!.hash;

  const done = await gated(fake, { annotations: approve(hash), status: first.response.status });
  t.same(fake.writes(), ['PutBucketVersioning']);
  t.equal(done.response.status.appliedPlan, hash);
  t.same(done.changes.applied, ['spec.versioning']);

  fake.setVersioning(NAME, 'Suspended');
  const twice = await gated(fake, { annotations: approve(hash), status: done.response.status });
  t.same(fake.writes(), ['PutBucketVersioning'], 'the old approval is used up');
  t.not(twice.response.status.plan?.hash, hash, 'the same write, a new plan');
});

t.test('the spec changed after the plan was read: the new plan is pending, nothing written', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS, versioning: 'Suspended' });
  const first = await gated(fake, { annotations: REQUIRED, status: { observedGeneration: 1 } });
  const hash = first.response.status.plan!.hash;
  const edited = await gated(fake, {
    annotations: approve(hash),
    generation: 2,
    spec: { ...SPEC, versioning: { status: 'Suspended' }, tagging: { tagSet: [{ key: 'k', value: 'v' }] } },
    status: first.response.status,
  });
  t.same(fake.writes(), []);
  t.equal(brief(edited.response).Ready, 'False/PlanPending');
  t.same(
    edited.response.status.plan?.writes.map((w) => w.call),
    ['PutBucketTagging'],
  );
});

t.test('S3 changed between the plan and its application: only approved writes are sent, the rest is a new plan', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: { ...OURS, team: 'a' }, versioning: 'Suspended' });
  const spec = { ...SPEC, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };
  const first = await gated(fake, { spec, annotations: REQUIRED, status: { observedGeneration: 1 } });
  const hash = first.response.status.plan!.hash;
  t.same(
    first.response.status.plan?.writes.map((w) => w.call),
    ['PutBucketVersioning'],
  );
  const { response } = await gated(
    fake,
    { spec, annotations: approve(hash), status: first.response.status },
    { afterDry: () => void (fake.buckets.get(NAME)!.tags = { ...OURS, team: 'b' }) },
  );
  // The tags drifted after the plan was made: PutBucketTagging was not approved, so not sent.
  t.same(fake.writes(), ['PutBucketVersioning']);
  t.equal(brief(response).Ready, 'False/PlanPending');
  t.same(
    response.status.plan?.writes.map((w) => w.call),
    ['PutBucketTagging'],
  );
  t.match(
    response.status.conditions?.find((c) => c.type === 'Ready')?.message,
    new RegExp(`^S3 changed while the approved plan ${hash} was carried out: PutBucketTagging was not in it and not sent\\.`),
  );
});

t.test('finalize: DeleteBucket and emptying wait for approval too', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS, objects: 2 });
  const deleting = { deletionTimestamp: '2026-11-24T10:00:00Z', generation: 2, annotations: { ...REQUIRED, 's3.services.k8s.aws/empty-on-delete': 'true' } };
  const first = await gated(fake, deleting, { finalizing: true });
  t.same(fake.writes(), []);
  t.equal(first.response.finalized, false);
  t.same(
    first.response.status.plan?.writes.map((w) => w.call),
    ['EmptyBucket', 'DeleteBucket'],
  );
  const done = await gated(
    fake,
    {
      ...deleting,
      annotations: { ...deleting.annotations, 's3.services.k8s.aws/approved-plan': first.response.status.plan!.hash },
      status: first.response.status,
    },
    { finalizing: true },
  );
  t.equal(done.response.finalized, true);
  t.equal(fake.buckets.has(NAME), false, 'emptied and deleted');
});

t.test('no write needed: the answer as without approval; APPROVAL_NAMESPACES; a bad annotation value', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS, versioning: 'Enabled' });
  const calm = await gated(fake, { status: { observedGeneration: 1 } }, { namespaces: ['team-a'] });
  t.same(brief(calm.response), { 'ACK.ResourceSynced': 'True/Synced', Ready: 'True/Available' });
  t.equal(calm.response.status.plan, undefined);

  fake.setVersioning(NAME, 'Suspended');
  const listed = await gated(fake, { status: { observedGeneration: 1 } }, { namespaces: ['team-a'] });
  t.equal(brief(listed.response).Ready, 'False/PlanPending', 'the namespace is listed');
  const other = await gated(fake, { namespace: 'team-b', status: { observedGeneration: 1 } }, { namespaces: ['team-a'] });
  t.equal(brief(other.response).Ready, 'True/Available', 'another namespace writes at once');
  fake.setVersioning(NAME, 'Suspended');
  fake.calls.length = 0;

  const typo = await gated(fake, { annotations: { 's3.services.k8s.aws/approval': 'yes' }, status: calm.response.status });
  t.same(fake.calls, [], 'no S3 call at all');
  t.same(brief(typo.response), {
    'ACK.Terminal': 'True/InvalidSpec',
    'ACK.ResourceSynced': 'False/InvalidSpec',
    Stalled: 'True/InvalidSpec',
    Ready: 'False/InvalidSpec',
  });
  t.equal(typo.response.status.ackResourceMetadata?.arn, `arn:aws:s3:::${NAME}`, 'the bucket still reported');
});
