// The fault proxy itself: operations derived from method and query string, deterministic fates, and each
// fault as the hook's SDK adapter sees it (against a stand-in upstream that answers 200 to everything).
import { createServer, type IncomingMessage } from 'node:http';
import t from 'tap';
import { S3Error } from '../../src/s3/port.js';
import { createSdkPortFactory } from '../../src/s3/sdk-adapter.js';
import { FaultProxy, operationOf, type FaultKind } from '../faults/proxy.js';
import { ManualTimers, turns, until } from '../support/manual-timers.js';

t.test('operationOf: method + path + sub-resource', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['HEAD', '/b', 'HeadBucket'],
    ['PUT', '/b', 'CreateBucket'],
    ['DELETE', '/b', 'DeleteBucket'],
    ['GET', '/b?list-type=2', 'ListObjects'],
    ['GET', '/', 'ListBuckets'],
    ['GET', '/b?tagging', 'GetBucketTagging'],
    ['PUT', '/b?tagging', 'PutBucketTagging'],
    ['DELETE', '/b?tagging', 'DeleteBucketTagging'],
    ['GET', '/b?versioning', 'GetBucketVersioning'],
    ['PUT', '/b?versioning', 'PutBucketVersioning'],
    ['PUT', '/b?lifecycle', 'PutBucketLifecycleConfiguration'],
    ['GET', '/b?publicAccessBlock', 'GetPublicAccessBlock'],
    ['GET', '/b?object-lock', 'GetObjectLockConfiguration'],
    ['GET', '/b?analytics&x-id=ListBucketAnalyticsConfigurations', 'GetBucketAnalyticsConfiguration'],
    ['GET', '/b?versions', 'ListObjectVersions'],
    ['PUT', '/b/some/key.txt?x-id=PutObject', 'PutObject'],
    ['DELETE', '/b/k', 'DeleteObject'],
    ['POST', '/b?delete', 'DeleteObjects'],
  ];
  for (const [method, url, operation] of cases) t.equal(operationOf(method, url).operation, operation, `${method} ${url}`);
  t.equal(operationOf('PUT', '/my-bucket?tagging').bucket, 'my-bucket');
});

async function upstream() {
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-length': 0 }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const LATENCY_MS = 400;

async function withProxy(
  kind: FaultKind | undefined,
  run: (port: ReturnType<ReturnType<typeof createSdkPortFactory>>, proxy: FaultProxy, seen: string[], timers: ManualTimers) => Promise<void>,
): Promise<void> {
  const up = await upstream();
  const only = Object.fromEntries((['slowdown', 'internal', 'reset', 'reset-after', 'latency'] as const).map((k) => [k, k === kind ? 1 : 0]));
  // Held answers wait on a manual clock: the test decides when the latency is over.
  const timers = new ManualTimers();
  const proxy = await new FaultProxy({ target: up.url, seed: 1, rate: kind ? 1 : 0, mix: only, latencyMs: LATENCY_MS, timers }).start();
  const s3 = createSdkPortFactory({ endpoint: proxy.url, forcePathStyle: true, credentials: { accessKeyId: 'k', secretAccessKey: 's' }, maxAttempts: 1 });
  try {
    await run(s3('us-east-1'), proxy, up.seen, timers);
  } finally {
    s3.destroy();
    await proxy.close();
    await up.close();
  }
}

async function failure(p: Promise<unknown>): Promise<S3Error> {
  try {
    await p;
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

t.test('each fault, as the SDK adapter classifies it', async (t) => {
  await withProxy(undefined, async (port, proxy, seen) => {
    await port.putBucketTags('b', []);
    t.match(seen, [/^PUT \/b\/?\?tagging/], 'no fault: forwarded untouched');
    t.same(proxy.byOperation.get('PutBucketTagging'), { requests: 1, forwarded: 1, injected: {} });
  });
  await withProxy('slowdown', async (port, proxy, seen) => {
    const err = await failure(port.putBucketTags('b', []));
    t.same([err.code, err.kind, err.httpStatus], ['SlowDown', 'throttled', 503]);
    const head = await failure(port.headBucket('b'));
    t.equal(head.kind, 'throttled', 'a bodiless 503 to HEAD is throttling too');
    t.same(seen, [], 'never reached S3');
    t.equal(proxy.injected().slowdown, 2);
  });
  await withProxy('internal', async (port) => {
    const err = await failure(port.createBucket({ bucket: 'b', locationConstraint: undefined, tags: [] }));
    t.same([err.code, err.kind, err.httpStatus], ['InternalError', 'transient', 500]);
  });
  await withProxy('reset', async (port, proxy, seen) => {
    const err = await failure(port.deleteBucket('b'));
    t.equal(err.kind, 'transient', `a reset is transient (${err.code})`);
    t.same(seen, [], 'never reached S3');
    t.equal(proxy.injected().reset, 1);
  });
  await withProxy('reset-after', async (port, proxy, seen) => {
    const err = await failure(port.createBucket({ bucket: 'b', locationConstraint: undefined, tags: [] }));
    t.equal(err.kind, 'transient', `S3 did the work, the answer is lost (${err.code})`);
    t.match(seen, [/^PUT \/b\/?($|\?)/], 'reached S3');
    t.equal(proxy.createsDone.get('b'), 1, 'counted as a CreateBucket that reached S3 with 200');
    t.equal(proxy.createAnswersLost.get('b'), 1, 'and as an answer lost');
  });
  await withProxy('latency', async (port, _proxy, seen, timers) => {
    // S3 answers at once; the proxy holds that answer for LATENCY_MS. A deadline before then cuts the call.
    const deadline = new AbortController();
    const cut = failure(port.headBucket('b', deadline.signal));
    await until(() => timers.pending().length === 1, "the proxy to hold S3's answer");
    t.same([seen.length, timers.pending()], [1, [LATENCY_MS]], 'S3 answered; the proxy holds the answer for the latency');
    deadline.abort(new DOMException('deadline', 'AbortError'));
    const err = await cut;
    t.equal(err.kind, 'aborted', 'held past the deadline: the signal cuts it');
    timers.advance(LATENCY_MS);
    t.same(timers.pending(), [], 'the held answer is dropped when its time comes (the client is gone)');

    // Without a deadline the answer comes when the latency is over, and not before.
    let answered: unknown;
    const late = port.headBucket('b').then((r) => (answered = r));
    await until(() => timers.pending().length === 1, 'the proxy to hold the second answer');
    timers.advance(LATENCY_MS - 1);
    await turns();
    t.equal(answered, undefined, 'not answered before the latency is over');
    timers.advance(1);
    t.same(await late, { kind: 'present' }, 'without a deadline the answer comes, late');
    t.same(timers.fired, [LATENCY_MS, LATENCY_MS], 'released by its latency timer');
  });
});

t.test('fates are deterministic per (seed, operation, bucket, n), whatever the interleaving', async (t) => {
  const fates = async (seed: number, order: string[]) => {
    const up = await upstream();
    const proxy = await new FaultProxy({
      target: up.url,
      seed,
      rate: 0.5,
      mix: { slowdown: 1, internal: 1, reset: 0, 'reset-after': 0, latency: 0 },
      latencyMs: 0,
    }).start();
    const s3 = createSdkPortFactory({ endpoint: proxy.url, forcePathStyle: true, credentials: { accessKeyId: 'k', secretAccessKey: 's' }, maxAttempts: 1 });
    const out: Record<string, string[]> = {};
    for (const bucket of order) {
      const fate = await s3('us-east-1')
        .putBucketTags(bucket, [])
        .then(
          () => 'ok',
          (err: S3Error) => err.code,
        );
      (out[bucket] ??= []).push(fate);
    }
    s3.destroy();
    await proxy.close();
    await up.close();
    return out;
  };
  const a = await fates(42, ['x', 'x', 'y', 'x', 'y', 'y', 'x', 'y', 'x', 'x']);
  const b = await fates(42, ['y', 'y', 'y', 'y', 'x', 'x', 'x', 'x', 'x', 'x']);
  t.same(a.x, b.x, 'bucket x: the same fates');
  t.same(a.y, b.y?.slice(0, a.y?.length), 'bucket y: the same fates');
  const c = await fates(43, ['x', 'x', 'y', 'x', 'y', 'y', 'x', 'y', 'x', 'x']);
  t.notSame([a.x, a.y], [c.x, c.y], 'another seed, other fates');
});
