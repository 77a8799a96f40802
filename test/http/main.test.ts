// The real process (src/main.ts, node with a TypeScript loader): at trace level, with AWS keys in its
// environment and a bearer token on every request (well-formed or not), no log line carries any of
// those secrets; the hooks and the admin routes are on two ports; and unreadable token or TLS files
// stop the start with every problem listed.
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { bucketResource, envelope } from '../support/envelope.js';
import { startHookProcess } from '../support/hook-process.js';

const start = startHookProcess;

const SECRETS = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEKEYID1234', AWS_SECRET_ACCESS_KEY: 'secret-aws-key-xyz', AWS_SESSION_TOKEN: 'secret-session-xyz' };

t.test('main logs no AWS secret and no bearer token, even at trace level', async (t) => {
  const dir = t.testdir();
  writeFileSync(join(dir, 'token'), 'secret-hook-token-xyz\n');
  const run = start({
    ...SECRETS,
    AWS_REGION: 'eu-west-1',
    // Nothing listens there: S3 calls fail fast, which is enough to exercise the reconcile path's logging.
    AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
    S3_FORCE_PATH_STYLE: 'true',
    HOST: '127.0.0.1',
    PORT: '0',
    ADMIN_PORT: '0',
    LOG_LEVEL: 'trace',
    HOOK_TOKEN_FILE: join(dir, 'token'),
  });
  t.teardown(run.stop);
  const { port } = await run.ready;
  const post = (authorization: string) =>
    fetch(`http://127.0.0.1:${port}/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify(envelope(bucketResource())),
    });
  t.equal((await post('Bearer secret-hook-token-xyz')).status, 200);
  t.equal((await post('Bearer secret-hook-token-xyz-but-wrong')).status, 401);
  t.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  run.stop();
  t.equal(await run.exited, 0, 'SIGTERM ends it cleanly');

  const output = run.output();
  t.match(output, /"msg":"bucket-hook ready"/);
  t.match(output, /"hookToken":"required"/, 'the ready line says a token is required, not which');
  t.match(
    output,
    /"level":40,.*"msg":"CLAIM_KEY_FILE is not set: the claims recorded in statuses before a create are signed with a key of this process only/,
    'a warning without CLAIM_KEY_FILE',
  );
  t.match(output, /"claimKey":"process"/);
  t.match(output, /HOOK_UNAUTHORIZED/, 'the refused request is logged');
  for (const [name, secret] of Object.entries({ ...SECRETS, token: 'secret-hook-token-xyz' })) {
    t.notOk(output.includes(secret), `${name} appears in no log line`);
  }
});

t.test('unreadable token and TLS files stop the start with every problem, exit code 2', async (t) => {
  const dir = t.testdir();
  writeFileSync(join(dir, 'empty'), '\n');
  const run = start({
    ...SECRETS,
    AWS_REGION: 'eu-west-1',
    HOOK_TOKEN_FILE: join(dir, 'empty'),
    TLS_CERT_FILE: join(dir, 'tls.crt'),
    TLS_KEY_FILE: join(dir, 'tls.key'),
    CLAIM_KEY_FILE: join(dir, 'empty'),
  });
  await t.rejects(run.ready);
  t.equal(await run.exited, 2);
  const output = run.output();
  t.match(output, /^bucket-hook: invalid configuration:$/m);
  t.match(output, /HOOK_TOKEN_FILE=".*empty": the file is empty/);
  t.match(output, /TLS_CERT_FILE=".*tls\.crt" cannot be read \(ENOENT\)/);
  t.match(output, /TLS_KEY_FILE=".*tls\.key" cannot be read \(ENOENT\)/);
  t.match(output, /CLAIM_KEY_FILE=".*empty" holds 0 characters; a claim key needs at least 32 \(make one with: openssl rand -hex 32\)/);
  t.notOk(output.includes(SECRETS.AWS_SECRET_ACCESS_KEY));
});

t.test('CLAIM_KEY_FILE: read at start (no warning, the ready line says "file"); a missing one stops the start', async (t) => {
  const dir = t.testdir();
  writeFileSync(join(dir, 'claim-key'), `${'k'.repeat(64)}\n`);
  const run = start({ ...SECRETS, AWS_REGION: 'eu-west-1', HOST: '127.0.0.1', PORT: '0', ADMIN_PORT: '0', CLAIM_KEY_FILE: join(dir, 'claim-key') });
  t.teardown(run.stop);
  await run.ready;
  run.stop();
  t.equal(await run.exited, 0);
  t.match(run.output(), /"claimKey":"file"/);
  t.notMatch(run.output(), /CLAIM_KEY_FILE is not set/);
  t.notOk(run.output().includes('k'.repeat(64)), 'the key is in no log line');

  const missing = start({ ...SECRETS, AWS_REGION: 'eu-west-1', CLAIM_KEY_FILE: join(dir, 'nope') });
  await t.rejects(missing.ready);
  t.equal(await missing.exited, 2);
  t.match(missing.output(), /CLAIM_KEY_FILE=".*nope" cannot be read: ENOENT/);
});

t.test('a malformed request carrying the bearer token: refused, and the token is in no log line even at trace', async (t) => {
  const dir = t.testdir();
  const token = 'raw-packet-token-9f2e61';
  writeFileSync(join(dir, 'token'), `${token}\n`);
  const run = start({
    ...SECRETS,
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
    HOST: '127.0.0.1',
    PORT: '0',
    ADMIN_PORT: '0',
    LOG_LEVEL: 'trace',
    HOOK_TOKEN_FILE: join(dir, 'token'),
  });
  t.teardown(run.stop);
  const { port, adminPort } = await run.ready;
  t.not(port, adminPort, 'two ports');

  // Node's parser refuses the Content-Length; the error it raises carries the request's raw bytes.
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  await once(socket, 'connect');
  socket.end(`POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`);
  await once(socket, 'close');
  t.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);

  const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  t.match(metrics, /^bucket_hook_client_errors_total\{reason="malformed"\} 1$/m, 'counted, on the admin port');
  t.equal((await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status, 404, 'not on the hook port');
  run.stop();
  t.equal(await run.exited, 0);

  const output = run.output();
  t.match(output, /"code":"HPE_INVALID_CONTENT_LENGTH"/, 'the refusal is logged, by its code');
  t.notOk(output.includes(token), 'the token appears nowhere as text');
  t.notOk(output.includes([...Buffer.from(token)].join(',')), 'nor as the bytes of a raw packet');
  t.notOk(output.includes(Buffer.from(token).toString('base64')) || output.includes(Buffer.from(token).toString('hex')), 'nor encoded');
});
