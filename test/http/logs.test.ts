// The log lines of real requests (the production logger into memory, JSON lines): every line after the body is
// read names the request and the Bucket; one info line per applied field; warn for S3 refusals; error
// only for bugs.
import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger, lazyChildLoggerFactory } from '../../src/logger.js';
import { testApp } from '../support/app.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const BUCKET = 'team-a-artifacts-7f3c';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01' };
const SPEC = { name: BUCKET, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };
const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

type Line = Record<string, unknown> & { level: number; msg: string };

function memoryLogger(level = 'debug') {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  return { lines, logger: createLogger(level, stream) };
}

const levelOf = (l: Line) => LEVELS[l.level];
/** Fastify's first line of a request, written before the body (and so the Bucket) is known. */
const beforeBody = (l: Line) => l.msg === 'incoming request';

/** Counts the child loggers made from `logger` from now on (`made` may be reset). */
function countChildren(logger: ReturnType<typeof memoryLogger>['logger']): { made: number } {
  const counter = { made: 0 };
  const child = logger.child.bind(logger);
  logger.child = ((...args: Parameters<typeof child>) => {
    counter.made++;
    return child(...args);
  }) as typeof logger.child;
  return counter;
}

t.test('one sync that applies two changes', async (t) => {
  const fake = new FakeS3();
  fake.seed(BUCKET, { tags: { team: 'z', ...OURS }, versioning: 'Suspended' });
  const { lines, logger } = memoryLogger();
  const app = testApp(fake.factory(), { logger });
  const res = await app.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource({ spec: SPEC, generation: 4 })) });
  t.equal(res.statusCode, 200);
  t.same(fake.writes(), ['PutBucketTagging', 'PutBucketVersioning']);

  t.ok(lines.length >= 4, `${lines.length} lines`);
  const reqIds = new Set(lines.map((l) => l.reqId));
  t.equal(reqIds.size, 1, 'one request id on every line');
  t.ok([...reqIds][0], 'a non-empty request id');
  for (const line of lines.filter((l) => !beforeBody(l))) {
    t.match(line, { namespace: 'team-a', name: 'artifacts', generation: 4, bucket: BUCKET }, `"${line.msg}" names the Bucket`);
  }
  t.equal(lines.filter(beforeBody).length, 0, 'no access lines: one line per reconcile instead');
  const applied = lines.filter((l) => l.msg === 'change applied');
  t.same(applied.map(levelOf), ['info', 'info']);
  t.same(applied.map((l) => l.field).sort(), ['spec.tagging', 'spec.versioning'], 'one line per applied field, with its path');
  t.same(
    lines.filter((l) => levelOf(l) === 'error'),
    [],
    'no error lines',
  );
  t.match(
    lines.find((l) => l.msg === 'sync answered'),
    { level: 30, namespace: 'team-a', synced: 'True', reason: 'Synced', resyncAfterSeconds: 600 },
    'one closing line per reconcile, naming the Bucket and the outcome',
  );
});

t.test('an S3 refusal is a warn line naming the field and the call; still no error line', async (t) => {
  const fake = new FakeS3();
  fake.seed(BUCKET, { tags: { team: 'a', ...OURS }, versioning: 'Suspended' });
  fake.fail('PutBucketVersioning', { code: 'AccessDenied', kind: 'access-denied', status: 403 });
  const { lines, logger } = memoryLogger('info');
  const app = testApp(fake.factory(), { logger });
  await app.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource({ spec: SPEC })) });
  const warns = lines.filter((l) => levelOf(l) === 'warn');
  t.equal(warns.length, 1);
  t.match(warns[0], {
    msg: 'S3 refused a call',
    field: 'spec.versioning',
    operation: 'PutBucketVersioning',
    code: 'AccessDenied',
    namespace: 'team-a',
    name: 'artifacts',
    generation: 1,
  });
  t.same(
    lines.filter((l) => levelOf(l) === 'error'),
    [],
  );
  t.same(
    lines.filter((l) => l.msg === 'change applied'),
    [],
    'nothing applied, nothing claimed',
  );
});

t.test('a bug is the only error line, and it names the Bucket', async (t) => {
  const { lines, logger } = memoryLogger('info');
  const app = testApp(
    () => {
      throw new TypeError('boom');
    },
    { logger },
  );
  const res = await app.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource({ spec: SPEC })) });
  t.equal(res.statusCode, 500);
  const errors = lines.filter((l) => levelOf(l) === 'error');
  t.equal(errors.length, 1);
  t.match(errors[0], { msg: 'hook failed', namespace: 'team-a', name: 'artifacts', err: { type: 'TypeError', message: 'boom' } });
});

t.test('a dry run says so on its lines', async (t) => {
  const { lines, logger } = memoryLogger('info');
  const app = testApp(new FakeS3().factory(), { logger });
  await app.inject({ method: 'POST', url: '/sync?dryRun=true', payload: envelope(bucketResource({ spec: SPEC })) });
  const after = lines.filter((l) => !beforeBody(l));
  t.ok(after.length > 0);
  t.ok(
    after.every((l) => l.dryRun === true),
    'every line of a dry run carries dryRun: true',
  );
  t.match(
    lines.find((l) => l.msg === 'dry-run sync answered'),
    { writes: ['CreateBucket', 'PutBucketVersioning'] },
  );
});

t.test('probes and /metrics are not logged', async (t) => {
  const { lines, logger } = memoryLogger('trace');
  const app = testApp(new FakeS3().factory(), { logger });
  await app.ready();
  lines.length = 0;
  for (const url of ['/metrics', '/healthz', '/readyz']) t.equal((await app.inject({ url })).statusCode, 200, url);
  t.same(lines, []);
});

t.test('request loggers are made lazily: an echo makes none; a refused request still logs its request id', async (t) => {
  const fake = new FakeS3();
  const { lines, logger } = memoryLogger('info');
  const children = countChildren(logger);
  const app = testApp(fake.factory(), { logger });
  const first = await app.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource({ spec: SPEC })) });
  t.equal(first.statusCode, 200);
  t.ok(children.made > 0, 'a full sync logs, so it makes its logger');
  const synced = lines.find((l) => l.msg === 'sync answered');
  t.match(synced, { reqId: String, name: 'artifacts', bucket: BUCKET });

  children.made = 0;
  const echo = await app.inject({
    method: 'POST',
    url: '/sync',
    payload: envelope(bucketResource({ spec: SPEC, status: first.json<{ status: Record<string, unknown> }>().status, keepLastCheck: true })),
  });
  t.equal(echo.statusCode, 200);
  t.equal(children.made, 0, 'the echo logs nothing and makes no logger');

  const refused = await app.inject({ method: 'POST', url: '/sync', payload: { parent: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } } });
  t.equal(refused.statusCode, 400);
  const line = lines.find((l) => l.msg === 'request refused');
  t.match(line, { level: 30, reqId: String }, 'the refusal is logged with its request id');
  t.not(line?.reqId, synced?.reqId, 'its own request id');
});

t.test('a line below the level makes no request logger (a flood of 401s, logged at debug, costs none)', async (t) => {
  const { lines, logger } = memoryLogger('info');
  const children = countChildren(logger);
  const request = lazyChildLoggerFactory(logger, { reqId: 'r-1' }, {});
  request.debug('below info');
  request.trace('below info too');
  t.equal(children.made, 0, 'nothing made');
  request.info('at info');
  t.equal(children.made, 1, 'made at the first line that is written');
  t.match(lines, [{ msg: 'at info', reqId: 'r-1' }]);
  const silent = lazyChildLoggerFactory(createLogger('silent'), {}, {});
  silent.error('nothing');
  t.equal(silent.level, 'silent');
});

t.test('a mangled status is one warn line, naming the Bucket', async (t) => {
  const fake = new FakeS3();
  const { lines, logger } = memoryLogger('info');
  const app = testApp(fake.factory(), { logger });
  const res = await app.inject({
    method: 'POST',
    url: '/sync',
    payload: envelope({ ...bucketResource({ spec: SPEC }), status: { conditions: 'nope' } as never }),
  });
  t.equal(res.statusCode, 200);
  const warned = lines.filter((l) => l.msg === 'parent.status does not match the status schema; ignoring it');
  t.equal(warned.length, 1, 'once, though the quick path checked the parent too');
  t.match(warned[0], { level: 40, name: 'artifacts', bucket: BUCKET });
});
