// The SDK adapter's failures, against a stand-in S3 endpoint on loopback (real HTTP, the real SDK): an
// answer without an error body (every HEAD, some stores' errors) is named after its HTTP status, in the
// S3Error the core sees and in the /metrics label alike, and its kind (what the core decides on) still
// comes from the status.
import t, { type Test } from 'tap';
import { describeFailure } from '../../src/reconciler/messages.js';
import { classify, errorCode } from '../../src/s3/errors.js';
import { isS3Error, type S3ErrorKind } from '../../src/s3/port.js';
import { createSdkPortFactory } from '../../src/s3/sdk-adapter.js';
import { startStandIn } from '../support/stand-in-s3.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/** A stand-in answering every request with the status the bucket name ends in ("b403"), without a body. */
async function bodiless(t: Test) {
  const s3 = await startStandIn((r) => ({ status: Number(/b(\d+)/.exec(r.url)?.[1] ?? 200) }));
  const counted: string[] = [];
  const factory = createSdkPortFactory({ endpoint: s3.endpoint, forcePathStyle: true, credentials, maxAttempts: 1, onRequest: (op, outcome) => counted.push(`${op} ${outcome}`) });
  t.teardown(async () => {
    factory.destroy();
    await s3.close();
  });
  return { port: factory('us-east-1'), counted };
}

const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (err: unknown) => err);

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
  t.match(describeFailure(forbidden, 'b403', 'spec.versioning'), /^spec\.versioning: GetBucketVersioning failed with Forbidden \(HTTP 403\): the hook's credentials are not allowed/);
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
  t.match(classify('GetBucketCors', sdk('Unknown', 501)), { code: 'NotImplemented', kind: 'unsupported' });
  t.match(classify('GetBucketCors', sdk('Unknown', 429)), { code: 'TooManyRequests', kind: 'throttled' });
  t.match(classify('GetBucketCors', sdk('Unknown', 502)), { code: 'BadGateway', kind: 'transient' });
});
