// The drift-loop guard in the sync core, over the fake S3: a second writer reverts versioning after
// every sync (driven step by step: write, sync, write, sync; no timers), and the hook stops after N
// corrections, says DriftLoop, and writes again only after one of the ways out.
import t from 'tap';
import type { BucketInput } from '../support/envelope.js';
import { bucketResource } from '../support/envelope.js';
import { testDeps } from '../support/deps.js';
import { FakeS3 } from '../support/fake-s3.js';
import { sync } from '../support/core.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';

const NAME = 'team-a-artifacts-7f3c';
const SPEC = { name: NAME, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };
const brief = (r: HookResponse) => Object.fromEntries((r.status.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));

/** A Bucket synced once, then `rounds` of (the other writer suspends versioning, a full sync), one minute apart. */
async function loop(fake: FakeS3, rounds: number, input: BucketInput = {}, settings = { corrections: 3, windowSeconds: 3600 }) {
  const clock = { now: new Date('2026-11-24T10:00:00Z') };
  const deps = { ...testDeps(fake.factory(), clock), driftLoop: settings };
  let response = await sync(bucketResource({ spec: SPEC, ...input }), deps);
  const puts: number[] = [];
  for (let round = 0; round < rounds; round++) {
    fake.setVersioning(NAME, 'Suspended');
    clock.now = new Date(clock.now.getTime() + 60_000);
    const before = fake.writes().length;
    response = await sync(bucketResource({ spec: SPEC, ...input, status: response.status }), deps);
    puts.push(
      fake
        .writes()
        .slice(before)
        .filter((w) => w === 'PutBucketVersioning').length,
    );
  }
  return { response, puts, deps, clock };
}

t.test('corrected N times, then withheld: DriftLoop, terminal, the other fields still managed', async (t) => {
  const fake = new FakeS3();
  const { response, puts } = await loop(fake, 6);
  t.same(puts, [1, 1, 1, 0, 0, 0], 'three corrections, then no PutBucketVersioning at all');
  t.same(brief(response), { 'ACK.Terminal': 'True/DriftLoop', 'ACK.ResourceSynced': 'False/DriftLoop', Stalled: 'True/DriftLoop', Ready: 'False/DriftLoop' });
  t.equal(response.resyncAfterSeconds, 600, 'still checked at the drift interval');
  t.match(response.status.conditions?.[0]?.message, /put spec\.versioning 3 times \(last at 2026-11-24T10:03:00Z\) back to the spec/);
  t.same(response.status.driftCorrections, {
    fields: [{ field: 'spec.versioning', times: ['2026-11-24T10:01:00Z', '2026-11-24T10:02:00Z', '2026-11-24T10:03:00Z'], blockedAt: '2026-11-24T10:04:00Z' }],
  });
  t.equal(fake.versioningOf(NAME), 'Suspended', 'left as the other writer set it');

  // Another field drifts meanwhile: still put back.
  fake.buckets.get(NAME)!.tags = { ...fake.buckets.get(NAME)!.tags, team: 'b' };
  const other = await sync(bucketResource({ spec: SPEC, status: response.status }), {
    ...testDeps(fake.factory(), { now: new Date('2026-11-24T10:10:00Z') }),
    driftLoop: { corrections: 3, windowSeconds: 3600 },
  });
  t.equal(fake.buckets.get(NAME)!.tags.team, 'a');
  t.equal(brief(other)['ACK.Terminal'], 'True/DriftLoop');
  t.same(
    other.status.driftCorrections?.fields.map((f) => f.field),
    ['spec.versioning', 'spec.tagging'],
  );
});

t.test('the ways out: requested-at writes again; ignore-field-drift leaves the field alone, Synced', async (t) => {
  const fake = new FakeS3();
  const { response, deps } = await loop(fake, 4);
  t.equal(brief(response)['ACK.Terminal'], 'True/DriftLoop');

  const retried = await sync(bucketResource({ spec: SPEC, annotations: { 's3.services.k8s.aws/requested-at': 'now' }, status: response.status }), deps);
  t.equal(fake.versioningOf(NAME), 'Enabled', 'requested-at: put back again');
  t.same(brief(retried), { 'ACK.ResourceSynced': 'True/Synced', Ready: 'True/Available' });
  t.same(retried.status.driftCorrections, { requestedAt: 'now', fields: [{ field: 'spec.versioning', times: ['2026-11-24T10:04:00Z'] }] });

  const ignored = await sync(
    bucketResource({ spec: SPEC, annotations: { 'services.k8s.aws/ignore-field-drift': 'spec.versioning' }, status: response.status }),
    deps,
  );
  t.same(brief(ignored), { 'ACK.ResourceSynced': 'True/Synced', Ready: 'True/Available' });
  t.equal(ignored.status.driftCorrections, undefined, 'nothing left to remember');
});

t.test('a spec change is no correction; the guard off (0) corrects forever', async (t) => {
  const fake = new FakeS3();
  const { response, deps } = await loop(fake, 2);
  fake.setVersioning(NAME, 'Enabled');
  const changed = await sync(bucketResource({ spec: { ...SPEC, versioning: { status: 'Suspended' } }, generation: 2, status: response.status }), deps);
  t.equal(fake.versioningOf(NAME), 'Suspended');
  t.same(changed.status.driftCorrections?.fields[0]?.times.length, 2, 'not counted');

  const off = await loop(new FakeS3(), 6, {}, { corrections: 0, windowSeconds: 3600 });
  t.same(off.puts, [1, 1, 1, 1, 1, 1]);
  t.equal(off.response.status.driftCorrections, undefined);
});

t.test('a failure keeps the memory (a passing 503 lifts no block)', async (t) => {
  const fake = new FakeS3();
  const { response, deps } = await loop(fake, 4);
  fake.fail('GetBucketVersioning', { code: 'ServiceUnavailable', kind: 'transient', status: 503 });
  const failed = await sync(bucketResource({ spec: SPEC, status: response.status }), deps);
  t.equal(brief(failed)['ACK.Recoverable'], 'True/S3Unavailable');
  t.same(failed.status.driftCorrections, response.status.driftCorrections);
});
