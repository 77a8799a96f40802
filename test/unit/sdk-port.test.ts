// The port's failures. The SDK adapter, against a stand-in S3 endpoint on loopback (real HTTP, the real
// SDK): an answer without an error body (every HEAD, some stores' errors) is named after its HTTP status,
// in the S3Error the core sees and in the /metrics label alike, and its kind (what the core decides on)
// still comes from the status. And the port's promise, kept by the adapter and the dry-run port: only
// S3Errors leave it, whatever was thrown inside (a middleware's TypeError), so the core treats anything
// else as a bug.
import { S3Client } from '@aws-sdk/client-s3';
import { sync } from '../support/core.js';
import t, { type Test } from 'tap';
import { describeFailure } from '../../src/reconciler/outcome/messages.js';
import { CreateTaggingMemo } from '../../src/s3/create-tagging.js';
import { dryRun } from '../../src/s3/dry-run-port.js';
import { classify, errorCode } from '../../src/s3/errors.js';
import { isS3Error, type S3ErrorKind, type S3Port } from '../../src/s3/port.js';
import { createSdkPortFactory, SdkS3Port } from '../../src/s3/sdk-adapter.js';
import { stockSender } from '../../src/s3/sdk-senders.js';
import type { S3Sender } from '../../src/s3/sdk-client-pool.js';
import { testDeps } from '../support/deps.js';
import { bucketResource } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';
import { startStandIn } from '../support/stand-in-s3.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/** A stand-in answering every request with the status the bucket name ends in ("b403"), without a body. */
async function bodiless(t: Test) {
  const s3 = await startStandIn((r) => ({ status: Number(/b(\d+)/.exec(r.url)?.[1] ?? 200) }));
  const counted: string[] = [];
  const factory = createSdkPortFactory({
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
    onRequest: (op, outcome) => counted.push(`${op} ${outcome}`),
  });
  t.teardown(async () => {
    factory.destroy();
    await s3.close();
  });
  return { port: factory('us-east-1'), counted };
}

const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (err: unknown) => err,
  );

t.test('HeadBucket answered 403 without a body: presence forbidden, counted as Forbidden (was Unknown)', async (t) => {
  const { port, counted } = await bodiless(t);
  t.same(await port.headBucket('b403'), { kind: 'forbidden' });
  t.same(await port.headBucket('b404'), { kind: 'absent' });
  t.same(counted, ['HeadBucket Forbidden', 'HeadBucket NotFound']);
});

t.test('a failure without an error body: code from the status, kind as before, the same in the condition and the metric', async (t) => {
  const { port, counted } = await bodiless(t);
  const cases: Array<[status: number, code: string, kind: S3ErrorKind]> = [
    [400, 'BadRequest', 'invalid'],
    [403, 'Forbidden', 'access-denied'],
    [409, 'Conflict', 'invalid'],
    [500, 'InternalError', 'transient'],
    [503, 'ServiceUnavailable', 'throttled'],
    // A status with no S3 name keeps the SDK's.
    [418, 'Unknown', 'invalid'],
  ];
  for (const [status, code, kind] of cases) {
    const err = await failure(port.getConfig('versioning', `b${status}`));
    t.ok(isS3Error(err), `${status}: an S3Error`);
    if (!isS3Error(err)) continue;
    t.match(err, { operation: 'GetBucketVersioning', code, kind, httpStatus: status }, `${status}: ${code}`);
    t.equal(counted.at(-1), `GetBucketVersioning ${code}`, `${status}: /metrics says ${code} too`);
  }
  const forbidden = await failure(port.getConfig('versioning', 'b403'));
  if (!isS3Error(forbidden)) return t.fail('an S3Error');
  t.match(
    describeFailure(forbidden, 'b403', 'spec.versioning'),
    /^spec\.versioning: GetBucketVersioning failed with Forbidden \(HTTP 403\): the hook's credentials are not allowed/,
  );
});

t.test('HeadBucket answered 500 or 503: the call fails with the status-named code', async (t) => {
  const { port, counted } = await bodiless(t);
  t.match(await failure(port.headBucket('b500')), { name: 'S3Error', operation: 'HeadBucket', code: 'InternalError', kind: 'transient', httpStatus: 500 });
  t.match(await failure(port.headBucket('b503')), { code: 'ServiceUnavailable', kind: 'throttled', httpStatus: 503 });
  t.same(counted, ['HeadBucket InternalError', 'HeadBucket ServiceUnavailable']);
});

t.test('errorCode and classify: a named code always wins; nameless ones take the status; kinds unchanged', async (t) => {
  const sdk = (name: string, status?: number) => Object.assign(new Error('x'), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });
  t.equal(errorCode(sdk('NoSuchBucket', 404)), 'NoSuchBucket');
  t.equal(errorCode(sdk('AccessDenied', 403)), 'AccessDenied');
  t.equal(errorCode(sdk('Unknown', 403)), 'Forbidden');
  t.equal(errorCode(sdk('UnknownError', 301)), 'PermanentRedirect');
  t.equal(errorCode(sdk('Unknown')), 'Unknown', 'no status: as the SDK said');
  t.equal(errorCode(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 404 } })), 'NotFound', 'a plain Error with a status');
  t.equal(errorCode(undefined), 'UnknownError');
  t.equal(errorCode(Object.assign(new Error('reset'), { code: 'ECONNRESET' })), 'ECONNRESET');
  t.match(classify('GetBucketCors', sdk('Unknown', 301)), { code: 'PermanentRedirect', kind: 'unknown', httpStatus: 301 }, '301 stays kind unknown, as before');
  t.match(classify('GetBucketCors', sdk('Unknown', 404)), { code: 'NotFound', kind: 'not-found' });
  t.match(
    classify('PutBucketNotificationConfiguration', sdk('NoSuchKey', 404)),
    { code: 'NoSuchKey', kind: 'invalid' },
    'a 404 naming something else than the bucket (RGW: a missing topic) is no vanished bucket',
  );
  t.match(classify('PutBucketTagging', sdk('NoSuchBucket', 404)), { code: 'NoSuchBucket', kind: 'not-found' });
  t.match(classify('GetBucketCors', sdk('Unknown', 501)), { code: 'NotImplemented', kind: 'unsupported' });
  t.match(classify('GetBucketCors', sdk('Unknown', 429)), { code: 'TooManyRequests', kind: 'throttled' });
  t.match(classify('GetBucketCors', sdk('Unknown', 502)), { code: 'BadGateway', kind: 'transient' });
});

/** Every public method of a port, called once, with the S3 operation it stands for. */
function everyCall(port: S3Port): Array<[operation: string, call: () => Promise<unknown>]> {
  return [
    ['HeadBucket', () => port.headBucket('b')],
    [
      'CreateBucket',
      () =>
        port.createBucket({
          bucket: 'b',
          locationConstraint: 'eu-west-1',
          tags: [{ key: 'k', value: 'v' }],
          extras: { location: { name: 'z', type: 'AvailabilityZone' } },
        }),
    ],
    ['DeleteBucket', () => port.deleteBucket('b')],
    ['GetBucketTagging', () => port.getBucketTags('b')],
    ['PutBucketTagging', () => port.putBucketTags('b', [{ key: 'k', value: 'v' }])],
    ['DeleteBucketTagging', () => port.deleteBucketTags('b')],
    ['GetBucketVersioning', () => port.getConfig('versioning', 'b')],
    ['GetBucketLifecycleConfiguration', () => port.getConfig('lifecycle', 'b')],
    ['GetBucketAcl', () => port.getConfig('acl', 'b')],
    ['PutBucketCors', () => port.putConfig('cors', 'b', { corsRules: [{ allowedMethods: ['GET'], allowedOrigins: ['*'] }] })],
    ['PutBucketAcl', () => port.putConfig('acl', 'b', { acl: 'private' })],
    ['DeleteBucketPolicy', () => port.deleteConfig('policy', 'b')],
    ['ListBucketMetricsConfigurations', () => port.listCollection('metrics', 'b')],
    ['PutBucketMetricsConfiguration', () => port.putCollectionItem('metrics', 'b', { id: 'm' })],
    ['DeleteBucketAnalyticsConfiguration', () => port.deleteCollectionItem('analytics', 'b', 'a')],
  ];
}

/** A real client whose every request meets `fault` in a middleware, before anything is sent. */
function faultyClient(t: Test, fault: () => never): S3Sender {
  const client = new S3Client({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials, maxAttempts: 1 });
  client.middlewareStack.add(() => () => Promise.resolve().then(fault), { step: 'initialize', name: 'fault' });
  t.teardown(() => client.destroy());
  return stockSender(client);
}

t.test('the SDK adapter: a TypeError thrown by a middleware leaves every method as an S3Error of kind unknown', async (t) => {
  const boom = new TypeError('boom');
  const port = new SdkS3Port(
    faultyClient(t, () => {
      throw boom;
    }),
    new CreateTaggingMemo('honoured'),
  );
  for (const [operation, call] of everyCall(port)) {
    const err = await failure(call());
    t.ok(isS3Error(err), `${operation}: an S3Error`);
    t.match(err, { operation, code: 'TypeError', kind: 'unknown', httpStatus: undefined, cause: boom }, operation);
  }
});

t.test('the SDK adapter: a middleware throwing something that is not even an Error (null) leaves as an S3Error too', async (t) => {
  const port = new SdkS3Port(
    faultyClient(t, () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the point: an odd value, as a third-party middleware may throw
      throw null;
    }),
    new CreateTaggingMemo('honoured'),
  );
  // (The SDK's own middlewares trip over the null on its way out: the code is theirs, the kind unknown.)
  for (const [operation, call] of everyCall(port))
    t.match(await failure(call()), { name: 'S3Error', operation, kind: 'unknown', httpStatus: undefined }, operation);
});

t.test('the dry-run port: an inner port that breaks its promise, or a write that cannot be planned, fails with an S3Error', async (t) => {
  const fake = new FakeS3();
  const odd = new TypeError('odd');
  const dry = dryRun((region) => ({
    ...fake.port(region),
    headBucket: () => Promise.reject(odd),
    getConfig: () => {
      throw odd;
    },
  }));
  const port = dry.factory('eu-west-1');
  t.match(await failure(port.headBucket('b')), { name: 'S3Error', operation: 'HeadBucket', code: 'TypeError', kind: 'unknown', cause: odd });
  t.match(
    await failure(port.getConfig('cors', 'b')),
    { name: 'S3Error', operation: 'GetBucketCors', code: 'TypeError', kind: 'unknown' },
    'thrown, not even rejected',
  );
  fake.fail('GetBucketTagging', { code: 'AccessDenied', kind: 'access-denied', status: 403 });
  t.match(
    await failure(port.getBucketTags('b')),
    { name: 'S3Error', operation: 'GetBucketTagging', code: 'AccessDenied', kind: 'access-denied' },
    "the inner port's S3Error as it is",
  );
  const uncloneable = { id: 'm', filter: { f: () => undefined } };
  t.match(await failure(port.putCollectionItem('metrics', 'b', uncloneable)), {
    name: 'S3Error',
    operation: 'PutBucketMetricsConfiguration',
    code: 'DataCloneError',
    kind: 'unknown',
  });
  t.same(dry.plan, [], 'nothing planned');
});

t.test('the core: an error that is not an S3Error is a bug, and the sync fails with it (no condition made of it)', async (t) => {
  const fake = new FakeS3();
  fake.seed('team-a-artifacts-7f3c', {
    tags: { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01' },
  });
  const bug = new TypeError('a bug in a port');
  const broken = (method: 'getConfig' | 'putConfig') => testDeps((region) => ({ ...fake.port(region), [method]: () => Promise.reject(bug) }));
  const resource = bucketResource({ spec: { name: 'team-a-artifacts-7f3c', versioning: { status: 'Enabled' } } });
  await t.rejects(sync(resource, broken('getConfig')), bug, 'observe: a read failing with a TypeError');
  await t.rejects(sync(resource, broken('putConfig')), bug, 'apply: a write failing with a TypeError');
  // The same failures as S3Errors are conditions, as ever.
  fake.fail('PutBucketVersioning', { code: 'InternalError', kind: 'transient', status: 500 });
  const res = await sync(resource, testDeps(fake.factory()));
  t.match(res.status.conditions?.find((c) => c.type === 'ACK.Recoverable')?.message, /PutBucketVersioning failed with InternalError \(HTTP 500\)/);
});
