// Oversized and deeply nested bodies are refused cheaply, before the reconciler sees them: no S3 call is
// made for them, and an oversized body is refused before it is read.
import { connect } from 'node:net';
import t from 'tap';
import { buildApp } from '../../src/http/app.js';
import { MAX_JSON_DEPTH, nestsDeeperThan, valueNestsDeeperThan } from '../../src/http/json-body.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { testDeps } from '../support/deps.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const LIMIT = 64 * 1024;
const NAME = 'team-a-artifacts-7f3c';

const MIB = 1024 * 1024;

function app(fake = new FakeS3(), bodyLimitBytes = LIMIT) {
  const { log: _log, clock: _clock, ...deps } = testDeps(fake.factory());
  return buildApp({ deps, logger: false, bodyLimitBytes });
}

const nested = (n: number, open = '[', close = ']') => `${open.repeat(n)}${close.repeat(n)}`;

t.test('nestsDeeperThan: counts brackets outside strings only', async (t) => {
  t.equal(nestsDeeperThan('[[[]]]', 3), false);
  t.equal(nestsDeeperThan('[[[[]]]]', 3), true);
  t.equal(nestsDeeperThan('{"a":{"b":{"c":1}}}', 3), false);
  t.equal(nestsDeeperThan('{"a":{"b":{"c":{}}}}', 3), true);
  t.equal(nestsDeeperThan(JSON.stringify({ s: '[[[[[[[[{{{{{{' }), 1), false, 'brackets in strings do not count');
  t.equal(nestsDeeperThan(JSON.stringify({ s: 'a\\"[[[[' }), 1), false, 'an escaped quote does not end the string');
  t.equal(nestsDeeperThan(JSON.stringify(['\\', ['x']]), 1), true, 'an escaped backslash does end it');
});

t.test('100,000 levels of nesting: a cheap 400, wherever they are (they used to crash the quick path with a 500)', async (t) => {
  const fake = new FakeS3();
  const hook = app(fake, MIB);
  t.teardown(() => hook.close());
  // A first sync, so the status carries lastCheck and the quick path (which hashes the spec) is taken.
  const first = (await hook.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource({ spec: { name: NAME } })) })).json<HookResponse>();
  const base = JSON.stringify(envelope(bucketResource({ spec: { name: NAME }, status: first.status, keepLastCheck: true })));
  const deep = nested(100_000);
  const bodies: Record<string, string> = {
    'the whole body': deep,
    'spec.tagging (quick path)': base.replace(`"spec":{"name":"${NAME}"}`, `"spec":{"name":"${NAME}","tagging":${deep}}`),
    'spec.lifecycle filter': base.replace(
      `"spec":{"name":"${NAME}"}`,
      `"spec":{"name":"${NAME}","lifecycle":{"rules":[{"id":"a","status":"Enabled","filter":${deep}}]}}`,
    ),
    'objects in controller': base.replace('"controller":{', `"controller":{"x":${nested(100_000, '{"a":', '}').replace(/\{"a":\}/, '{"a":1}')},`),
  };
  for (const [where, payload] of Object.entries(bodies)) {
    t.ok(payload.length < MIB, `${where}: ${payload.length} bytes, under the 1 MiB limit`);
    const callsBefore = fake.calls.length;
    const res = await hook.inject({ method: 'POST', url: '/sync', payload, headers: { 'content-type': 'application/json' } });
    t.equal(res.statusCode, 400, `${where}: 400`);
    t.equal(res.json<{ code: string }>().code, 'HOOK_JSON_TOO_DEEP');
    t.match(res.json<{ message: string }>().message, /nests deeper than 100 levels/);
    t.same(fake.calls.slice(callsBefore), [], `${where}: refused before the reconciler (no S3 call)`);
  }
});

t.test('nesting up to the limit is served; one level more is refused', async (t) => {
  const hook = app();
  t.teardown(() => hook.close());
  // envelope > parent > spec > tagging: the value itself may nest MAX - 3 levels.
  const ok = JSON.stringify(envelope(bucketResource({ spec: { name: NAME } }))).replace(
    `"spec":{"name":"${NAME}"}`,
    `"spec":{"name":"${NAME}","x":${nested(MAX_JSON_DEPTH - 3)}}`,
  );
  const tooDeep = ok.replace(nested(MAX_JSON_DEPTH - 3), nested(MAX_JSON_DEPTH - 2));
  const served = await hook.inject({ method: 'POST', url: '/sync', payload: ok, headers: { 'content-type': 'application/json' } });
  t.equal(served.statusCode, 200);
  const refused = await hook.inject({ method: 'POST', url: '/sync', payload: tooDeep, headers: { 'content-type': 'application/json' } });
  t.equal(refused.statusCode, 400);
});

t.test('prototype-poisoning keys are refused by the parser (400), and nothing is polluted', async (t) => {
  const hook = app();
  t.teardown(() => hook.close());
  const base = JSON.stringify(envelope(bucketResource({ spec: { name: NAME } })));
  for (const poison of ['"__proto__":{"polluted":"yes"},', '"constructor":{"prototype":{"polluted":"yes"}},']) {
    const res = await hook.inject({
      method: 'POST',
      url: '/sync',
      payload: base.replace('"spec":{', `"spec":{${poison}`),
      headers: { 'content-type': 'application/json' },
    });
    t.equal(res.statusCode, 400, poison);
    t.type(res.json<{ code: string }>().code, 'string');
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined);
});

/** Sends raw HTTP over a socket; resolves with the status line. */
function rawRequest(port: number, head: string, body?: string): Promise<{ status: string; sentBody: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head);
      if (body !== undefined) socket.write(body);
    });
    let data = '';
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      if (data.includes('\r\n')) {
        resolve({ status: data.slice(0, data.indexOf('\r\n')), sentBody: body !== undefined });
        socket.destroy();
      }
    });
    socket.on('error', reject);
    // Only a bound on how long the test waits: an answer that needs the body never comes.
    socket.setTimeout(5000, () => reject(new Error('no answer within 5 s')));
  });
}

t.test('a body over the limit: 413 from its Content-Length alone, before a byte of it is read', async (t) => {
  const hook = app();
  await hook.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => hook.close());
  const { port } = hook.server.address() as { port: number };
  // Only the headers: the body never comes. An answer proves it was refused before reading or parsing.
  const head = `POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${LIMIT * 100}\r\nConnection: close\r\n\r\n`;
  const res = await rawRequest(port, head);
  t.match(res.status, /^HTTP\/1\.1 413/, 'answered while the body has not been sent');
  // Chunked (no Content-Length): refused once the limit is crossed while reading.
  const chunk = 'x'.repeat(LIMIT + 1);
  const chunked = `POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
  const res2 = await rawRequest(port, chunked, `${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`);
  t.match(res2.status, /^HTTP\/1\.1 413/);
});

t.test('a large but allowed body (huge strings, unicode) is served', async (t) => {
  const hook = app(new FakeS3(), MIB);
  t.teardown(() => hook.close());
  const tagSet = [{ key: 'ünïcødé-🪣', value: 'ß'.repeat(256) }];
  const parent = bucketResource({ spec: { name: NAME, tagging: { tagSet } }, annotations: { note: '日本'.repeat(10_000) } });
  const payload = JSON.stringify(envelope(parent));
  t.ok(Buffer.byteLength(payload) > 100_000, `${Buffer.byteLength(payload)} bytes`);
  const res = await hook.inject({ method: 'POST', url: '/sync', payload, headers: { 'content-type': 'application/json' } });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  t.equal(res.json<HookResponse>().status.conditions?.find((c) => c.type === 'Ready')?.reason, 'Available');
});

t.test('valueNestsDeeperThan: the parsed value agrees with the text scan', async (t) => {
  for (const [text, max] of [
    ['[[[]]]', 3],
    ['[[[[]]]]', 3],
    ['{"a":{"b":{"c":1}}}', 3],
    ['{"a":{"b":{"c":{}}}}', 3],
    ['[1,[2,[3]],{"a":[]}]', 2],
    ['[1,[2,[3]],{"a":[]}]', 3],
    ['"[[[["', 0],
    ['7', 0],
    ['{}', 0],
    ['{}', 1],
  ] as const) {
    t.equal(valueNestsDeeperThan(JSON.parse(text), max), nestsDeeperThan(text, max), `${text} with max ${max}`);
  }
  t.equal(valueNestsDeeperThan(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)), 100), true, '100,000 levels: refused without overflowing the stack');
});
