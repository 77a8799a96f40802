// What one client can hold, over real sockets on 127.0.0.1: a request whose body (or headers) trickles
// in is answered 408 and closed at the request timeout; a connection beyond the cap is closed as it is
// accepted, the others keep working; a 401 closes its connection, is counted by reason and writes no
// log line at info; a malformed request is answered and closed, its raw bytes (the token) logged nowhere.
// The timeouts are small here (500 ms); outcomes are asserted, never elapsed times (a give-up bound only
// keeps a broken build from hanging).
import { once } from 'node:events';
import { request as httpRequest, Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { buildServers, checkingIntervalMs, DEFAULT_LIMITS, type ServerLimits } from '../../src/http/app.js';
import { FileToken } from '../../src/http/auth.js';
import { clientErrorHandler, refusalFor, type ClientErrorReason } from '../../src/http/client-error.js';
import { createMetrics, type HookMetrics } from '../../src/http/metrics.js';
import { createLogger } from '../../src/logger.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { testDeps } from '../support/deps.js';
import { FakeS3 } from '../support/fake-s3.js';
import { parseSamples, valueOf } from '../support/prom-text.js';

const TOKEN = 'limits-secret-token-7d1c';
/** Give-up bound of every wait: only there so a broken build fails instead of hanging. */
const GIVE_UP_MS = 10_000;

function memoryLines(level: string) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger(level, stream) };
}

interface Running {
  port: number;
  adminPort: number;
  fake: FakeS3;
  metrics: HookMetrics;
  connections: () => Promise<number>;
}

async function running(t: Test, limits: Partial<ServerLimits>, logger: ReturnType<typeof createLogger> | false = false): Promise<Running> {
  const dir = t.testdir();
  writeFileSync(join(dir, 'token'), TOKEN);
  const fake = new FakeS3();
  const { log: _log, clock: _clock, ...deps } = testDeps(fake.factory());
  const metrics = createMetrics({ processMetrics: false });
  const { hook, admin } = buildServers({ deps, logger, limits, metrics, auth: { token: FileToken.open(join(dir, 'token')) } });
  await hook.listen({ port: 0, host: '127.0.0.1' });
  await admin.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    hook.server.closeAllConnections();
    await hook.close();
    await admin.close();
  });
  return {
    port: (hook.server.address() as AddressInfo).port,
    adminPort: (admin.server.address() as AddressInfo).port,
    fake,
    metrics,
    connections: () => new Promise((resolve, reject) => hook.server.getConnections((err, n) => (err ? reject(err) : resolve(n)))),
  };
}

/** A raw socket: what it received, and whether (and how) it ended, within the give-up bound. */
async function rawSocket(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<'closed' | 'gave up'> }> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => {});
  const closed = new Promise<'closed' | 'gave up'>((resolve) => {
    const timer = setTimeout(() => resolve('gave up'), GIVE_UP_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
  await once(socket, 'connect');
  return { socket, received: () => received, closed };
}

/** Writes one byte every 20 ms until the socket closes: a body (or headers) that never completes. */
function trickle(socket: Socket, byte = ' '): () => void {
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(byte);
  }, 20);
  socket.once('close', () => clearInterval(timer));
  return () => clearInterval(timer);
}

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let waited = 0; waited < GIVE_UP_MS; waited += 10) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const samplesOf = async (metrics: HookMetrics) => parseSamples(await metrics.registry.metrics());

t.test('the defaults: 30 s per request, 10 s for the headers, 512 connections; Node checks every second', async (t) => {
  t.same(DEFAULT_LIMITS, { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, maxConnections: 512 });
  t.equal(checkingIntervalMs(DEFAULT_LIMITS), 1000);
  t.equal(checkingIntervalMs({ ...DEFAULT_LIMITS, requestTimeoutMs: 500, headersTimeoutMs: 500 }), 125, 'a quarter of the shorter timeout when that is less');
  t.equal(checkingIntervalMs({ ...DEFAULT_LIMITS, requestTimeoutMs: 100, headersTimeoutMs: 20 }), 10, 'never more often than every 10 ms');

  const fake = new FakeS3();
  const { log: _log, clock: _clock, ...deps } = testDeps(fake.factory());
  const { hook, admin } = buildServers({ deps, logger: false });
  await hook.ready();
  await admin.ready();
  const server = hook.server;
  t.same([server.requestTimeout, server.headersTimeout, server.maxConnections, server.keepAliveTimeout], [30_000, 10_000, 512, 120_000]);
  t.equal(server.timeout, 30_000 + 20_000 + 5_000, 'a socket silent longer than receiving and answering a request can take is closed');
  t.same(
    [admin.server.requestTimeout, admin.server.headersTimeout, admin.server.maxConnections],
    [30_000, 10_000, 64],
    'the admin port has its own, smaller cap',
  );
  await hook.close();
  await admin.close();
});

t.test('an authenticated request whose body trickles in is answered 408 and closed at the request timeout', async (t) => {
  const { port, fake, metrics } = await running(t, { requestTimeoutMs: 500, headersTimeoutMs: 500 });
  const { socket, received, closed } = await rawSocket(port);
  socket.write(`POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
  trickle(socket);
  t.equal(await closed, 'closed', 'the server closed the socket (the client kept sending)');
  const [head, ...rest] = received().split('\r\n\r\n');
  t.match(head, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  t.match(head, /\r\nConnection: close/i);
  t.same(JSON.parse(rest.join('\r\n\r\n')), {
    code: 'HOOK_REQUEST_TIMEOUT',
    message: 'the request was not received in time (REQUEST_TIMEOUT_MS, HEADERS_TIMEOUT_MS); the connection is closed',
  });
  t.same(fake.calls, [], 'nothing reached S3');
  t.equal(valueOf(await samplesOf(metrics), 'bucket_hook_client_errors_total', { reason: 'timeout' }), 1, 'counted');
});

t.test('headers that trickle in, and a connection that sends nothing, are closed at the timeout too', async (t) => {
  const { port, metrics } = await running(t, { requestTimeoutMs: 500, headersTimeoutMs: 500 });
  const slowHeaders = await rawSocket(port);
  slowHeaders.socket.write('POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ');
  trickle(slowHeaders.socket, 'a');
  const silent = await rawSocket(port);
  t.equal(await slowHeaders.closed, 'closed');
  t.match(slowHeaders.received(), /^HTTP\/1\.1 408 /);
  t.equal(await silent.closed, 'closed', 'an idle new connection does not stay');
  t.equal(valueOf(await samplesOf(metrics), 'bucket_hook_client_errors_total', { reason: 'timeout' }), 2);
});

t.test('a request that arrives in time is served as before', async (t) => {
  const { port } = await running(t, { requestTimeoutMs: 500, headersTimeoutMs: 500 });
  const body = JSON.stringify(envelope(bucketResource()));
  const res = await fetch(`http://127.0.0.1:${port}/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body,
  });
  t.equal(res.status, 200);
});

t.test('connections beyond MAX_CONNECTIONS are closed as they are accepted; the others keep working', async (t) => {
  const { port, connections } = await running(t, { maxConnections: 3, requestTimeoutMs: 60_000, headersTimeoutMs: 60_000 });
  const held = await Promise.all([rawSocket(port), rawSocket(port), rawSocket(port)]);
  await until(async () => (await connections()) === 3, 'the server to hold 3 connections');
  const refused = await rawSocket(port);
  t.equal(await refused.closed, 'closed', 'the 4th connection is closed by the server');
  t.equal(refused.received(), '', 'without an answer');
  t.equal(await connections(), 3);

  // The held ones still work: an answer on one of them.
  const first = held[0];
  first.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  t.equal(await first.closed, 'closed', 'answered and closed (the hook port keeps only hook calls alive)');
  t.match(first.received(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\{"status":"ok"\}$/);
  await until(async () => (await connections()) === 2, 'the answered connection to be gone');
  const next = await rawSocket(port);
  next.socket.write('GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  t.equal(await next.closed, 'closed');
  t.match(next.received(), /^HTTP\/1\.1 200 OK\r\n/, 'a free slot is used again');
  for (const h of held) h.socket.destroy();
});

t.test('a 401 closes its connection, is counted by reason, and writes no log line at info', async (t) => {
  const { lines, logger } = memoryLines('info');
  const { port, metrics, fake } = await running(t, {}, logger);
  lines.length = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const body = JSON.stringify(envelope(bucketResource()));
  const post = (authorization?: string) =>
    new Promise<{ status: number; connection: string | undefined; socketClosed: Promise<unknown> }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/sync',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        },
        (res) => {
          const socket = res.socket;
          const socketClosed = new Promise((closed) => socket.once('close', closed));
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, socketClosed }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const missing = await post();
  t.same([missing.status, missing.connection], [401, 'close']);
  await missing.socketClosed;
  t.pass('the server closed the connection of the 401');
  const wrong = await post('Bearer not-the-token');
  t.same([wrong.status, wrong.connection], [401, 'close']);
  await post('Bearer also-wrong');
  const ok = await post(`Bearer ${TOKEN}`);
  t.same([ok.status, ok.connection], [200, 'keep-alive'], "Metacontroller's own calls keep their connection");

  const samples = await samplesOf(metrics);
  t.equal(valueOf(samples, 'bucket_hook_unauthorized_total', { reason: 'no_token' }), 1);
  t.equal(valueOf(samples, 'bucket_hook_unauthorized_total', { reason: 'wrong_token' }), 2);
  t.equal(fake.calls.filter((c) => c === 'CreateBucket').length, 1, 'only the authorized call reached S3');
  t.same(
    lines.filter((l) => l.includes('HOOK_UNAUTHORIZED') || l.includes('request refused')),
    [],
    'no log line for the 401s at info',
  );
  t.ok(
    lines.some((l) => l.includes('"msg":"sync answered"')),
    'while the served sync is logged as always',
  );
});

t.test('at debug, the 401s are logged, still without the token', async (t) => {
  const { lines, logger } = memoryLines('debug');
  const { port } = await running(t, {}, logger);
  const res = await fetch(`http://127.0.0.1:${port}/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}-wrong`, 'content-type': 'application/json' },
    body: '{}',
  });
  t.equal(res.status, 401);
  const refused = lines.filter((l) => l.includes('request refused'));
  t.equal(refused.length, 1);
  t.match(JSON.parse(refused[0]!), { level: 20, code: 'HOOK_UNAUTHORIZED' });
  t.same(
    lines.filter((l) => l.includes(TOKEN)),
    [],
  );
});

t.test('a malformed request carrying the token: answered 400 and closed; only the error code is logged, even at trace', async (t) => {
  const { lines, logger } = memoryLines('trace');
  const { port, metrics } = await running(t, {}, logger);
  const { socket, received, closed } = await rawSocket(port);
  socket.write(`POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: abc\r\n\r\n{}`);
  t.equal(await closed, 'closed');
  t.match(received(), /^HTTP\/1\.1 400 Bad Request\r\n/);
  t.match(received(), /"code":"HOOK_MALFORMED_REQUEST"/);
  const logged = lines.filter((l) => l.includes('client error'));
  t.equal(logged.length, 1, 'one line');
  t.match(JSON.parse(logged[0]!), { level: 20, code: 'HPE_INVALID_CONTENT_LENGTH', status: 400 });
  const all = lines.join('\n');
  t.notOk(all.includes(TOKEN), 'the token is in no line as text');
  t.notOk(all.includes([...Buffer.from(TOKEN)].join(',')), 'nor as the bytes of a raw packet');
  t.notOk(all.includes('rawPacket'), 'no raw packet at all');
  t.equal(valueOf(await samplesOf(metrics), 'bucket_hook_client_errors_total', { reason: 'malformed' }), 1);
});

t.test("headers over Node's limit: 431, closed, counted", async (t) => {
  const { port, metrics } = await running(t, {});
  const { socket, received, closed } = await rawSocket(port);
  socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
  t.equal(await closed, 'closed');
  t.match(received(), /^HTTP\/1\.1 431 /);
  t.match(received(), /"code":"HOOK_HEADERS_TOO_LARGE"/);
  t.equal(valueOf(await samplesOf(metrics), 'bucket_hook_client_errors_total', { reason: 'header_overflow' }), 1);
});

t.test('refusals by error code', async (t) => {
  t.match(refusalFor('ERR_HTTP_REQUEST_TIMEOUT'), { status: 408, reason: 'timeout' });
  t.match(refusalFor('HPE_HEADER_OVERFLOW'), { status: 431, reason: 'header_overflow' });
  t.match(refusalFor('HPE_INVALID_METHOD'), { status: 400, reason: 'malformed' });
  t.match(refusalFor(undefined), { status: 400, reason: 'malformed' });
});

t.test('the client-error handler: nothing for a reset or gone socket; a socket that cannot be written is destroyed unanswered', async (t) => {
  const counted: ClientErrorReason[] = [];
  const { lines, logger } = memoryLines('debug');
  const handle = clientErrorHandler((reason) => counted.push(reason)).bind({ log: logger });
  const fakeSocket = (state: { destroyed: boolean; writable: boolean }) => {
    const calls: string[] = [];
    const socket = { ...state, write: () => calls.push('write'), destroy: () => calls.push('destroy') } as unknown as Socket;
    return { socket, calls };
  };
  const reset = fakeSocket({ destroyed: false, writable: true });
  handle(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), reset.socket);
  const gone = fakeSocket({ destroyed: true, writable: false });
  handle(Object.assign(new Error('late'), { code: 'HPE_INVALID_METHOD' }), gone.socket);
  t.same([reset.calls, gone.calls, counted, lines], [[], [], [], []], 'neither answered, counted nor logged');

  const halfClosed = fakeSocket({ destroyed: false, writable: false });
  handle(
    Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD', rawPacket: Buffer.from(`GET / HTTP/1.1\r\nAuthorization: Bearer ${TOKEN}\r\n`) }),
    halfClosed.socket,
  );
  t.same(halfClosed.calls, ['destroy'], 'destroyed without a write');
  t.same(counted, ['malformed']);
  t.equal(lines.length, 1);
  t.notOk(lines[0]!.includes(TOKEN) || lines[0]!.includes('rawPacket'), 'the line holds the code only');
});
