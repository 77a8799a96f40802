// The event recorder and its Kubernetes API client (src/events) against the recording stand-in for the
// API server (test/support/kube-api-stand-in.ts), which checks every Event as the API server would:
// one POST per new event, a merge PATCH of series.count for a repeat, order kept, a bounded queue,
// failures counted without retries, the rotating token re-read, HTTPS with the cluster's CA.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { KubeApi } from '../../src/events/kube-api.js';
import { EventRecorder, REPORTING_CONTROLLER, microTime, type EventResult, type Regarding } from '../../src/events/recorder.js';
import type { PlannedEvent } from '../../src/reconciler/outcome/events.js';
import { KubeApiStandIn } from '../support/kube-api-stand-in.js';

const BUCKET: Regarding = {
  apiVersion: 's3.services.k8s.aws/v1alpha1',
  kind: 'Bucket',
  namespace: 'team-a',
  name: 'artifacts',
  uid: '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01',
  resourceVersion: '4718',
};
const created: PlannedEvent = { type: 'Normal', reason: 'Created', action: 'Create', note: 'Created bucket "x" in eu-west-1.' };
const throttled: PlannedEvent = { type: 'Warning', reason: 'Throttled', action: 'Reconcile', note: 'HeadBucket failed with SlowDown (HTTP 503).' };

async function setup(t: Test, options: { queueSize?: number; timeoutMs?: number; seriesWindowMs?: number; seriesSize?: number } = {}) {
  const standIn = new KubeApiStandIn();
  const url = await standIn.start();
  const clock = { now: new Date('2026-11-24T10:00:00.123Z') };
  const results: EventResult[] = [];
  const warnings: string[] = [];
  const api = new KubeApi({ url, timeoutMs: options.timeoutMs ?? 2000 });
  const recorder = new EventRecorder({
    api,
    controller: REPORTING_CONTROLLER,
    instance: 'bucket-hook-7c9f-abcde',
    now: () => clock.now,
    onResult: (r) => results.push(r),
    log: { warn: (_o, msg) => warnings.push(msg), debug: () => undefined },
    ...options,
  });
  t.teardown(async () => {
    await recorder.close(100);
    api.close();
    await standIn.stop();
  });
  return { standIn, recorder, results, clock, warnings };
}

t.test('a new event: one POST with every field the API server requires, valid for kubernetes-models', async (t) => {
  const { standIn, recorder, results } = await setup(t);
  recorder.record(BUCKET, [created]);
  await recorder.idle();
  t.same(results, ['sent']);
  t.same(standIn.log(), ['POST Created']);
  const [event] = standIn.list();
  t.match(event, {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { namespace: 'team-a' },
    eventTime: '2026-11-24T10:00:00.123000Z',
    reportingController: 's3.services.k8s.aws/bucket-hook',
    reportingInstance: 'bucket-hook-7c9f-abcde',
    action: 'Create',
    reason: 'Created',
    type: 'Normal',
    note: created.note,
    regarding: BUCKET,
  });
  t.match((event?.metadata as { name: string }).name, /^artifacts\.[0-9a-f]{16}$/);
  t.equal(standIn.requests[0]?.path, '/apis/events.k8s.io/v1/namespaces/team-a/events');
  t.equal(microTime(new Date('2026-01-02T03:04:05.006Z')), '2026-01-02T03:04:05.006000Z');
});

t.test('repeats of the same problem are one event series; another note starts a new event', async (t) => {
  const { standIn, recorder, results, clock } = await setup(t);
  recorder.record(BUCKET, [throttled]);
  await recorder.idle();
  for (const s of ['11', '12']) {
    clock.now = new Date(`2026-11-24T10:00:${s}.000Z`);
    recorder.record(BUCKET, [throttled]);
    await recorder.idle();
  }
  t.same(standIn.log(), ['POST Throttled', 'PATCH Throttled 2', 'PATCH Throttled 3']);
  t.same(results, ['sent', 'patched', 'patched']);
  t.equal(standIn.requests[1]?.contentType, 'application/merge-patch+json');
  t.same(standIn.list().length, 1, 'one stored event, not three');
  t.same(standIn.list()[0]?.series, { count: 3, lastObservedTime: '2026-11-24T10:00:12.000000Z' });
  // The API server keeps an event's note immutable: a different message is a new event (and series).
  recorder.record(BUCKET, [{ ...throttled, note: 'GetBucketTagging failed with SlowDown (HTTP 503).' }]);
  await recorder.idle();
  t.same(standIn.log().at(-1), 'POST Throttled');
  t.equal(standIn.requests.filter((r) => r.status >= 300).length, 0, 'the stand-in refused nothing');
  // Another Bucket with the same reason: its own event.
  recorder.record({ ...BUCKET, name: 'logs', uid: 'other-uid' }, [throttled]);
  await recorder.idle();
  t.same(standIn.log().at(-1), 'POST Throttled');
});

t.test('a repeat after the series window, or of an event the API server expired, starts a new event', async (t) => {
  const { standIn, recorder, results, clock } = await setup(t, { seriesWindowMs: 60_000 });
  recorder.record(BUCKET, [throttled]);
  await recorder.idle();
  clock.now = new Date('2026-11-24T10:02:00.000Z');
  recorder.record(BUCKET, [throttled]);
  await recorder.idle();
  t.same(standIn.log(), ['POST Throttled', 'POST Throttled'], 'past the window');
  standIn.events.clear(); // the API server's event TTL
  clock.now = new Date('2026-11-24T10:02:10.000Z');
  recorder.record(BUCKET, [throttled]);
  await recorder.idle();
  t.same(standIn.requests.map((r) => `${r.method} ${r.status}`).slice(-2), ['PATCH 404', 'POST 201']);
  t.same(results, ['sent', 'sent', 'sent']);
});

t.test('the series map is bounded: the oldest series are forgotten first', async (t) => {
  const { standIn, recorder } = await setup(t, { seriesSize: 2 });
  for (const uid of ['a', 'b', 'c']) recorder.record({ ...BUCKET, uid }, [throttled]);
  await recorder.idle();
  recorder.record({ ...BUCKET, uid: 'a' }, [throttled]);
  recorder.record({ ...BUCKET, uid: 'c' }, [throttled]);
  await recorder.idle();
  t.same(standIn.log(), ['POST Throttled', 'POST Throttled', 'POST Throttled', 'POST Throttled', 'PATCH Throttled 2'], "a's series was forgotten, c's kept");
});

t.test('events keep their order; a full queue drops the oldest and counts it', async (t) => {
  const { standIn, recorder, results } = await setup(t, { queueSize: 2 });
  const reasons = ['First', 'Second', 'Third', 'Fourth'];
  // The first is taken off the queue at once (in flight), so the queue holds the next two; the fourth pushes out the second.
  recorder.record(BUCKET, [{ ...created, reason: reasons[0]! }]);
  recorder.record(
    BUCKET,
    reasons.slice(1).map((reason) => ({ ...created, reason })),
  );
  await recorder.idle();
  t.same(standIn.log(), ['POST First', 'POST Third', 'POST Fourth']);
  t.same(results.sort(), ['dropped', 'sent', 'sent', 'sent']);
});

t.test('a refusing API server: counted as failed, one warning, no retry; back to normal once it answers', async (t) => {
  const { standIn, recorder, results, warnings } = await setup(t);
  standIn.failWith = 500;
  recorder.record(BUCKET, [created, throttled]);
  await recorder.idle();
  t.same(results, ['failed', 'failed']);
  t.equal(standIn.requests.length, 2, 'no retries');
  t.equal(warnings.length, 1, 'one warning, then debug');
  t.match(warnings[0], /event not recorded/);
  standIn.failWith = undefined;
  recorder.record(BUCKET, [created]);
  await recorder.idle();
  t.same(results.at(-1), 'sent');
  t.match(warnings.at(-1), /reach the Kubernetes API again/);
  standIn.failWith = 403;
  recorder.record(BUCKET, [created]);
  await recorder.idle();
  recorder.record(BUCKET, [created]);
  await recorder.idle();
  t.same(results.slice(-2), ['failed', 'failed'], 'a refused series PATCH is a failure too, not a new event');
});

t.test('a slow API server: each request is abandoned after its timeout, the queue moves on', async (t) => {
  const { standIn, recorder, results } = await setup(t, { timeoutMs: 150 });
  standIn.delayMs = 10_000;
  recorder.record(BUCKET, [created, throttled]);
  await recorder.idle();
  t.same(results, ['failed', 'failed']);
  standIn.delayMs = 0;
  recorder.record(BUCKET, [created]);
  await recorder.idle();
  t.same(results.at(-1), 'sent');
});

t.test('close: drops what it cannot send within the grace, and everything recorded later', async (t) => {
  const { standIn, recorder, results } = await setup(t, { timeoutMs: 5000 });
  standIn.delayMs = 10_000;
  recorder.record(BUCKET, [created, throttled]);
  await recorder.close(50);
  t.same(results, ['dropped'], 'the second was still queued');
  recorder.record(BUCKET, [created]);
  t.same(results, ['dropped', 'dropped']);
});

t.test('the bearer token is re-read when older than a minute, and at once after a 401', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kube-token-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, 'token-1\n');
  const standIn = new KubeApiStandIn();
  const url = await standIn.start();
  t.teardown(() => standIn.stop());
  let ms = 0;
  const api = new KubeApi({ url, tokenFile, timeoutMs: 2000, now: () => ms });
  t.teardown(() => api.close());
  const post = () => api.request('POST', '/apis/events.k8s.io/v1/namespaces/team-a/events', {});
  standIn.token = 'token-1';
  t.equal((await post()).status, 422, 'authorized (the empty body is refused by validation, after the token check)');
  await writeFile(tokenFile, 'token-2\n'); // the kubelet rotated it
  standIn.token = 'token-2';
  ms = 30_000;
  t.equal((await post()).status, 401, 'the copy held is younger than a minute');
  t.equal((await post()).status, 422, 'after the 401 it is read again');
  await writeFile(tokenFile, 'token-3\n');
  standIn.token = 'token-3';
  ms = 91_000;
  t.equal((await post()).status, 422, 'older than a minute: read again');
  t.same(
    standIn.requests.map((r) => r.authorization),
    ['Bearer token-1', 'Bearer token-1', 'Bearer token-2', 'Bearer token-3'],
  );
});

t.test('HTTPS: the server certificate must chain to the configured CA', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kube-ca-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cert = join(dir, 'api.crt');
  const key = join(dir, 'api.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=kubernetes',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const standIn = new KubeApiStandIn();
  const url = await standIn.start({ cert, key });
  t.teardown(() => standIn.stop());
  const trusting = new KubeApi({ url, caFile: cert, timeoutMs: 2000 });
  const strangers = new KubeApi({ url, timeoutMs: 2000 });
  t.teardown(() => {
    trusting.close();
    strangers.close();
  });
  const recorder = new EventRecorder({ api: trusting, controller: REPORTING_CONTROLLER, instance: 'pod-a' });
  recorder.record(BUCKET, [created]);
  await recorder.idle();
  t.same(standIn.log(), ['POST Created']);
  await t.rejects(
    strangers.request('POST', '/apis/events.k8s.io/v1/namespaces/team-a/events', {}),
    /self-signed certificate/,
    'without the CA: refused by TLS',
  );
});

t.test('a long Bucket name still makes a valid event name', async (t) => {
  const { standIn, recorder } = await setup(t);
  recorder.record({ ...BUCKET, name: 'b'.repeat(253) }, [created]);
  await recorder.idle();
  t.same(standIn.log(), ['POST Created']);
  t.equal((standIn.list()[0]?.metadata as { name: string }).name.length, 253);
});
