// Plan, then approve, against Ceph RGW through the real HTTP edge and SDK adapter, as the README's
// "Approving a plan" tells a user to do it: the README's example Bucket with approval: required is
// planned, nothing is written, the plan's hash is approved and exactly that plan is carried out; drift
// and deletion wait for their own approvals; an approval that names no pending plan approves nothing.
import { GetBucketVersioningCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import t from 'tap';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { bucketExists, rgwHarness, uniqueBucket } from '../support/rgw.js';

const { mine, counter, post, track } = rgwHarness(t, { approvalNamespaces: ['prod'] });
const brief = (r: HookResponse) => Object.fromEntries((r.status.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));
const REQUIRED = { 's3.services.k8s.aws/approval': 'required' };
const approved = (hash: string | undefined, base: Record<string, string> = REQUIRED) => ({ ...base, 's3.services.k8s.aws/approved-plan': hash ?? '' });
const versioningOf = async (bucket: string) => (await mine.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;

t.test("the README's example: planned, nothing written; approved, exactly the plan; drift and deletion approved on their own", async (t) => {
  const name = uniqueBucket('approve');
  track(name);
  // The README's example Bucket (The Bucket resource), with the annotation.
  const spec = { name, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };
  counter.reset();
  const pending = await post({ spec, annotations: REQUIRED });
  t.same(counter.writes(), [], 'no write');
  t.equal(await bucketExists(mine, name), false, 'no bucket');
  t.same(brief(pending), { 'ACK.ResourceSynced': 'False/PlanPending', Reconciling: 'True/PlanPending', Ready: 'False/PlanPending' });
  const plan = pending.status.plan!;
  t.same(
    plan.writes.map((w) => `${w.call} ${w.field}`),
    ['CreateBucket spec.name', 'PutBucketTagging spec.tagging', 'PutBucketVersioning spec.versioning'],
  );
  t.comment(`the plan of the README's example: ${JSON.stringify(plan)}`);
  t.ok(pending.status.claim, 'the claim on the name made before the plan (the reservation step) is kept');

  // kubectl annotate bucket artifacts s3.services.k8s.aws/approved-plan=<hash>
  counter.reset();
  const done = await post({ spec, annotations: approved(plan.hash), status: pending.status });
  t.same(brief(done), { 'ACK.ResourceSynced': 'True/Synced', Ready: 'True/Available' });
  // (RGW in us-east-1 refuses a CreateBucket body with tags: the adapter sends it again without them, one port call.)
  t.same([...new Set(counter.writes())], ['CreateBucket', 'PutBucketTagging', 'PutBucketVersioning'], 'the plan, in its order');
  t.equal(await versioningOf(name), 'Enabled');
  t.equal(done.status.appliedPlan, plan.hash);

  // Drift: waits for its own approval; the old one is used up.
  await mine.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Suspended' } }));
  counter.reset();
  const drift = await post({ spec, annotations: approved(plan.hash), status: done.status });
  t.same(counter.writes(), []);
  t.same(
    drift.status.plan?.writes.map((w) => w.call),
    ['PutBucketVersioning'],
  );
  t.match(drift.status.conditions?.find((c) => c.type === 'Ready')?.message, new RegExp(`approved-plan=${plan.hash} does not name this plan`));
  const fixed = await post({ spec, annotations: approved(drift.status.plan?.hash), status: drift.status });
  t.same(counter.writes(), ['PutBucketVersioning']);
  t.equal(brief(fixed).Ready, 'True/Available');
  t.equal(await versioningOf(name), 'Enabled');

  // kubectl delete: DeleteBucket waits for approval too.
  const deleting = { deletionTimestamp: '2026-12-07T10:00:00Z', generation: 1 };
  counter.reset();
  const waiting = await post({ spec, annotations: approved(drift.status.plan?.hash), status: fixed.status, ...deleting }, true);
  t.equal(waiting.finalized, false);
  t.same(counter.writes(), []);
  t.same(
    waiting.status.plan?.writes.map((w) => w.call),
    ['DeleteBucket'],
  );
  const gone = await post({ spec, annotations: approved(waiting.status.plan?.hash), status: waiting.status, ...deleting }, true);
  t.equal(gone.finalized, true);
  t.same(counter.writes(), ['DeleteBucket']);
  t.equal(await bucketExists(mine, name), false);
});

t.test('APPROVAL_NAMESPACES: a namespace listed waits; another writes at once; a bad annotation value writes nothing', async (t) => {
  const name = uniqueBucket('approve-ns');
  track(name);
  const spec = { name };
  counter.reset();
  const listed = await post({ namespace: 'prod', spec });
  t.equal(brief(listed).Ready, 'False/PlanPending');
  t.same(counter.writes(), []);
  const typo = await post({ spec, annotations: { 's3.services.k8s.aws/approval': 'requierd' } });
  t.same(brief(typo)['ACK.Terminal'], 'True/InvalidSpec');
  t.same(counter.writes(), []);
  const free = await post({ namespace: 'dev', spec });
  t.equal(brief(free).Ready, 'True/Available');
  t.same([...new Set(counter.writes())], ['CreateBucket', 'PutBucketTagging']);
});
