// Duplicates and races against Ceph RGW: two hook replicas (two apps, one S3) handed the same Bucket at
// the same moment, as happens when two Metacontroller instances run without leader election or a call
// is retried while the first is still in flight; and a replayed old body (a stale informer cache).
import { GetBucketTaggingCommand, GetBucketVersioningCommand } from '@aws-sdk/client-s3';
import t from 'tap';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { bucketResource, envelope, type BucketInput } from '../support/envelope.js';
import { CallCounter, hookApp, rawClient, removeBucket, rgwEnv, uniqueBucket, bucketExists, isReservation, settle } from '../support/rgw.js';

if (process.env.SKIP_INTEGRATION === '1') t.plan(0, 'needs Ceph RGW (SKIP_INTEGRATION=1)');
else replicaTests(Number(process.env.RACE_ROUNDS ?? 10));

function replicaTests(rounds: number): void {
  const env = rgwEnv();
  const mine = rawClient(env, 'hook');
  const counters = [new CallCounter(), new CallCounter()] as const;
  const replicas = counters.map((c) => hookApp(env, c));
  const cleanup: Array<() => Promise<void>> = [];
  t.teardown(async () => {
    for (const c of cleanup) await c();
    for (const r of replicas) await r.close();
    mine.destroy();
  });

  const deleting = { deletionTimestamp: '2026-11-24T12:00:00Z' };
  const reason = (r: HookResponse, type: string) => r.status.conditions?.find((c) => c.type === type)?.reason;
  const ready = (r: HookResponse) => reason(r, 'Ready');

  async function post(replica: number, input: BucketInput, finalizing = false): Promise<{ code: number; body: HookResponse }> {
    const res = await replicas[replica]!.inject({
      method: 'POST',
      url: finalizing ? '/finalize' : '/sync',
      payload: envelope(bucketResource(input), finalizing),
    });
    return { code: res.statusCode, body: res.statusCode === 200 ? res.json<HookResponse>() : (undefined as unknown as HookResponse) };
  }
  /** Both replicas at once; the second starts `stagger` ms later, so rounds hit different interleavings. */
  let stagger = 0;
  const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const both = (input: BucketInput, finalizing = false) => Promise.all([post(0, input, finalizing), later(stagger).then(() => post(1, input, finalizing))]);
  const exists = bucketExists;
  const writesOf = (op: string) => counters.reduce((n, c) => n + c.calls.filter((x) => x === op).length, 0);

  t.test(`${rounds} rounds of create, update and finalize on two replicas at once`, async (t) => {
    const seen = { createReasons: new Map<string, number>(), finalizeOutcomes: new Map<string, number>(), creates: 0, deletes: 0, reserved: 0 };
    const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    for (let round = 0; round < rounds; round++) {
      const name = uniqueBucket('race');
      cleanup.push(() => removeBucket(mine, name));
      const uid = `race0000-0000-4000-8000-${String(round).padStart(12, '0')}`;
      stagger = [0, 0, 1, 2, 4, 8, 12, 16, 24, 32][round % 10]!;
      const spec1 = { name, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'round', value: String(round) }] } };
      for (const c of counters) c.reset();

      // Create: both replicas at once.
      let created = await both({ uid, spec: spec1 });
      t.same(
        created.map((r) => r.code),
        [200, 200],
        `round ${round}: both answered 200`,
      );
      // Where the store drops the tags sent with CreateBucket (RGW), both first record the name; the race
      // of the creates themselves is the next call, with that status.
      if (created.every((r) => isReservation(r.body))) {
        seen.reserved++;
        created = await both({ uid, spec: spec1, status: created[1].body.status });
        t.same(
          created.map((r) => r.code),
          [200, 200],
          `round ${round}: both answered 200 to the create`,
        );
      }
      for (const r of created) bump(seen.createReasons, `${ready(r.body)}${reason(r.body, 'ACK.Terminal') ? `/${reason(r.body, 'ACK.Terminal')}` : ''}`);
      seen.creates += writesOf('CreateBucket');
      // Metacontroller writes one of the answers (the later one) and calls again: that call converges.
      for (const r of created) {
        const again = await post(round % 2, { uid, spec: spec1, status: r.body.status });
        t.equal(ready(again.body), 'Available', `round ${round}: the next sync after either answer is Available`);
      }
      const tags = Object.fromEntries(
        ((await mine.send(new GetBucketTaggingCommand({ Bucket: name }))).TagSet ?? []).map((x): [string, string | undefined] => [x.Key ?? '', x.Value]),
      );
      t.equal(tags['services.k8s.aws/uid'], uid, `round ${round}: one bucket, marked with the resource's uid`);

      // Update (generation 2): both at once.
      const spec2 = { ...spec1, versioning: { status: 'Suspended' } };
      const updated = await both({ uid, spec: spec2, generation: 2, status: created[0].body.status });
      t.same(
        updated.map((r) => [r.code, ready(r.body)]),
        [
          [200, 'Available'],
          [200, 'Available'],
        ],
        `round ${round}: update on both`,
      );
      t.equal((await mine.send(new GetBucketVersioningCommand({ Bucket: name }))).Status, 'Suspended');

      // Finalize: both at once. The second DeleteBucket (or its GetBucketTagging) meets NoSuchBucket.
      for (const c of counters) c.reset();
      const finals = await both({ uid, spec: spec2, generation: 3, status: updated[0].body.status, ...deleting }, true);
      t.same(
        finals.map((r) => r.code),
        [200, 200],
        `round ${round}: finalize answered 200 on both`,
      );
      for (const r of finals) bump(seen.finalizeOutcomes, `${r.body.finalized}/${ready(r.body)}`);
      t.ok(
        finals.some((r) => r.body.finalized),
        `round ${round}: at least one replica finalized`,
      );
      for (const r of finals) if (!r.body.finalized) t.ok((r.body.resyncAfterSeconds ?? 0) > 0, 'the other retries with backoff');
      seen.deletes += writesOf('DeleteBucket');
      t.notOk(await exists(mine, name), `round ${round}: the bucket is gone`);
      // A later finalize of either (Metacontroller calls again until both answers are in): finalized.
      const late = await post(1, { uid, spec: spec2, generation: 3, status: finals[1].body.status, ...deleting }, true);
      t.equal(late.body.finalized, true);
    }
    t.comment(
      `replicas: create answers ${JSON.stringify(Object.fromEntries(seen.createReasons))}; finalize answers ${JSON.stringify(Object.fromEntries(seen.finalizeOutcomes))}; CreateBucket sent ${seen.creates}, DeleteBucket sent ${seen.deletes} over ${rounds} rounds (${seen.reserved} with the reservation step)`,
    );
  });

  t.test('a replayed old body (generation 1 after 2 was applied) neither creates nor deletes', async (t) => {
    const name = uniqueBucket('replay');
    cleanup.push(() => removeBucket(mine, name));
    const uid = 'replay00-0000-4000-8000-000000000001';
    const spec1 = { name, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'v', value: '1' }] } };
    const spec2 = { name, versioning: { status: 'Suspended' }, tagging: { tagSet: [{ key: 'v', value: '2' }] } };
    const g1 = await settle(async (status) => (await post(0, { uid, spec: spec1, ...(status ? { status } : {}) })).body);
    const g2 = (await post(0, { uid, spec: spec2, generation: 2, status: g1.status })).body;
    t.equal(ready(g2), 'Available');
    const versioning = async () => (await mine.send(new GetBucketVersioningCommand({ Bucket: name }))).Status;
    t.equal(await versioning(), 'Suspended');

    // 1. The old body exactly as Metacontroller cached it: its status carries a fresh lastCheck for that
    //    spec, so the hook answers from it without any S3 call and changes nothing.
    for (const c of counters) c.reset();
    const cached = await post(1, { uid, spec: spec1, generation: 1, status: g1.status, keepLastCheck: true });
    t.equal(cached.code, 200);
    t.same(counters[1].calls, [], 'answered from the cached status: no S3 call');
    t.same(cached.body.status, g1.status, 'the old status back (Metacontroller then resyncs with the current object)');
    t.equal(await versioning(), 'Suspended');

    // 2. The old body once its lastCheck is stale: a full sync of the old spec. It re-applies generation
    //    1's settings (what Metacontroller does with any stale cache), but never creates or deletes.
    for (const c of counters) c.reset();
    const stale = await post(1, { uid, spec: spec1, generation: 1, status: g1.status });
    t.equal(ready(stale.body), 'Available');
    t.same(counters[1].writes().sort(), ['PutBucketTagging', 'PutBucketVersioning'], 'only the settings that differ; no CreateBucket, no DeleteBucket');
    t.equal(await versioning(), 'Enabled', 'the old spec was re-applied');
    t.equal(stale.body.status.observedGeneration, 1, 'and reported as generation 1, so the next sync is a full one');

    // 3. The next call carries the current object (generation 2): it puts generation 2 back.
    const current = await post(0, { uid, spec: spec2, generation: 2, status: stale.body.status });
    t.equal(ready(current.body), 'Available');
    t.equal(await versioning(), 'Suspended');
    t.ok(await exists(mine, name));
  });
}
