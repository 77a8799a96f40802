// The drift-loop guard against Ceph RGW, through the real HTTP edge and SDK adapter: a second writer
// suspends versioning behind the hook's back after every sync. Driven step by step (the other writer's
// PutBucketVersioning, then a full sync, as a resync after the drift-check interval would make it), so
// no test waits on a clock. With the guard the hook stops after N corrections and its S3 requests are
// bounded (reads only); without it every sync writes again.
import { GetBucketVersioningCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import t from 'tap';
import { createMetrics } from '../../src/http/metrics.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { parseSamples, valueOf } from '../support/prom-text.js';
import { rgwHarness, uniqueBucket } from '../support/rgw.js';

const ROUNDS = 10;
const brief = (r: HookResponse) => Object.fromEntries((r.status.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));

/** Creates the bucket, then ROUNDS of (the other writer suspends versioning, one full sync). */
async function fight(t: { teardown(fn: () => Promise<void>): void; same: (a: unknown, b: unknown) => void }, corrections: number) {
  const metrics = createMetrics({ processMetrics: false });
  // One minute between syncs: the window (1 h) holds every round.
  let now = new Date('2026-12-07T10:00:00Z').getTime();
  const { mine, counter, post, track } = rgwHarness(t, { driftLoop: { corrections, windowSeconds: 3600 }, metrics, now: () => new Date(now) });
  const name = uniqueBucket('loop');
  track(name);
  const spec = { name, versioning: { status: 'Enabled' } };
  let response = await post({ spec });
  t.same(brief(response), { 'ACK.ResourceSynced': 'True/Synced', Ready: 'True/Available' });
  counter.reset();
  const puts: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await mine.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Suspended' } }));
    now += 60_000;
    const before = counter.calls.length;
    response = await post({ spec, status: response.status });
    puts.push(counter.calls.slice(before).filter((c) => c === 'PutBucketVersioning').length);
  }
  const versioning = (await mine.send(new GetBucketVersioningCommand({ Bucket: name }))).Status;
  const loops = valueOf(parseSamples(await metrics.registry.metrics()), 'bucket_hook_drift_loops_total', { field: 'spec.versioning' });
  return { response, puts, requests: counter.calls.length, writes: counter.writes().length, versioning, loops, post, spec, name };
}

t.test('with the guard (3 within the hour): three corrections, then DriftLoop and no more writes; requested-at writes again', async (t) => {
  const run = await fight(t, 3);
  t.same(run.puts, [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
  t.equal(run.writes, 3, 'three PutBucketVersioning in ten rounds');
  // Each full check of the claimed bucket reads the tags (in place of HeadBucket) and versioning: 2 reads a round, and 3 writes in all.
  t.equal(run.requests, ROUNDS * 2 + 3, `S3 requests in ${ROUNDS} rounds: ${run.requests}`);
  t.same(brief(run.response), {
    'ACK.Terminal': 'True/DriftLoop',
    'ACK.ResourceSynced': 'False/DriftLoop',
    Stalled: 'True/DriftLoop',
    Ready: 'False/DriftLoop',
  });
  t.match(
    run.response.status.conditions?.[0]?.message,
    new RegExp(`bucket "${run.name}" back: the hook put spec\\.versioning 3 times \\(last at 2026-12-07T10:03:00Z\\)`),
  );
  t.equal(run.versioning, 'Suspended', "the other writer's value stays");
  t.equal(run.loops, 1, 'bucket_hook_drift_loops_total{field="spec.versioning"} counted once');

  // The other writer found and stopped; kubectl annotate bucket NAME s3.services.k8s.aws/requested-at=...
  const retried = await run.post({ spec: run.spec, annotations: { 's3.services.k8s.aws/requested-at': '2026-12-07T11:00:00Z' }, status: run.response.status });
  t.same(brief(retried), { 'ACK.ResourceSynced': 'True/Synced', Ready: 'True/Available' });
});

t.test('without the guard (DRIFT_LOOP_CORRECTIONS=0): every round writes again', async (t) => {
  const run = await fight(t, 0);
  t.same(run.puts, Array(ROUNDS).fill(1));
  t.equal(run.requests, ROUNDS * 3, `S3 requests in ${ROUNDS} rounds: ${run.requests}`);
  t.same(brief(run.response), { 'ACK.ResourceSynced': 'True/Synced', Ready: 'True/Available' });
  t.equal(run.loops, undefined, 'nothing counted');
});
