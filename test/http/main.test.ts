// The real process (src/main.ts, node with a TypeScript loader): at trace level, with AWS keys in its
// environment and a bearer token on every request, no log line carries any of those secrets; and
// unreadable token or TLS files stop the start with every problem listed.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { bucketResource, envelope } from '../support/envelope.js';
import { tsChild } from '../support/ts-child.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  output: () => string;
  ready: Promise<number>;
  exited: Promise<number | null>;
  stop: () => void;
}

function start(env: Record<string, string>): Run {
  // A clean environment: nothing of the test runner's own AWS settings leaks in.
  // node itself with a TypeScript loader (test/support/ts-child.ts; not the tsx CLI, which would sit between
  // the signal and the hook).
  const loader = tsChild();
  const child = spawn(process.execPath, [...loader.nodeArgs, 'src/main.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...loader.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const port = /"msg":"Server listening at https?:\/\/127\.0\.0\.1:(\d+)"/.exec(output)?.[1];
      if (port && output.includes('"msg":"bucket-hook ready"')) resolve(Number(port));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { output: () => output, ready, exited, stop: () => void child.kill('SIGTERM') };
}

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
    LOG_LEVEL: 'trace',
    HOOK_TOKEN_FILE: join(dir, 'token'),
  });
  t.teardown(run.stop);
  const port = await run.ready;
  const post = (authorization: string) =>
    fetch(`http://127.0.0.1:${port}/sync`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(envelope(bucketResource())) });
  t.equal((await post('Bearer secret-hook-token-xyz')).status, 200);
  t.equal((await post('Bearer secret-hook-token-xyz-but-wrong')).status, 401);
  t.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  run.stop();
  t.equal(await run.exited, 0, 'SIGTERM ends it cleanly');

  const output = run.output();
  t.match(output, /"msg":"bucket-hook ready"/);
  t.match(output, /"hookToken":"required"/, 'the ready line says a token is required, not which');
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
  });
  await t.rejects(run.ready);
  t.equal(await run.exited, 2);
  const output = run.output();
  t.match(output, /^bucket-hook: invalid configuration:$/m);
  t.match(output, /HOOK_TOKEN_FILE=".*empty": the file is empty/);
  t.match(output, /TLS_CERT_FILE=".*tls\.crt" cannot be read \(ENOENT\)/);
  t.match(output, /TLS_KEY_FILE=".*tls\.key" cannot be read \(ENOENT\)/);
  t.notOk(output.includes(SECRETS.AWS_SECRET_ACCESS_KEY));
});
