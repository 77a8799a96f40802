// The request deadline: one AbortSignal per request, passed into every S3 call. Whatever hangs, the
// hook answers 200 in time with the progress it made and a recoverable DeadlineExceeded condition. The
// app runs on a manual clock (test/support/manual-timers.ts): each test moves time to the deadline and
// asserts what is answered at that instant, and that nothing was answered before it.
import { createServer, type Server } from 'node:http';
import { deadlineAnswer } from '../support/core.js';
import t from 'tap';
import { parseConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { withDeadline } from '../../src/http/deadline.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import type { S3PortFactory } from '../../src/s3/port.js';
import { createSdkPortFactory } from '../../src/s3/sdk-adapter.js';
import { testDeps } from '../support/deps.js';
import { bucketResource, envelope, type BucketInput } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';
import { hangingFactory } from '../support/hanging-port.js';
import { ManualTimers, turns, until } from '../support/manual-timers.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };
const DEADLINE_MS = 300;
/** deadline.ts: the backstop answers this long after the deadline if the reconcile ignores its signal. */
const GRACE_MS = 1000;
const silent = { warn: () => undefined, error: () => undefined };

function app(s3: S3PortFactory, timers = new ManualTimers()) {
  const { log: _log, clock: _clock, ...deps } = testDeps(s3);
  return Object.assign(buildApp({ deps, logger: false, requestDeadlineMs: DEADLINE_MS, timers }), { timers });
}

type Hook = ReturnType<typeof app>;
interface Answer {
  code: number;
  body: HookResponse;
}

interface Sent {
  /** The answer, if it has come. */
  answered: () => Answer | undefined;
  /** Waits for the answer (failing, rather than hanging, if it never comes). */
  answer: () => Promise<Answer>;
}

/** Sends the request; resolves once the deadline and its backstop are set (the reconcile is under way). */
async function send(hook: Hook, input: BucketInput, finalizing = false): Promise<Sent> {
  let got: Answer | undefined;
  let failed: unknown;
  hook.inject({ method: 'POST', url: finalizing ? '/finalize' : '/sync', payload: envelope(bucketResource(input), finalizing) }).then(
    (res) => (got = { code: res.statusCode, body: res.json<HookResponse>() }),
    (err: unknown) => (failed = err ?? 'inject failed'),
  );
  await until(() => hook.timers.pending().length === 2 || got !== undefined || failed !== undefined, 'the request deadline to be set');
  return {
    answered: () => got,
    answer: async () => {
      await until(() => got !== undefined || failed !== undefined, `an answer (timers fired so far: ${JSON.stringify(hook.timers.fired)})`);
      if (got === undefined) throw failed;
      return got;
    },
  };
}

/** Moves the manual clock to `ms` after the request began; resolves once nothing more happens. */
async function at(hook: Hook, ms: number): Promise<void> {
  hook.timers.advance(ms - hook.timers.now());
  await turns();
}

const reasonOf = (r: HookResponse, type: string) => r.status.conditions?.find((c) => c.type === type)?.reason;

t.test('a HeadBucket that never answers: 200 in time, DeadlineExceeded, backoff', async (t) => {
  const fake = new FakeS3();
  const s3 = hangingFactory(fake, { methods: ['headBucket'] });
  const hook = app(s3);
  t.teardown(() => hook.close());
  const req = await send(hook, { spec: { name: NAME } });
  t.same(hook.timers.pending(), [DEADLINE_MS, DEADLINE_MS + GRACE_MS], 'the deadline and its backstop');
  await until(() => s3.hung.length > 0, 'HeadBucket to hang');
  await at(hook, DEADLINE_MS - 1);
  t.equal(req.answered(), undefined, 'no answer before the deadline');
  await at(hook, DEADLINE_MS);
  const res = await req.answer();
  t.same(hook.timers.fired, [DEADLINE_MS], 'answered at the deadline: the abort fired, the backstop did not');
  t.same(hook.timers.pending(), [], 'the backstop was cleared');
  t.equal(res.code, 200);
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
  const req = await send(hook, { uid: UID, spec });
  await until(() => s3.hung.length > 0, 'PutBucketTagging to hang');
  await at(hook, DEADLINE_MS - 1);
  t.equal(req.answered(), undefined, 'no answer before the deadline');
  await at(hook, DEADLINE_MS);
  const res = await req.answer();
  t.same(hook.timers.fired, [DEADLINE_MS], 'answered at the deadline, not by the backstop');
  t.equal(res.code, 200);
  t.same(s3.hung, ['putBucketTags']);
  t.same(fake.writes(), [], 'no write after the aborted one: the deadline is spent, the next sync continues');
  t.equal(fake.versioningOf(NAME), undefined);
  t.equal(reasonOf(res.body, 'ACK.Recoverable'), 'DeadlineExceeded');
  t.match(
    res.body.status.conditions?.find((c) => c.type === 'ACK.Recoverable')?.message,
    /^Not in sync: spec\.tagging\. spec\.tagging: PutBucketTagging failed with AbortError/,
  );
  t.equal(res.body.status.ackResourceMetadata?.arn, `arn:aws:s3:::${NAME}`, 'the bucket is ours and still reported');

  // The next sync (no hang) finishes the job.
  const next = app(fake.factory());
  t.teardown(() => next.close());
  const healed = await next.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource({ uid: UID, spec, status: res.body.status })) });
  t.equal(reasonOf(healed.json<HookResponse>(), 'Ready'), 'Available');
  t.same(next.timers.fired, [], 'in time: no timer fired');
  t.same(next.timers.pending(), [], 'and both were cleared');
  t.equal(fake.versioningOf(NAME), 'Enabled');
});

t.test('finalize: a DeleteBucket that never answers keeps the finalizer and the bucket', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS });
  const s3 = hangingFactory(fake, { methods: ['deleteBucket'] });
  const hook = app(s3);
  t.teardown(() => hook.close());
  const req = await send(hook, { uid: UID, spec: { name: NAME }, generation: 2, deletionTimestamp: '2026-11-24T10:00:00Z' }, true);
  await until(() => s3.hung.length > 0, 'DeleteBucket to hang');
  await at(hook, DEADLINE_MS - 1);
  t.equal(req.answered(), undefined, 'no answer before the deadline');
  await at(hook, DEADLINE_MS);
  const res = await req.answer();
  t.same(hook.timers.fired, [DEADLINE_MS], 'answered at the deadline');
  t.equal(res.code, 200);
  t.equal(res.body.finalized, false);
  t.equal(reasonOf(res.body, 'ACK.Recoverable'), 'DeadlineExceeded');
  t.ok((res.body.resyncAfterSeconds ?? 0) > 0);
  t.ok(fake.buckets.has(NAME));
});

t.test('a port that ignores its signal: the backstop answers 200 anyway, a moment after the deadline', async (t) => {
  const fake = new FakeS3();
  const previous = { ackResourceMetadata: { region: 'eu-west-1', arn: `arn:aws:s3:::${NAME}` }, location: `/${NAME}`, observedGeneration: 1 };
  for (const finalizing of [false, true]) {
    const s3 = hangingFactory(fake, { ignoreSignal: true });
    const hook = app(s3);
    const input: BucketInput = { spec: { name: NAME }, status: previous, ...(finalizing ? { deletionTimestamp: '2026-11-24T10:00:00Z' } : {}) };
    const req = await send(hook, input, finalizing);
    await until(() => s3.hung.length > 0, 'the first S3 call to hang');
    await at(hook, DEADLINE_MS);
    t.same(hook.timers.fired, [DEADLINE_MS], 'the deadline fired');
    await at(hook, DEADLINE_MS + GRACE_MS - 1);
    t.equal(req.answered(), undefined, 'the port ignores the signal: no answer at the deadline, nor until the grace is over');
    await at(hook, DEADLINE_MS + GRACE_MS);
    const res = await req.answer();
    await hook.close();
    t.same(hook.timers.fired, [DEADLINE_MS, DEADLINE_MS + GRACE_MS], 'the backstop answered, at deadline + grace');
    t.equal(res.code, 200, `${finalizing ? 'finalize' : 'sync'}: 200`);
    t.equal(reasonOf(res.body, 'ACK.Recoverable'), 'DeadlineExceeded');
    t.equal(res.body.status.ackResourceMetadata?.arn, previous.ackResourceMetadata.arn, 'keeps reporting the ARN it reported');
    t.equal(res.body.status.location, previous.location);
    t.equal(res.body.finalized, finalizing ? false : undefined, 'never finalized by the backstop');
    t.equal(res.body.resyncAfterSeconds, 5);
  }
});

t.test('withDeadline: the work result when in time, timers cleared, errors passed through', async (t) => {
  // The real timers by default: none is left behind.
  const realTimeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = realTimeouts();
  t.equal(
    await withDeadline(
      1000,
      async (signal) => (signal.aborted ? 'late' : 'ok'),
      () => 'overrun',
      silent,
    ),
    'ok',
  );
  await t.rejects(
    withDeadline(
      1000,
      async () => Promise.reject(new Error('bug')),
      () => 'overrun',
      silent,
    ),
    { message: 'bug' },
  );
  t.equal(realTimeouts(), before, 'no timer left behind');
  const timers = new ManualTimers();
  let reason: unknown;
  const aborted = withDeadline(
    20,
    (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(void (reason = signal.reason)))),
    () => undefined,
    silent,
    timers,
  );
  t.same(timers.pending(), [20, 20 + GRACE_MS]);
  timers.advance(20);
  await aborted;
  t.equal((reason as DOMException).name, 'AbortError', 'aborted as AbortError, which the adapter classifies as kind "aborted"');
  t.match((reason as DOMException).message, /deadline \(20 ms\)/);
  t.same(timers.pending(), [], 'the backstop cleared once the work settled');
});

t.test('deadlineAnswer: first call, no previous status', async (t) => {
  const { now, resync } = testDeps(new FakeS3().factory());
  const res = await deadlineAnswer(bucketResource({ generation: 4 }), { now, resync }, 1234, false);
  t.same(res.status.ackResourceMetadata, undefined);
  t.equal(res.status.observedGeneration, 4);
  t.match(res.status.conditions?.find((c) => c.type === 'ACK.Recoverable')?.message, /ran out of time \(1234 ms\)/);
});

t.test('the real SDK adapter passes the signal: an S3 endpoint that never answers is cut at the deadline', async (t) => {
  let requests = 0;
  const server: Server = createServer(() => void requests++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const s3 = createSdkPortFactory({
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const hook = app(s3);
  t.teardown(async () => {
    await hook.close();
    s3.destroy();
    server.closeAllConnections();
    server.close();
  });
  const req = await send(hook, { spec: { name: NAME } });
  await until(() => requests > 0, 'the HeadBucket request to reach the endpoint');
  await at(hook, DEADLINE_MS - 1);
  t.equal(req.answered(), undefined, 'no answer before the deadline');
  await at(hook, DEADLINE_MS);
  const res = await req.answer();
  t.same(hook.timers.fired, [DEADLINE_MS], 'the SDK call was cut by the signal, not by the backstop');
  t.equal(res.code, 200);
  t.equal(reasonOf(res.body, 'ACK.Recoverable'), 'DeadlineExceeded');
});

t.test('REQUEST_DEADLINE_MS: default 20 s, checked', async (t) => {
  t.equal(parseConfig({ AWS_REGION: 'eu-west-1' }).requestDeadlineMs, 20_000);
  t.equal(parseConfig({ AWS_REGION: 'eu-west-1', REQUEST_DEADLINE_MS: '5000' }).requestDeadlineMs, 5000);
  t.throws(() => parseConfig({ AWS_REGION: 'eu-west-1', REQUEST_DEADLINE_MS: '50' }), /REQUEST_DEADLINE_MS="50" must be a whole number from 100 to 300000/);
});
