// Which Events a reconcile records (src/reconciler/events.ts), from the real core over the fake S3: one
// per transition (create, update, drift, adoption, each problem, recovery, finalize outcomes), none for a
// quiet resync or an echo, and notes that fit the API server's 1 KiB.
import t from 'tap';
import { answerFromStatus, finalize, fullSync } from '../support/core.js';
import { noChanges } from '../../src/reconciler/model/changes.js';
import { clampNote, plannedEvents, type PlannedEvent } from '../../src/reconciler/outcome/events.js';
import type { BucketStatus, HookResponse } from '../../src/reconciler/model/resource.js';
import { bucketResource, type BucketInput } from '../support/envelope.js';
import { testDeps } from '../support/deps.js';
import { FakeS3 } from '../support/fake-s3.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };
const SPEC = { name: NAME, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };
const deleting = { deletionTimestamp: '2026-11-24T12:00:00Z' };

/** One full sync (or finalize), and the events the edge would record for it. */
async function step(fake: FakeS3, input: BucketInput, finalizing = false): Promise<{ answer: HookResponse; events: PlannedEvent[] }> {
  const resource = bucketResource({ spec: SPEC, ...input });
  const changes = noChanges();
  const deps = testDeps(fake.factory());
  const answer = finalizing ? await finalize(resource, deps) : await fullSync(resource, deps, undefined, changes);
  const events = plannedEvents({
    hook: finalizing ? 'finalize' : 'sync',
    received: resource.status,
    generation: resource.metadata.generation ?? 0,
    answer,
    changes,
  });
  return { answer, events };
}
const brief = (events: PlannedEvent[]): string[] => events.map((e) => `${e.type} ${e.reason} ${e.action}`);

t.test('created, then a quiet full check and an echo record nothing', async (t) => {
  const fake = new FakeS3();
  const created = await step(fake, {});
  t.same(created.events, [{ type: 'Normal', reason: 'Created', action: 'Create', note: `Created bucket "${NAME}" in eu-west-1; set spec.versioning.` }]);
  const quiet = await step(fake, { status: created.answer.status });
  t.same(quiet.events, [], 'a quiet resync: nothing written, no condition moved');
  const received = bucketResource({ spec: SPEC, status: created.answer.status, keepLastCheck: true });
  const echo = answerFromStatus(received, testDeps(fake.factory()));
  t.ok(echo, 'the zero-cost answer holds');
  t.same(plannedEvents({ hook: 'sync', received: received.status, generation: 1, answer: echo!, changes: noChanges() }), [], 'the echo');
});

t.test('a spec change is Updated (which fields); the same fields put back at the same generation are DriftCorrected', async (t) => {
  const fake = new FakeS3();
  const { answer } = await step(fake, {});
  const spec2 = { name: NAME, versioning: { status: 'Suspended' }, tagging: { tagSet: [{ key: 'team', value: 'b' }] } };
  const updated = await step(fake, { spec: spec2, generation: 2, status: answer.status });
  t.same(updated.events, [
    {
      type: 'Normal',
      reason: 'Updated',
      action: 'Update',
      note: `Updated spec.tagging, spec.versioning of bucket "${NAME}" to match the spec (generation 2).`,
    },
  ]);
  fake.buckets.get(NAME)!.configs.versioning = { status: 'Enabled' };
  const healed = await step(fake, { spec: spec2, generation: 2, status: updated.answer.status });
  t.same(healed.events, [
    {
      type: 'Normal',
      reason: 'DriftCorrected',
      action: 'Reconcile',
      note: `S3 differed from the spec at spec.versioning of bucket "${NAME}"; the hook put the spec back.`,
    },
  ]);
});

t.test('an adopted bucket is Adopted', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: { owner: 'ops' } });
  const { events } = await step(fake, { annotations: { 'services.k8s.aws/adoption-policy': 'adopt' } });
  t.same(brief(events), ['Normal Adopted Adopt']);
  t.match(events[0]?.note, /^Adopted the existing bucket "team-a-artifacts-7f3c" in eu-west-1: tagged as this resource's; wrote spec\.tagging/);
});

t.test('a terminal reason is a Warning once; the same answer again records nothing', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { owner: 'other' });
  const taken = await step(fake, {});
  t.same(brief(taken.events), ['Warning NameTaken Reconcile']);
  t.equal(taken.events[0]?.note, taken.answer.status.conditions?.find((c) => c.type === 'ACK.Terminal')?.message, "the note is the condition's message");
  t.same((await step(fake, { status: taken.answer.status })).events, [], 'still taken: no transition');
  const invalid = await step(fake, { spec: { name: 'Not_A_Bucket' } });
  t.same(brief(invalid.events), ['Warning InvalidSpec Reconcile']);
});

t.test('a recoverable reason is a Warning; its end without any write says Available once', async (t) => {
  const fake = new FakeS3();
  const { answer } = await step(fake, {});
  fake.fail('GetBucketVersioning', { code: 'SlowDown', kind: 'throttled', status: 503, times: 1 });
  const throttled = await step(fake, { status: answer.status });
  t.same(brief(throttled.events), ['Warning Throttled Reconcile']);
  const back = await step(fake, { status: throttled.answer.status });
  t.same(brief(back.events), ['Normal Available Reconcile']);
  t.match(back.events[0]?.note, /matches its spec/);
  t.same((await step(fake, { status: back.answer.status })).events, []);
});

t.test('read-only drift is a Warning', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS, versioning: 'Suspended' });
  const { events } = await step(fake, { annotations: { 'services.k8s.aws/read-only': 'true' } });
  t.same(brief(events), ['Warning ReadOnlyDrift Reconcile']);
});

t.test('finalize: Deleted, Retained, and a bucket that is not empty waits with one Warning', async (t) => {
  const fake = new FakeS3();
  const { answer } = await step(fake, {});
  fake.buckets.get(NAME)!.objects = 1;
  const blocked = await step(fake, { status: answer.status, generation: 2, ...deleting }, true);
  t.same(brief(blocked.events), ['Warning BucketNotEmpty Delete']);
  t.same((await step(fake, { status: blocked.answer.status, generation: 2, ...deleting }, true)).events, [], 'still waiting: no transition');
  fake.buckets.get(NAME)!.objects = 0;
  const deleted = await step(fake, { status: blocked.answer.status, generation: 2, ...deleting }, true);
  t.same(deleted.events, [{ type: 'Normal', reason: 'Deleted', action: 'Delete', note: `Bucket "${NAME}" was deleted.` }]);

  const kept = new FakeS3();
  const first = await step(kept, {});
  const retained = await step(
    kept,
    { status: first.answer.status, generation: 2, annotations: { 'services.k8s.aws/deletion-policy': 'retain' }, ...deleting },
    true,
  );
  t.same(brief(retained.events), ['Normal Retained Delete']);
});

t.test('a sync handed a resource being deleted records nothing', async (t) => {
  const fake = new FakeS3();
  const { answer } = await step(fake, {});
  t.same((await step(fake, { status: answer.status, generation: 2, ...deleting })).events, []);
});

t.test('notes are cut to the 1 KiB the API server takes, counted in bytes', async (t) => {
  t.equal(clampNote('short'), 'short');
  const long = clampNote('é'.repeat(1000));
  t.ok(Buffer.byteLength(long, 'utf8') <= 1024, `${Buffer.byteLength(long, 'utf8')} bytes`);
  t.match(long, /é\.\.\.$/);
  const exact = 'a'.repeat(1024);
  t.equal(clampNote(exact), exact, 'exactly 1 KiB stays');
  const status: BucketStatus = {
    conditions: [{ type: 'ACK.Terminal', status: 'True', reason: 'InvalidSpec', message: 'x'.repeat(5000), lastTransitionTime: '2026-11-24T10:00:00Z' }],
  };
  const [event] = plannedEvents({ hook: 'sync', received: undefined, generation: 1, answer: { status, children: [] }, changes: noChanges() });
  t.equal(Buffer.byteLength(event!.note, 'utf8'), 1024);
});
