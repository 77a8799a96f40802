// The request deadline: one AbortSignal per hook request, passed into every S3 call. Whatever hangs, the
// hook answers 200 in time with the progress it made and a recoverable DeadlineExceeded condition.
import { createServer, type Server } from 'node:http';
import t from 'tap';
import { parseConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { deadlineAnswer, withDeadline } from '../../src/http/deadline.js';
import type { HookResponse } from '../../src/reconciler/resource.js';
import type { S3PortFactory } from '../../src/s3/port.js';
import { createSdkPortFactory } from '../../src/s3/sdk-adapter.js';
import { testDeps } from '../support/deps.js';
import { bucketResource, envelope, type BucketInput } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';
import { hangingFactory } from '../support/hanging-port.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };
const DEADLINE_MS = 300;
/** Event-loop and scheduling slack on a loaded 2-core machine; the point is "not the 30 s timeout". */
const SLACK_MS = 700;
const silent = { warn: () => undefined, error: () => undefined };

function app(s3: S3PortFactory, deadlineMs = DEADLINE_MS) {
  const { log: _log, clock: _clock, ...deps } = testDeps(s3);
  return buildApp({ deps, logger: false, requestDeadlineMs: deadlineMs });
}

async function timed(hook: ReturnType<typeof app>, input: BucketInput, finalizing = false) {
  const started = performance.now();
  const res = await hook.inject({ method: 'POST', url: finalizing ? '/finalize' : '/sync', payload: envelope(bucketResource(input), finalizing) });
  return { code: res.statusCode, ms: performance.now() - started, body: res.json<HookResponse>() };
}

const reasonOf = (r: HookResponse, type: string) => r.status.conditions?.find((c) => c.type === type)?.reason;

t.test('a HeadBucket that never answers: 200 in time, DeadlineExceeded, backoff', async (t) => {
  const fake = new FakeS3();
  const s3 = hangingFactory(fake, { methods: ['headBucket'] });
  const hook = app(s3);
  t.teardown(() => hook.close());
  const res = await timed(hook, { spec: { name: NAME } });
  t.equal(res.code, 200);
  t.ok(res.ms >= DEADLINE_MS - 5 && res.ms < DEADLINE_MS + SLACK_MS, `answered after ${Math.round(res.ms)} ms (deadline ${DEADLINE_MS} ms)`);
  t.equal(reasonOf(res.body, 'ACK.Recoverable'), 'DeadlineExceeded');
  t.equal(reasonOf(res.body, 'Ready'), 'DeadlineExceeded');
  t.match(res.body.status.conditions?.find((c) => c.type === 'ACK.Recoverable')?.message, /HeadBucket failed with AbortError: the hook ran out of time/);
  t.equal(res.body.resyncAfterSeconds, 5, 'retried with the minimum backoff');
  t.same(fake.writes(), [], 'nothing was created');
});

t.test('the apply loop stops at the first aborted write and reports the progress made', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS });
  // Tagging is written first (it carries the ownership marks); it hangs, so versioning and CORS wait.
  const s3 = hangingFactory(fake, { methods: ['putBucketTags'] });
  const hook = app(s3);
  t.teardown(() => hook.close());
  const spec = {
    name: NAME,
    tagging: { tagSet: [{ key: 'team', value: 'a' }] },
    versioning: { status: 'Enabled' },
    cors: { corsRules: [{ allowedMethods: ['GET'], allowedOrigins: ['*'] }] },
  };
  const res = await timed(hook, { uid: UID, spec });
  t.equal(res.code, 200);
  t.ok(res.ms < DEADLINE_MS + SLACK_MS, `answered after ${Math.round(res.ms)} ms`);
  t.same(s3.hung, ['putBucketTags']);
  t.same(fake.writes(), [], 'no write after the aborted one: the deadline is spent, the next sync continues');
  t.equal(fake.versioningOf(NAME), undefined);
  t.equal(reasonOf(res.body, 'ACK.Recoverable'), 'DeadlineExceeded');
  t.match(res.body.status.conditions?.find((c) => c.type === 'ACK.Recoverable')?.message, /^Not in sync: spec\.tagging\. spec\.tagging: PutBucketTagging failed with AbortError/);
  t.equal(res.body.status.ackResourceMetadata?.arn, `arn:aws:s3:::${NAME}`, 'the bucket is ours and still reported');

  // The next sync (no hang) finishes the job.
  const next = app(fake.factory());
  t.teardown(() => next.close());
  const healed = await timed(next, { uid: UID, spec, status: res.body.status });
  t.equal(reasonOf(healed.body, 'Ready'), 'Available');
  t.equal(fake.versioningOf(NAME), 'Enabled');
});

t.test('finalize: a DeleteBucket that never answers keeps the finalizer and the bucket', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS });
  const hook = app(hangingFactory(fake, { methods: ['deleteBucket'] }));
  t.teardown(() => hook.close());
  const res = await timed(hook, { uid: UID, spec: { name: NAME }, generation: 2, deletionTimestamp: '2026-11-24T10:00:00Z' }, true);
  t.equal(res.code, 200);
  t.ok(res.ms < DEADLINE_MS + SLACK_MS, `answered after ${Math.round(res.ms)} ms`);
  t.equal(res.body.finalized, false);
  t.equal(reasonOf(res.body, 'ACK.Recoverable'), 'DeadlineExceeded');
  t.ok((res.body.resyncAfterSeconds ?? 0) > 0);
  t.ok(fake.buckets.has(NAME));
});

t.test('a port that ignores its signal: the backstop answers 200 anyway, a moment after the deadline', async (t) => {
  const fake = new FakeS3();
  const previous = { ackResourceMetadata: { region: 'eu-west-1', arn: `arn:aws:s3:::${NAME}` }, location: `/${NAME}`, observedGeneration: 1 };
  for (const finalizing of [false, true]) {
    const hook = app(hangingFactory(fake, { ignoreSignal: true }));
    const input: BucketInput = { spec: { name: NAME }, status: previous, ...(finalizing ? { deletionTimestamp: '2026-11-24T10:00:00Z' } : {}) };
    const res = await timed(hook, input, finalizing);
    await hook.close();
    t.equal(res.code, 200, `${finalizing ? 'finalize' : 'sync'}: 200`);
    t.ok(res.ms >= DEADLINE_MS + 1000 - 5 && res.ms < DEADLINE_MS + 1000 + SLACK_MS, `answered after ${Math.round(res.ms)} ms (deadline + 1 s grace)`);
    t.equal(reasonOf(res.body, 'ACK.Recoverable'), 'DeadlineExceeded');
    t.equal(res.body.status.ackResourceMetadata?.arn, previous.ackResourceMetadata.arn, 'keeps reporting the ARN it reported');
    t.equal(res.body.status.location, previous.location);
    t.equal(res.body.finalized, finalizing ? false : undefined, 'never finalized by the backstop');
    t.equal(res.body.resyncAfterSeconds, 5);
  }
});

t.test('withDeadline: the work result when in time, timers cleared, errors passed through', async (t) => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  t.equal(await withDeadline(1000, async (signal) => (signal.aborted ? 'late' : 'ok'), () => 'overrun', silent), 'ok');
  await t.rejects(withDeadline(1000, async () => Promise.reject(new Error('bug')), () => 'overrun', silent), { message: 'bug' });
  t.equal(timers(), before, 'no timer left behind');
  let reason: unknown;
  await withDeadline(20, (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(void (reason = signal.reason)))), () => undefined, silent);
  t.equal((reason as DOMException).name, 'AbortError', 'aborted as AbortError, which the adapter classifies as kind "aborted"');
  t.match((reason as DOMException).message, /deadline \(20 ms\)/);
});

t.test('deadlineAnswer: first call, no previous status', async (t) => {
  const { now, resync } = testDeps(new FakeS3().factory());
  const res = deadlineAnswer(bucketResource({ generation: 4 }), { now, resync }, 1234, false);
  t.same(res.status.ackResourceMetadata, undefined);
  t.equal(res.status.observedGeneration, 4);
  t.match(res.status.conditions?.find((c) => c.type === 'ACK.Recoverable')?.message, /ran out of time \(1234 ms\)/);
});

t.test('the real SDK adapter passes the signal: an S3 endpoint that never answers is cut at the deadline', async (t) => {
  const server: Server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const s3 = createSdkPortFactory({ endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const hook = app(s3);
  t.teardown(async () => {
    await hook.close();
    s3.destroy();
    server.closeAllConnections();
    server.close();
  });
  const res = await timed(hook, { spec: { name: NAME } });
  t.equal(res.code, 200);
  t.ok(res.ms < DEADLINE_MS + SLACK_MS, `answered after ${Math.round(res.ms)} ms`);
  t.equal(reasonOf(res.body, 'ACK.Recoverable'), 'DeadlineExceeded');
});

t.test('REQUEST_DEADLINE_MS: default 20 s, checked', async (t) => {
  t.equal(parseConfig({ AWS_REGION: 'eu-west-1' }).requestDeadlineMs, 20_000);
  t.equal(parseConfig({ AWS_REGION: 'eu-west-1', REQUEST_DEADLINE_MS: '5000' }).requestDeadlineMs, 5000);
  t.throws(() => parseConfig({ AWS_REGION: 'eu-west-1', REQUEST_DEADLINE_MS: '50' }), /REQUEST_DEADLINE_MS="50" must be a whole number from 100 to 300000/);
});
