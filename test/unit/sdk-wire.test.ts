// What the tuned S3 client sends, compared on the wire with a stock S3Client's, against a loopback S3
// that records every request: the same port calls (test/support/wire-script.ts) must arrive as the same
// requests (method, path and query as sent, every header but the signature, the dates and the invocation
// id, the body) and read the same answers. An SDK upgrade that breaks an assumption of the tuning
// (src/s3/sdk-client-config.ts, sdk-client-pool.ts, sdk-http-handler.ts) fails here. The same against
// RGW: test/integration/sdk-wire.test.ts.
import t, { type Test } from 'tap';
import { createSdkPortFactory } from '../../src/s3/sdk-adapter.js';
import { comparable, startWireRecorder, type WireAnswer, type WireRecorder, type WireRequest } from '../support/wire-recorder.js';
import { runScript, stockPort, tunedPort, type PortUnderTest } from '../support/wire-script.js';

const credentials = { accessKeyId: 'AKIDWIRE', secretAccessKey: 'wire-secret' };
const BUCKET = 'wire-bucket';

const xmlError = (status: number, code: string): WireAnswer => ({
  status,
  headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'req' },
  body: `<Error><Code>${code}</Code><Message>${code}</Message></Error>`,
});
const xml = (body: string): WireAnswer => ({ status: 200, headers: { 'content-type': 'application/xml' }, body });

/** A small S3: the bucket exists between its create and its delete; each sub-resource answers as S3 would. */
function loopbackS3(): { answer: (r: WireRequest) => WireAnswer; reset(): void } {
  let exists = false;
  return {
    reset: () => (exists = false),
    answer: (r) => {
      const [path = '', query = ''] = r.url.split('?');
      const onBucket = path.replace(/\/$/, '') === `/${BUCKET}`;
      if (r.method === 'HEAD') return exists ? { status: 200 } : { status: 404 };
      if (r.method === 'PUT' && onBucket && query === '') return ((exists = true), { status: 200 });
      if (r.method === 'DELETE' && onBucket && query === '') return ((exists = false), { status: 204 });
      if (r.method === 'GET' && path === '/')
        return xml(
          `<ListAllMyBucketsResult><Buckets><Bucket><Name>${BUCKET}</Name><CreationDate>2026-12-07T00:00:00.000Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>`,
        );
      if (r.method === 'GET' && query.startsWith('tagging')) return xml('<Tagging><TagSet><Tag><Key>team</Key><Value>x y+z</Value></Tag></TagSet></Tagging>');
      if (r.method === 'GET' && query.startsWith('policy')) return xmlError(404, 'NoSuchBucketPolicy');
      if (r.method === 'GET' && query.startsWith('versioning')) return xml('<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>');
      if (r.method === 'GET' && query.includes('versions')) return xml('<ListVersionsResult><IsTruncated>false</IsTruncated></ListVersionsResult>');
      if (r.method === 'POST' && query.startsWith('delete'))
        return xml('<DeleteResult><Error><Key>gone &amp; &lt;away&gt;</Key><Code>AccessDenied</Code></Error></DeleteResult>');
      if (r.method === 'DELETE' && query.includes('uploadId')) return xmlError(404, 'NoSuchUpload');
      if (r.method === 'GET') return xml('');
      return { status: r.method === 'DELETE' ? 204 : 200 };
    },
  };
}

async function scriptThrough(
  t: Test,
  recorder: WireRecorder,
  s3: ReturnType<typeof loopbackS3>,
  make: (settings: object) => PortUnderTest,
): Promise<{ steps: Awaited<ReturnType<typeof runScript>>; requests: WireRequest[] }> {
  s3.reset();
  const from = recorder.requests.length;
  const { port, sender } = make({ region: 'eu-west-1', endpoint: recorder.url, forcePathStyle: true, credentials, maxAttempts: 1 });
  t.teardown(() => sender.destroy());
  const steps = await runScript(port, BUCKET, 'eu-west-1');
  return { steps, requests: recorder.requests.slice(from) };
}

t.test('the tuned client sends what a stock S3Client sends, request for request, and reads the answers the same', async (t) => {
  const s3 = loopbackS3();
  const recorder = await startWireRecorder({ answer: s3.answer });
  t.teardown(() => recorder.close());
  const stock = await scriptThrough(t, recorder, s3, stockPort);
  const tuned = await scriptThrough(t, recorder, s3, tunedPort);
  t.ok(stock.requests.length >= 30, `the script made ${stock.requests.length} requests`);
  t.same(tuned.steps, stock.steps, 'the same outcomes');
  t.equal(tuned.requests.length, stock.requests.length, 'the same number of requests');
  for (let i = 0; i < stock.requests.length; i++) {
    t.same(comparable(tuned.requests[i]!), comparable(stock.requests[i]!), `request ${i + 1}: ${stock.requests[i]!.method} ${stock.requests[i]!.url}`);
  }
  // What the comparison leaves out is only what differs between any two sends.
  t.match(stock.requests[0]!.headers['user-agent'], / m\/\S+ bucket-hook$/, "the stock user agent carries the SDK's feature token");
  t.notMatch(tuned.requests[0]!.headers['user-agent'], / m\//, 'the tuned one leaves it out');
  t.match(
    tuned.requests[1]!.headers.authorization,
    /^AWS4-HMAC-SHA256 Credential=AKIDWIRE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/,
  );
  // The outcomes are read answers, not only "ok".
  t.same(
    stock.steps
      .filter((s) => ['HeadBucket (absent)', 'GetBucketTagging', 'get policy', 'DeleteObjects', 'AbortMultipartUpload'].includes(s.step))
      .map((s) => s.outcome),
    ['ok {"kind":"absent"}', 'ok {"team":"x y+z"}', 'ok undefined', 'ok [{"key":"gone & <away>","code":"AccessDenied"}]', 'error NoSuchUpload'],
  );
});

t.test('the comparison fails when a request differs in anything but the signature, the dates and the invocation id', async (t) => {
  const base: WireRequest = {
    method: 'PUT',
    url: '/b/?tagging=',
    headers: {
      host: 'h',
      'x-amz-date': '1',
      authorization: 'AWS4-HMAC-SHA256 Credential=A/20261207/r/s3/aws4_request, SignedHeaders=host, Signature=ab',
      'amz-sdk-invocation-id': 'x',
    },
    body: '<a/>',
  };
  const same = {
    ...base,
    headers: {
      ...base.headers,
      'x-amz-date': '2',
      authorization: 'AWS4-HMAC-SHA256 Credential=A/20261208/r/s3/aws4_request, SignedHeaders=host, Signature=cd',
      'amz-sdk-invocation-id': 'y',
    },
  };
  t.same(comparable(same), comparable(base));
  t.notSame(comparable({ ...base, url: '/b/?tagging' }), comparable(base), 'the query as sent');
  t.notSame(comparable({ ...base, body: '<b/>' }), comparable(base), 'the body');
  t.notSame(comparable({ ...base, headers: { ...base.headers, 'content-md5': 'x' } }), comparable(base), 'a header more');
  t.notSame(
    comparable({ ...base, headers: { ...base.headers, authorization: base.headers.authorization!.replace('SignedHeaders=host', 'SignedHeaders=host;x') } }),
    comparable(base),
    'the signed headers',
  );
});

t.test(
  'S3_CLIENT_TUNING=off: the port factory sends through stock S3Clients (the SDK user agent, feature token and all), the same requests otherwise',
  async (t) => {
    const s3 = loopbackS3();
    const recorder = await startWireRecorder({ answer: s3.answer });
    t.teardown(() => recorder.close());
    const ports = {
      on: createSdkPortFactory({ endpoint: recorder.url, forcePathStyle: true, credentials, maxAttempts: 1 }),
      off: createSdkPortFactory({ endpoint: recorder.url, forcePathStyle: true, credentials, maxAttempts: 1, tuning: false }),
    };
    t.teardown(() => (ports.on.destroy(), ports.off.destroy()));
    const seen: Record<string, WireRequest[]> = {};
    for (const mode of ['on', 'off'] as const) {
      const from = recorder.requests.length;
      await ports[mode]('eu-west-1').getConfig('versioning', BUCKET);
      await ports[mode]('eu-west-1').putBucketTags(BUCKET, [{ key: 'k', value: 'v' }]);
      seen[mode] = recorder.requests.slice(from);
    }
    t.match(seen.off![0]!.headers['user-agent'], / m\/\S+ bucket-hook$/, "off: the SDK's own user-agent middleware, with the hook's token");
    t.match(seen.on![0]!.headers['user-agent'], /api\/s3#\S+ bucket-hook$/, 'on: the static user agent');
    t.same(seen.off!.map(comparable), seen.on!.map(comparable), 'the same requests otherwise (the tuning changes none)');
  },
);
