// The S3 client's request handler (src/s3/sdk-http-handler.ts) against a loopback server: what it sends
// (method, path, query, headers, each body form), what it answers (status, joined headers, the whole
// body), and its failures as @smithy/node-http-handler names them (AbortError, TimeoutError, node's
// socket errors); and the client's tuned configuration and trimmed stack (sdk-client-config.ts), with
// the real SDK signing and parsing through it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { GetBucketTaggingCommand, GetBucketVersioningCommand, PutBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import t, { type Test } from 'tap';
import { trimClientStack, uaToken, UNUSED_MIDDLEWARE } from '../../src/s3/sdk-client-config.js';
import { tunedClientConfig } from '../support/tuned-client.js';
import { KeepAliveHttpHandler } from '../../src/s3/sdk-http-handler.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function server(t: Test, answer: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const srv: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => srv.close(() => resolve())));
  return { port: (srv.address() as AddressInfo).port, seen };
}

const request = (port: number, extra: Record<string, unknown> = {}) =>
  ({ protocol: 'http:', hostname: '127.0.0.1', port, method: 'GET', path: '/b', query: {}, headers: { host: `127.0.0.1:${port}` }, ...extra }) as Parameters<
    KeepAliveHttpHandler['handle']
  >[0];

t.test('sends method, path, sorted query and headers; answers status, joined headers and the whole body', async (t) => {
  const { port, seen } = await server(t, (_req, res) => {
    res.setHeader('set-cookie', ['a', 'b']);
    res.writeHead(200, 'Fine', { 'content-type': 'application/xml' });
    // The body in two writes, the second once the first has gone out.
    res.write('<A>', () => res.end('<B>x</B></A>'));
  });
  const handler = new KeepAliveHttpHandler({ maxSockets: 2 });
  t.teardown(() => handler.destroy());
  const { response } = await handler.handle(
    request(port, { query: { versioning: null, 'list-type': '2', id: ['x y', "z'"], empty: '' }, headers: { host: `127.0.0.1:${port}`, 'x-amz-date': 'now' } }),
  );
  t.equal(seen[0]!.url, '/b?empty=&id=x%20y&id=z%27&list-type=2&versioning');
  t.equal(seen[0]!.headers['x-amz-date'], 'now');
  t.equal(response.statusCode, 200);
  t.equal(response.reason, 'Fine');
  t.equal(response.headers['set-cookie'], 'a,b');
  t.equal(Buffer.from(response.body as Uint8Array).toString(), '<A><B>x</B></A>');
  t.same(handler.httpHandlerConfigs(), {});
  handler.updateHttpClientConfig();
  t.equal(handler.metadata.handlerProtocol, 'http/1.1');
});

t.test('each body form reaches the server; no query, no port and a bracketed IPv6 host are sent as they are', async (t) => {
  const { port, seen } = await server(t, (_req, res) => res.end());
  const handler = new KeepAliveHttpHandler();
  t.teardown(() => handler.destroy());
  await handler.handle(request(port, { method: 'PUT', body: 'text' }));
  await handler.handle(request(port, { method: 'PUT', body: new Uint8Array([104, 105]) }));
  await handler.handle(request(port, { method: 'PUT', body: Readable.from([Buffer.from('stream')]) }));
  await handler.handle(request(port, { method: 'PUT', body: new Uint8Array([97, 98]).buffer }));
  await handler.handle(request(port, { method: 'HEAD', query: undefined }));
  t.same(
    seen.map((s) => `${s.method} ${s.url} ${s.body}`),
    ['PUT /b text', 'PUT /b hi', 'PUT /b stream', 'PUT /b ab', 'HEAD /b '],
  );
  // [::1] is unwrapped for node:http; nothing listens there on this port or it answers: either way it was tried.
  const v6 = await handler.handle(request(port, { hostname: '[::1]' })).then(
    () => 'answered',
    (err: NodeJS.ErrnoException) => err.code ?? err.name,
  );
  t.ok(['answered', 'ECONNREFUSED', 'EADDRNOTAVAIL'].includes(v6), v6);
  const noPort = await handler.handle(request(0, { port: undefined, hostname: '127.0.0.1' })).then(
    () => 'answered',
    (err: NodeJS.ErrnoException) => err.code ?? err.name,
  );
  t.ok(noPort === 'answered' || noPort === 'ECONNREFUSED', noPort);
});

t.test('an abort signal cuts the request short with an AbortError, before or during it', async (t) => {
  // Never answers; says when a request has reached it, so the abort comes while the request waits.
  const waiting: Array<() => void> = [];
  const reached = () => new Promise<void>((resolve) => waiting.push(resolve));
  const { port, seen } = await server(t, () => waiting.shift()?.());
  const handler = new KeepAliveHttpHandler();
  t.teardown(() => handler.destroy());
  const aborted = AbortSignal.abort();
  await t.rejects(handler.handle(request(port), { abortSignal: aborted }), { name: 'AbortError' });
  await t.rejects(handler.handle(request(port), { abortSignal: { aborted: true } }), { name: 'AbortError' }, "the SDK's old signal shape");
  t.same(seen, [], 'an aborted signal sends nothing');
  const controller = new AbortController();
  const first = reached();
  const pending = handler.handle(request(port), { abortSignal: controller.signal });
  await first;
  controller.abort(new Error('deadline'));
  await t.rejects(pending, { name: 'AbortError', message: 'Request aborted' });
  const named = Object.assign(new Error('ours'), { name: 'AbortError' });
  const later = new AbortController();
  const next = reached();
  const second = handler.handle(request(port), { abortSignal: later.signal });
  await next;
  later.abort(named);
  await t.rejects(second, named);
  t.equal(seen.length, 2, 'both were under way when aborted');
});

t.test('a requestTimeout (per call or the handler default) is a TimeoutError; socket resets are renamed as the SDK does', async (t) => {
  const { port } = await server(t, (req, res) => {
    if (req.url === '/reset') req.socket.destroy();
    else if (req.url === '/broken') {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial', () => res.socket?.destroy());
    }
  });
  const handler = new KeepAliveHttpHandler({ requestTimeoutMs: 30 });
  t.teardown(() => handler.destroy());
  await t.rejects(handler.handle(request(port)), { name: 'TimeoutError' });
  await t.rejects(handler.handle(request(port), { requestTimeout: 10 }), { name: 'TimeoutError', message: /10 ms/ });
  await t.rejects(handler.handle(request(port, { path: '/reset' })), { name: 'TimeoutError', code: 'ECONNRESET' });
  await t.rejects(handler.handle(request(port, { path: '/broken' }), { requestTimeout: 0 }));
  await t.rejects(handler.handle(request(1)), { code: 'ECONNREFUSED', name: 'Error' });
  await t.rejects(handler.handle(request(1, { protocol: 'https:' })), { code: 'ECONNREFUSED' });
});

t.test('the tuned client signs, checksums where S3 requires it and parses through the handler; the trimmed stack keeps signing and retries', async (t) => {
  const { port, seen } = await server(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(req.method === 'GET' ? '<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>' : '');
  });
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    ...tunedClientConfig(),
  });
  trimClientStack(client);
  t.teardown(() => client.destroy());
  // What the signing middleware is handed: the chosen scheme and its signing properties.
  const chosen: Array<{ schemeId?: string; signingProperties?: Record<string, unknown> }> = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      const selected = (
        context as { __smithy_context?: { selectedHttpAuthScheme?: { httpAuthOption?: { schemeId?: string; signingProperties?: Record<string, unknown> } } } }
      ).__smithy_context?.selectedHttpAuthScheme;
      chosen.push({ ...selected?.httpAuthOption });
      return next(args);
    },
    { step: 'finalizeRequest', name: 'testChosenScheme', priority: 'low' },
  );
  const get = new GetBucketVersioningCommand({ Bucket: 'b' });
  const out = await client.send(get, { abortSignal: new AbortController().signal });
  t.equal(out.Status, 'Enabled');
  await client.send(new PutBucketTaggingCommand({ Bucket: 'b', Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } }));
  // SigV4 chosen without the auth-scheme resolution (directSigV4): scope = the client's region and s3.
  for (const r of seen)
    t.match(r.headers.authorization, /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=\S*host\S*x-amz-date/);
  t.equal(seen[0]!.url, '/b/?versioning=');
  t.ok(seen[1]!.headers['x-amz-checksum-crc32'] ?? seen[1]!.headers['content-md5'], 'PutBucketTagging still carries the checksum S3 requires');
  const names = client.middlewareStack.identify().join('\n');
  for (const name of UNUSED_MIDDLEWARE) t.notMatch(names, name);
  t.match(names, /retryMiddleware/);
  t.match(names, /httpSigningMiddleware/);
  t.equal(chosen.length, 2);
  for (const option of chosen) {
    t.equal(option.schemeId, 'aws.auth#sigv4');
    t.match(
      option.signingProperties,
      { name: 's3', region: 'us-east-1', signingRegion: 'us-east-1', signingName: 's3' },
      'completed by the endpoint middleware as for the SDK choice',
    );
    t.notOk(
      option.signingProperties && 'disableDoubleEncoding' in option.signingProperties,
      'chosen directly (the endpoint-rules choice would carry disableDoubleEncoding)',
    );
  }
  // The whole stack of a sent command (the endpoint middleware is the command's own).
  const whole = client.middlewareStack.concat(get.middlewareStack).identify().join('\n');
  t.match(
    whole,
    /httpAuthSchemeMiddleware - serialize\nendpointV2Middleware - serialize\nserializerMiddleware/,
    'the scheme is chosen before the endpoint middleware completes its signing properties',
  );
  // The user agent, computed once per client: the SDK's own tokens and bucket-hook, on every request.
  for (const r of seen) {
    t.match(
      r.headers['user-agent'],
      new RegExp(`^aws-sdk-js/\\S+ ua/2\\.1 os/\\S+ lang/js md/nodejs#${process.versions.node.replace(/\./g, '\\.')} api/s3#\\S+ bucket-hook$`),
      'user-agent',
    );
    t.match(r.headers['x-amz-user-agent'], /^aws-sdk-js\/\S+ bucket-hook$/, 'x-amz-user-agent');
  }
  t.notMatch(names, /getUserAgentMiddleware/);
  t.same(
    [uaToken(['aws-sdk-js', '3.1']), uaToken(['os/linux', '6.1 (x)']), uaToken(['lang/js']), uaToken(['api/S3', '3.1']), uaToken(['app', 'my app'])],
    ['aws-sdk-js/3.1', 'os/linux#6.1--x-', 'lang/js', 'api/s3#3.1', 'app/my-app'],
    'tokens written as the SDK writes them',
  );
  // One signer per auth scheme: the provider answers the same signer for every request of that scheme.
  const signer = client.config.signer;
  const scheme = { name: 'sigv4', signingName: 's3', signingRegion: 'us-east-1', properties: {} };
  t.equal(await signer(scheme), await signer({ ...scheme }), 'the same signer for the same scheme');
  t.not(await signer(scheme), await signer({ ...scheme, signingRegion: 'eu-west-1' }), 'another for another region');
  const redirects = new S3Client({
    region: 'us-east-1',
    followRegionRedirects: true,
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    ...tunedClientConfig(),
  });
  trimClientStack(redirects);
  t.match(redirects.middlewareStack.identify().join('\n'), /regionRedirectMiddleware/, 'left alone when redirects are followed');
  redirects.destroy();
});

t.test('the serde middleware hands the protocol a view over the client config, not a copy of it; failed answers are decorated as the SDK does', async (t) => {
  const { port } = await server(t, (req, res) => {
    if (req.url?.includes('versioning')) {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end('<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>');
    } else if (req.url?.includes('broken')) {
      res.writeHead(200, { 'content-type': 'application/xml', 'x-amz-request-id': 'req-2' });
      res.end('<Tagging><TagSet><Tag><Key>k</Key>');
    } else {
      res.writeHead(403, { 'content-type': 'application/xml', 'x-amz-request-id': 'req-1', 'x-amz-id-2': 'host-1' });
      res.end('<Error><Code>AccessDenied</Code><Message>not yours</Message><RequestId>req-1</RequestId></Error>');
    }
  });
  const client = new S3Client({
    region: 'eu-west-1',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    maxAttempts: 1,
    ...tunedClientConfig(),
  });
  trimClientStack(client);
  t.teardown(() => client.destroy());
  const protocol = client.config.protocol as unknown as {
    serializeRequest: (...args: unknown[]) => Promise<unknown>;
    deserializeResponse: (...args: unknown[]) => Promise<unknown>;
  };
  const contexts: object[] = [];
  const [serialize, deserialize] = [protocol.serializeRequest.bind(protocol), protocol.deserializeResponse.bind(protocol)];
  protocol.serializeRequest = (operation, input, context) => (contexts.push(context as object), serialize(operation, input, context));
  protocol.deserializeResponse = (operation, context, response) => (contexts.push(context as object), deserialize(operation, context, response));
  const out = await client.send(new GetBucketVersioningCommand({ Bucket: 'b' }));
  t.equal(out.Status, 'Suspended', 'parsed by the same protocol');
  t.equal(out.$metadata.httpStatusCode, 200);
  t.equal(contexts.length, 2, 'one view to serialize, one to read the answer');
  for (const context of contexts) {
    t.equal(Object.getPrototypeOf(context), client.config, 'the client config is the prototype');
    t.notOk(Object.hasOwn(context, 'credentials'), 'the config is not copied');
    const view = context as { commandName?: string; streamCollector?: unknown; utf8Encoder?: unknown };
    t.equal(view.commandName, 'GetBucketVersioningCommand', "the context's own properties");
    t.equal(view.streamCollector, client.config.streamCollector, "the config's, through the prototype");
  }
  const endpoint = await (contexts[0] as { endpoint: () => Promise<{ url: URL }> }).endpoint();
  t.equal(endpoint.url.href, `http://127.0.0.1:${port}/b`, 'the endpoint the endpoint middleware resolved');

  const refused = await client.send(new GetBucketTaggingCommand({ Bucket: 'other' })).catch((err: unknown) => err);
  t.match(refused, { name: 'AccessDenied', message: 'not yours', $metadata: { httpStatusCode: 403, requestId: 'req-1', extendedRequestId: 'host-1' } });
  t.equal((refused as { $response?: { statusCode: number } }).$response?.statusCode, 403, '$response kept');
  t.notOk(Object.keys(refused as object).includes('$response'), '$response is not enumerable');

  const unreadable = await client.send(new GetBucketTaggingCommand({ Bucket: 'broken' })).catch((err: unknown) => err);
  t.ok(unreadable instanceof Error, 'an answer that cannot be read fails');
  t.match((unreadable as Error).message, /Deserialization error: to see the raw response, inspect the hidden field \{error\}\.\$response/);
  t.match(unreadable, { $metadata: { httpStatusCode: 200, requestId: 'req-2' } });
  t.equal((unreadable as { $response?: { statusCode: number } }).$response?.statusCode, 200);
});
