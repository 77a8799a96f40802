// Pausing a Bucket (s3.services.k8s.aws/paused: "true"): no S3 call at all on sync and finalize, the
// status kept with ACK.ResourceSynced False/Paused, a deletion that waits; removing the annotation resumes
// with a full check.
import t from 'tap';
import { answerFromStatus, finalize, sync } from '../support/core.js';
import { ANNOTATION } from '../../src/reconciler/rules/annotations.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { testDeps } from '../support/deps.js';
import { bucketResource, type BucketInput } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };
const SPEC = { name: NAME, versioning: { status: 'Enabled' } };
const PAUSED = { [ANNOTATION.paused]: 'true' };
const DELETING = { deletionTimestamp: '2026-11-24T12:00:00Z', generation: 3 };

const brief = (r: HookResponse) => Object.fromEntries((r.status.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));
const cond = (r: HookResponse, type: string) => r.status.conditions?.find((c) => c.type === type);

function setup() {
  const fake = new FakeS3();
  const clock = { now: new Date('2026-11-24T10:00:00Z') };
  const deps = testDeps(fake.factory(), clock);
  const syncWith = (input: BucketInput) => sync(bucketResource({ uid: UID, spec: SPEC, ...input }), deps);
  const finalizeWith = (input: BucketInput) => finalize(bucketResource({ uid: UID, spec: SPEC, ...DELETING, ...input }), deps);
  return { fake, clock, deps, syncWith, finalizeWith };
}

t.test('sync: no S3 call; Synced False/Paused, Ready and the rest kept; stable; resumed by a full check', async (t) => {
  const { fake, clock, deps, syncWith } = setup();
  const ready = await syncWith({});
  t.same(brief(ready), { 'ACK.ResourceSynced': 'True/Synced', Ready: 'True/Available' });
  fake.calls.length = 0;
  clock.now = new Date('2026-11-24T10:05:00Z');
  fake.setVersioning(NAME, 'Suspended');

  const pausedInput = { annotations: PAUSED, status: ready.status, keepLastCheck: true };
  t.equal(
    answerFromStatus(bucketResource({ uid: UID, spec: SPEC, ...pausedInput }), deps),
    undefined,
    'the annotation changes the input hash: no zero-cost answer from the old check',
  );
  const paused = await syncWith(pausedInput);
  t.same(fake.calls, [], 'no S3 call at all');
  t.same(brief(paused), { 'ACK.ResourceSynced': 'False/Paused', Ready: 'True/Available' }, 'Ready as it was: Argo CD Healthy, kstatus Current');
  t.match(
    cond(paused, 'ACK.ResourceSynced')?.message,
    /^Reconciliation is paused \(annotation s3\.services\.k8s\.aws\/paused: "true"\): the hook makes no S3 call .* To resume, remove the annotation \(kubectl annotate bucket NAME s3\.services\.k8s\.aws\/paused-\); the next sync checks S3 in full\.$/,
  );
  t.equal(cond(paused, 'Ready')?.lastTransitionTime, cond(ready, 'Ready')?.lastTransitionTime, 'Ready untouched');
  t.equal(cond(paused, 'ACK.ResourceSynced')?.lastTransitionTime, '2026-11-24T10:05:00Z');
  t.same(
    [paused.status.ackResourceMetadata, paused.status.location, paused.status.lastCheck],
    [ready.status.ackResourceMetadata, ready.status.location, ready.status.lastCheck],
    'ARN, location and the last check kept',
  );
  t.equal(paused.resyncAfterSeconds, undefined, 'nothing to come back for');
  t.equal(fake.versioningOf(NAME), 'Suspended', 'drift is left alone');

  clock.now = new Date('2026-11-24T10:06:00Z');
  const again = await syncWith({ annotations: PAUSED, status: paused.status, keepLastCheck: true });
  t.strictSame(again.status, paused.status, 'the echo: the very same status, nothing for Metacontroller to write');
  const edited = await syncWith({
    annotations: PAUSED,
    spec: { ...SPEC, versioning: { status: 'Suspended' } },
    generation: 2,
    status: paused.status,
    keepLastCheck: true,
  });
  t.same(fake.calls, [], 'a spec edit while paused: still no call');
  t.equal(edited.status.observedGeneration, 2);

  const resumed = await syncWith({ annotations: { [ANNOTATION.paused]: 'false' }, status: paused.status, keepLastCheck: true });
  t.same(brief(resumed), { 'ACK.ResourceSynced': 'True/Synced', Ready: 'True/Available' });
  t.same(fake.writes(), ['PutBucketVersioning'], 'resumed: a full check puts the drift back');
});

t.test('sync: a terminal condition stays, a recoverable one goes (no retry while paused); without a status, Ready False/Paused', async (t) => {
  const { fake, syncWith } = setup();
  fake.seed(NAME, { owner: 'another-account' });
  const taken = await syncWith({});
  t.equal(cond(taken, 'ACK.Terminal')?.reason, 'NameTaken');
  const paused = await syncWith({ annotations: PAUSED, status: taken.status });
  t.same(brief(paused), { 'ACK.Terminal': 'True/NameTaken', 'ACK.ResourceSynced': 'False/Paused', Stalled: 'True/NameTaken', Ready: 'False/NameTaken' });

  const { fake: fake2, syncWith: sync2 } = setup();
  fake2.seed(NAME, { tags: OURS });
  fake2.fail('PutBucketVersioning', { code: 'SlowDown', kind: 'throttled', status: 503 });
  const throttled = await sync2({});
  t.equal(cond(throttled, 'ACK.Recoverable')?.reason, 'Throttled');
  const pausedRetry = await sync2({ annotations: PAUSED, status: throttled.status });
  t.same(brief(pausedRetry), { 'ACK.ResourceSynced': 'False/Paused', Reconciling: 'True/Throttled', Ready: 'False/Throttled' });

  const { fake: fake3, syncWith: sync3 } = setup();
  const fresh = await sync3({ annotations: PAUSED });
  t.same(brief(fresh), { 'ACK.ResourceSynced': 'False/Paused', Reconciling: 'True/Paused', Ready: 'False/Paused' }, 'never reconciled: not ready, in progress');
  t.equal(fresh.status.ackResourceMetadata, undefined);
  t.same(fake3.calls, []);
});

t.test('sync: a value other than true/false is InvalidSpec, without S3', async (t) => {
  const { fake, syncWith } = setup();
  const res = await syncWith({ annotations: { [ANNOTATION.paused]: 'yes' } });
  t.same(brief(res), {
    'ACK.Terminal': 'True/InvalidSpec',
    'ACK.ResourceSynced': 'False/InvalidSpec',
    Stalled: 'True/InvalidSpec',
    Ready: 'False/InvalidSpec',
  });
  t.match(
    cond(res, 'ACK.Terminal')?.message,
    /s3\.services\.k8s\.aws\/paused"\] must be "true" or "false" \(got "yes"\)\. Fix the Bucket resource; nothing was sent to S3\./,
  );
  t.same(fake.calls, []);
  const upper = await syncWith({ annotations: { [ANNOTATION.paused]: ' TRUE ' } });
  t.equal(cond(upper, 'ACK.ResourceSynced')?.reason, 'Paused', 'case and spaces do not matter');
});

t.test('finalize: a paused Bucket waits, deletes nothing, and says what to do; unpaused, it is deleted', async (t) => {
  const { fake, finalizeWith } = setup();
  fake.seed(NAME, { tags: OURS });
  const waiting = await finalizeWith({ annotations: PAUSED });
  t.equal(waiting.finalized, false);
  t.same(fake.calls, [], 'no S3 call');
  t.ok(fake.buckets.has(NAME));
  t.same(brief(waiting), { 'ACK.ResourceSynced': 'False/Paused', Reconciling: 'True/Paused', Ready: 'False/Paused' });
  t.match(
    cond(waiting, 'Ready')?.message,
    /^Deletion waits: this Bucket is paused .* Remove the annotation \(kubectl annotate bucket NAME s3\.services\.k8s\.aws\/paused-\) to let the deletion go ahead under the Bucket's deletion policy/,
  );
  const bad = await finalizeWith({ annotations: { [ANNOTATION.paused]: 'maybe' } });
  t.equal(bad.finalized, false, 'a malformed value waits too: it may have meant "paused"');
  t.equal(cond(bad, 'ACK.Terminal')?.reason, 'InvalidSpec');
  t.same(fake.calls, []);
  const done = await finalizeWith({ status: waiting.status });
  t.equal(done.finalized, true);
  t.notOk(fake.buckets.has(NAME));
});
