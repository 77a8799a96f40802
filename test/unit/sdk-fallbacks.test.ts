// Each trick of the S3 client's tuning relies on an internal of the AWS SDK; with that internal removed
// (as an SDK upgrade might), the trick must leave the SDK's own behaviour in place: the client still
// works and sends what a stock client sends (compared on the wire, as test/unit/sdk-wire.test.ts does).
import { GetBucketVersioningCommand, PutBucketTaggingCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import t, { type Test } from 'tap';
import { directSigV4, leanSerde, reuseSigners, staticUserAgent, trimClientStack, tunedSettings, USER_AGENT_TOKEN } from '../../src/s3/sdk-client-config.js';
import { S3ClientPool } from '../../src/s3/sdk-client-pool.js';
import { KeepAliveHttpHandler, isPlainRequest, type SdkHttpRequest } from '../../src/s3/sdk-http-handler.js';
import { comparable, startWireRecorder, type WireRecorder, type WireRequest } from '../support/wire-recorder.js';

const credentials = { accessKeyId: 'AKID', secretAccessKey: 'secret' };
const settings = (url: string): S3ClientConfig => ({
  ...tunedSettings(),
  region: 'us-east-1',
  endpoint: url,
  forcePathStyle: true,
  credentials,
  maxAttempts: 1,
});

/** Two commands through a client; the requests they made. */
async function sendTwo(r: WireRecorder, send: (command: GetBucketVersioningCommand | PutBucketTaggingCommand) => Promise<unknown>): Promise<WireRequest[]> {
  const from = r.requests.length;
  const out = (await send(new GetBucketVersioningCommand({ Bucket: 'b' }))) as { Status?: string };
  if (out.Status !== 'Enabled') throw new Error(`the answer was not read: ${JSON.stringify(out)}`);
  await send(new PutBucketTaggingCommand({ Bucket: 'b', Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } }));
  return r.requests.slice(from);
}

async function stockRequests(t: Test, r: WireRecorder): Promise<WireRequest[]> {
  const stock = new S3Client({ ...settings(r.url), customUserAgent: USER_AGENT_TOKEN });
  t.teardown(() => stock.destroy());
  return sendTwo(r, (c) => stock.send(c as GetBucketVersioningCommand));
}

/**
 * Internals the SDK might drop or rename, and the trick that needs each. The SDK itself reads them too
 * (removing one here breaks the stock client as well), so what is checked is that the trick leaves the
 * client exactly as the SDK made it: the same stack, the same config property.
 */
const REMOVED: Array<{ internal: string; trick: 'staticUserAgent' | 'reuseSigners' | 'directSigV4' | 'leanSerde'; remove: (c: S3Client) => void }> = [
  {
    internal: "the config's defaultUserAgentProvider",
    trick: 'staticUserAgent',
    remove: (c) => delete (c.config as { defaultUserAgentProvider?: unknown }).defaultUserAgentProvider,
  },
  { internal: "the config's userAgentAppId", trick: 'staticUserAgent', remove: (c) => delete (c.config as { userAgentAppId?: unknown }).userAgentAppId },
  { internal: "the config's signer", trick: 'reuseSigners', remove: (c) => delete (c.config as { signer?: unknown }).signer },
  {
    internal: 'the SDK SigV4 scheme',
    trick: 'directSigV4',
    remove: (c) => Object.defineProperty(c.config, 'httpAuthSchemes', { value: c.config.httpAuthSchemes.filter((s) => s.schemeId !== 'aws.auth#sigv4') }),
  },
  { internal: "the config's httpAuthSchemes", trick: 'directSigV4', remove: (c) => delete (c.config as { httpAuthSchemes?: unknown }).httpAuthSchemes },
  { internal: 'a region provider', trick: 'directSigV4', remove: (c) => Object.defineProperty(c.config, 'region', { value: 'us-east-1' }) },
  { internal: 'a credentials provider', trick: 'directSigV4', remove: (c) => Object.defineProperty(c.config, 'credentials', { value: credentials }) },
  { internal: 'a schema protocol', trick: 'leanSerde', remove: (c) => Object.defineProperty(c.config, 'protocol', { value: {} }) },
];

const TRICKS = { staticUserAgent, reuseSigners, directSigV4, leanSerde };

for (const { internal, trick, remove } of REMOVED) {
  t.test(`without ${internal}, ${trick} leaves the client as the SDK made it`, async (t) => {
    const client = new S3Client(settings('http://127.0.0.1:9'));
    t.teardown(() => client.destroy());
    remove(client);
    const stack = client.middlewareStack.identify();
    const { signer, protocol } = client.config;
    t.equal(TRICKS[trick](client), false, 'not applied');
    t.same(client.middlewareStack.identify(), stack, 'the same stack');
    t.equal(client.config.signer, signer, 'the same signer provider');
    t.equal(client.config.protocol, protocol, 'the same protocol');
    t.ok(trimClientStack(client).includes(trick), 'trimClientStack names it as not applied');
    const whole = new S3Client(settings('http://127.0.0.1:9'));
    t.teardown(() => whole.destroy());
    t.equal(TRICKS[trick](whole), true, 'the check can fail: with the internal, the trick applies');
  });
}

t.test('an untouched client: every trick applies', async (t) => {
  const client = new S3Client(settings('http://127.0.0.1:9'));
  t.teardown(() => client.destroy());
  t.same(trimClientStack(client), []);
});

t.test('the user agent: without the SDK middleware to replace, none is added', async (t) => {
  const client = new S3Client(settings('http://127.0.0.1:9'));
  t.teardown(() => client.destroy());
  client.middlewareStack.remove('getUserAgentMiddleware');
  t.equal(staticUserAgent(client), false);
  t.notMatch(client.middlewareStack.identify().join('\n'), /bucketHookUserAgent/);
  const full = new S3Client(settings('http://127.0.0.1:9'));
  t.teardown(() => full.destroy());
  delete (full.config as { defaultUserAgentProvider?: unknown }).defaultUserAgentProvider;
  t.equal(staticUserAgent(full), false);
  t.match(full.middlewareStack.identify().join('\n'), /getUserAgentMiddleware/, "the SDK's stays");
});

t.test('SigV4 chosen directly: without the SDK middleware it replaces, none is added', async (t) => {
  const client = new S3Client(settings('http://127.0.0.1:9'));
  t.teardown(() => client.destroy());
  t.equal(client.middlewareStack.remove('httpAuthSchemeMiddleware'), true, "the SDK's is there to remove");
  t.equal(directSigV4(client), false);
  // Ours is absolute: removable by name had it been added.
  t.equal(client.middlewareStack.remove('httpAuthSchemeMiddleware'), false, 'nothing put in its place');
});

t.test('the lean serde: without the serde middleware on the client stack, nothing is put in its place', async (t) => {
  const client = new S3Client(settings('http://127.0.0.1:9'));
  t.teardown(() => client.destroy());
  client.middlewareStack.remove('serializerMiddleware');
  t.equal(leanSerde(client), false);
  t.notMatch(client.middlewareStack.identify().join('\n'), /serializerMiddleware - serialize/);
});

t.test(
  "the pool: a client that did not keep cacheMiddleware takes the SDK's uncached path, sends what a stock client sends, and is aborted all the same",
  async (t) => {
    const r = await startWireRecorder({
      answer: () => ({
        status: 200,
        headers: { 'content-type': 'application/xml' },
        body: '<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>',
      }),
    });
    t.teardown(() => r.close());
    const clients: S3Client[] = [];
    const pool = new S3ClientPool({
      config: settings(r.url),
      setup: (c) => {
        delete (c.config as { cacheMiddleware?: unknown }).cacheMiddleware;
        clients.push(c);
        trimClientStack(c);
      },
    });
    t.teardown(() => pool.destroy());
    const requests = await sendTwo(r, (c) => pool.send(c as GetBucketVersioningCommand));
    t.same(requests.map(comparable), (await stockRequests(t, r)).map(comparable), 'what a stock client sends');
    t.equal((clients[0] as unknown as { handlers?: unknown }).handlers, undefined, 'no handler cached by the SDK');
    const aborted = await pool.send(new GetBucketVersioningCommand({ Bucket: 'b' }), AbortSignal.abort()).catch((err: Error) => err.name);
    t.equal(aborted, 'AbortError', 'the abort signal reaches the request');

    const cached: S3Client[] = [];
    const normal = new S3ClientPool({ config: settings(r.url), setup: (c) => void cached.push(c) });
    t.teardown(() => normal.destroy());
    await normal.send(new GetBucketVersioningCommand({ Bucket: 'b' }));
    t.ok((cached[0] as unknown as { handlers?: unknown }).handlers instanceof WeakMap, 'with it, the SDK caches the handler (the check above can fail)');
  },
);

t.test("the request handler: a request it was not written for goes to the SDK's handler, on the same agents", async (t) => {
  const r = await startWireRecorder({ answer: () => ({ status: 200, body: 'fine' }) });
  t.teardown(() => r.close());
  const { port } = new URL(r.url);
  const request = (extra: Partial<SdkHttpRequest>): SdkHttpRequest => ({
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: Number(port),
    method: 'GET',
    path: '/b',
    query: {},
    headers: { host: `127.0.0.1:${port}` },
    ...extra,
  });
  t.ok(isPlainRequest(request({})));
  t.notOk(isPlainRequest(request({ username: 'u', password: 'p' })), 'credentials in the URL');
  t.notOk(isPlainRequest(request({ fragment: 'f' })), 'a fragment');
  t.notOk(isPlainRequest(request({ body: 42 })), 'a body of another kind');
  t.notOk(isPlainRequest({ ...request({}), path: undefined } as unknown as SdkHttpRequest), 'no path');
  const handler = new KeepAliveHttpHandler();
  t.teardown(() => handler.destroy());
  const { response } = await handler.handle(request({ username: 'u', password: 'p' }));
  t.equal(
    r.requests.at(-1)!.headers.authorization,
    `Basic ${Buffer.from('u:p').toString('base64')}`,
    "sent by the SDK's handler (this one has no URL credentials)",
  );
  t.ok(response.body instanceof Readable, "the SDK's streamed answer");
  let text = '';
  for await (const chunk of response.body as Readable) text += String(chunk);
  t.equal(text, 'fine');
  const plain = await handler.handle(request({}));
  t.equal(Buffer.from(plain.response.body as Uint8Array).toString(), 'fine', 'a plain request is still this handler’s');
});
