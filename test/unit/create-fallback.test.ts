// The SDK adapter's CreateBucket against a stand-in S3 endpoint on loopback (real HTTP, the real SDK):
// a create body refused because of its tags is sent again without them, once per endpoint; a refusal
// for any other reason is not mistaken for that, and its message says what the hook sent. Ceph RGW in
// us-east-1 (test/integration, first region) is the real case; this forces the other branches.
import t from 'tap';
import { describeFailure } from '../../src/reconciler/outcome/messages.js';
import { isS3Error } from '../../src/s3/port.js';
import { createSdkPortFactory } from '../../src/s3/sdk-adapter.js';
import { startStandIn } from '../support/stand-in-s3.js';

/** Refuses (400 InvalidArgument) any CreateBucket body holding <Tags>, and any at all when `refuseAll`. */
function standIn(options: { refuseAll?: boolean } = {}) {
  return startStandIn((r) =>
    r.method === 'PUT' && (options.refuseAll || r.body.includes('<Tags>')) ? { status: 400, code: 'InvalidArgument' } : { status: 200 },
  );
}

const TAGS = [{ key: 'services.k8s.aws/uid', value: 'u-1' }];
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

t.test('us-east-1, a store refusing tags in the create body: one retry without them, remembered for the endpoint', async (t) => {
  const s3 = await standIn();
  const factory = createSdkPortFactory({ endpoint: s3.endpoint, forcePathStyle: true, credentials, maxAttempts: 1 });
  t.teardown(async () => {
    factory.destroy();
    await s3.close();
  });
  const port = factory('us-east-1');
  t.equal(port.createTagging(), 'unknown', 'a custom endpoint starts unknown');
  await port.createBucket({ bucket: 'b1', locationConstraint: undefined, tags: TAGS });
  t.same(
    s3.seen.map((r) => [r.url, r.body.includes('<Tags>'), r.body === '']),
    [
      ['/b1/', true, false],
      ['/b1/', false, true],
    ],
    'refused with tags, then created with no body at all',
  );
  t.equal(port.createTagging(), 'refused');
  await factory('eu-west-1').createBucket({ bucket: 'b2', locationConstraint: 'eu-west-1', tags: TAGS });
  t.equal(s3.seen.length, 3, 'the next create (any region of the endpoint) is one request');
  t.notOk(s3.seen[2]!.body.includes('<Tags>'), 'without tags');
  t.match(s3.seen[2]!.body, /<LocationConstraint>eu-west-1<\/LocationConstraint>/);
});

t.test('a refusal that is not about the tags: not remembered as one, and the message says what was sent', async (t) => {
  const s3 = await standIn({ refuseAll: true });
  const factory = createSdkPortFactory({ endpoint: s3.endpoint, forcePathStyle: true, credentials, maxAttempts: 1 });
  t.teardown(async () => {
    factory.destroy();
    await s3.close();
  });
  const port = factory('us-west-2');
  const err: unknown = await port
    .createBucket({ bucket: 'b3', locationConstraint: 'us-west-2', tags: TAGS, extras: { objectOwnership: 'BucketOwnerEnforced' } })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  t.ok(isS3Error(err), 'an S3Error escapes the adapter');
  if (!isS3Error(err)) return;
  t.equal(err.code, 'InvalidArgument');
  t.equal(s3.seen.length, 2, 'tried with tags, then without');
  t.equal(port.createTagging(), 'unknown', 'not marked refused: the bare create failed too');
  const message = describeFailure(err, 'b3');
  t.match(
    message,
    /CreateBucket failed with InvalidArgument \(HTTP 400\): S3 refused the request the hook sent \(CreateBucket with LocationConstraint "us-west-2" \(the bucket's region\), ObjectOwnership "BucketOwnerEnforced" \(spec\.objectOwnership\)\)/,
  );
  t.notMatch(message, /check the spec/);
});

t.test('real AWS (no custom endpoint) is known to keep the tags sent with CreateBucket', async (t) => {
  const factory = createSdkPortFactory({ forcePathStyle: false, credentials });
  t.teardown(() => factory.destroy());
  t.equal(factory('us-east-1').createTagging(), 'honoured');
});
