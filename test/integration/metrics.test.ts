// GET /metrics after a Bucket's life against Ceph RGW through the real SDK adapter: every HTTP request
// the SDK sent is counted once, by operation and result, and each reconcile by outcome.
import t from 'tap';
import { createMetrics } from '../../src/http/metrics.js';
import type { BucketStatus, HookResponse } from '../../src/reconciler/model/resource.js';
import { bucketResource, envelope, type BucketInput } from '../support/envelope.js';
import { byLabels, parseSamples } from '../support/prom-text.js';
import { CallCounter, hookApp, rawClient, removeBucket, rgwEnv, settle, uniqueBucket } from '../support/rgw.js';

const env = rgwEnv();
const mine = rawClient(env, 'hook');
const counter = new CallCounter();
const app = hookApp(env, counter, { metrics: createMetrics() });
const name = uniqueBucket('metrics');
t.teardown(async () => {
  await removeBucket(mine, name);
  await app.close();
  mine.destroy();
});

async function once(input: BucketInput, finalizing: boolean): Promise<HookResponse> {
  const res = await app.inject({ method: 'POST', url: finalizing ? '/finalize' : '/sync', payload: envelope(bucketResource(input), finalizing) });
  if (res.statusCode !== 200) throw new Error(`hook answered ${res.statusCode}: ${res.body}`);
  return res.json<HookResponse>();
}
const post = (input: BucketInput, finalizing = false): Promise<HookResponse> =>
  finalizing ? once(input, true) : settle((status) => once(status ? { ...input, status } : input, false), input.status);

/** The status as the next call would carry it, minus any memo of a recent check, so the resync reads S3 in full. */
function forFullCheck(status: BucketStatus): BucketStatus {
  const { lastCheck: _memo, ...rest } = status as BucketStatus & { lastCheck?: unknown };
  return rest;
}

t.test('create, resync, delete: the S3 requests and reconciles on /metrics', async (t) => {
  const spec = { name, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };
  const created = await post({ spec });
  const resynced = await post({ spec, status: forFullCheck(created.status) });
  const deleted = await post({ spec, status: resynced.status, deletionTimestamp: '2026-11-24T12:00:00Z' }, true);
  t.equal(deleted.finalized, true);

  const res = await app.inject({ url: '/metrics' });
  t.equal(res.statusCode, 200);
  const samples = parseSamples(res.body);
  const requests = byLabels(samples, 'bucket_hook_s3_requests_total', ['operation', 'result']);
  t.same(requests, {
    // reservation (absent), then create: absent (the reserved name's tags first: NoSuchBucket), created,
    // both fields written. Nothing of what the hook sent is read back; what RGW does with the tags sent
    // with CreateBucket is learned once per process: in us-east-1 it refuses them (the create is sent again
    // without), elsewhere it drops them (one read).
    'HeadBucket NotFound': 1,
    'GetBucketTagging NoSuchBucket': 1,
    ...(env.region === 'us-east-1' ? { 'CreateBucket InvalidArgument': 1 } : { 'GetBucketTagging NoSuchTagSet': 1 }),
    'CreateBucket 200': 1,
    'GetBucketVersioning 200': 1,
    'PutBucketTagging 200': 1,
    'PutBucketVersioning 200': 1,
    // resync (tags, versioning: no write) and finalize (tags, delete): the bucket claimed, no HeadBucket
    'GetBucketTagging 200': 2,
    'DeleteBucket 204': 1,
  });
  const total = Object.values(requests).reduce((a, b) => a + b, 0);
  t.equal(total, counter.calls.length, 'every request the SDK sent is counted, once');

  t.same(byLabels(samples, 'bucket_hook_reconcile_outcomes_total', ['hook', 'reason']), { 'sync Creating': 1, 'sync Synced': 2, 'finalize Deleted': 1 });
  t.same(byLabels(samples, 'bucket_hook_reconcile_duration_seconds_count', ['hook', 'outcome']), {
    'sync unsynced': 1,
    'sync synced': 2,
    'finalize finalized': 1,
    'sync error': 0,
    'finalize error': 0,
  });
  t.ok(
    samples.some((s) => s.name === 'process_resident_memory_bytes' || s.name === 'process_cpu_seconds_total'),
    'process metrics too',
  );
});
