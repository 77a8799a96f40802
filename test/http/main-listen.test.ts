// Where the real process (src/main.ts) listens: loopback unless HOST says otherwise (the quick start's
// hook holds S3 keys and no token, and used to listen on every interface), and never beyond loopback
// with nothing to check a caller by unless ALLOW_UNAUTHENTICATED says so (then with a warning).
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import t from 'tap';
import { parseConfig } from '../../src/config.js';
import { startHookProcess } from '../support/hook-process.js';

const BASE = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEKEYID1234',
  AWS_SECRET_ACCESS_KEY: 'x',
  AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
  S3_FORCE_PATH_STYLE: 'true',
  PORT: '0',
  ADMIN_PORT: '0',
};
const external = Object.values(networkInterfaces())
  .flat()
  .find((i) => i?.family === 'IPv4' && !i.internal)?.address;

/** Whether a TCP connection to host:port is accepted. */
const reachable = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

t.test('no HOST: both ports on loopback only', async (t) => {
  const run = startHookProcess(BASE);
  t.teardown(run.stop);
  const { port, adminPort } = await run.ready;
  t.match(run.output(), /"host":"127\.0\.0\.1"/, 'the ready line says where');
  t.equal(await reachable('127.0.0.1', port), true);
  if (external) {
    t.equal(await reachable(external, port), false, `not on ${external}`);
    t.equal(await reachable(external, adminPort), false, `the admin port neither`);
  } else t.comment('no non-loopback IPv4 address here: only the loopback side checked');
});

t.test('HOST=0.0.0.0 without a token or client certificates: exit 2, the problem named', async (t) => {
  const run = startHookProcess({ ...BASE, HOST: '0.0.0.0' });
  await t.rejects(run.ready);
  t.equal(await run.exited, 2);
  t.match(
    run.output(),
    /HOST="0\.0\.0\.0" listens beyond this machine, and neither HOOK_TOKEN_FILE nor TLS_CLIENT_CA_FILE is set: anyone who can connect could use the hook's S3 credentials\./,
  );
});

t.test('ALLOW_UNAUTHENTICATED=true: it starts open, and says so', async (t) => {
  const run = startHookProcess({ ...BASE, HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: 'true' });
  t.teardown(run.stop);
  const { port } = await run.ready;
  t.match(run.output(), /"level":40,.*"host":"0\.0\.0\.0".*ALLOW_UNAUTHENTICATED: the hook answers any caller that can connect/);
  if (external) t.equal(await reachable(external, port), true, `on ${external} too`);
});

t.test("the image listens on the container's address (its loopback is its own), so without a token it does not start", async (t) => {
  const env = Object.fromEntries(
    readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('ENV '))
      .map((l) => l.slice(4).split('=') as [string, string]),
  );
  t.equal(env.HOST, '0.0.0.0');
  t.throws(() => parseConfig({ ...env, AWS_REGION: 'eu-west-1' }), /HOST="0\.0\.0\.0" listens beyond this machine/);
  t.equal(parseConfig({ ...env, AWS_REGION: 'eu-west-1', HOOK_TOKEN_FILE: '/var/run/secrets/bucket-hook/token' }).host, '0.0.0.0');
});
