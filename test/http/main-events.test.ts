// The real process (src/main.ts) and Kubernetes Events: with KUBE_API_URL pointing at the recording
// stand-in, a sync's event reaches it with the token and POD_NAME; outside a cluster one info line says
// there are none; in a pod without a mounted ServiceAccount token, one info line and no failure; a
// KUBE_API_URL whose token file is missing stops the start (exit 2).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { bucketResource, envelope } from '../support/envelope.js';
import { KubeApiStandIn } from '../support/kube-api-stand-in.js';
import { until } from '../support/manual-timers.js';
import { parseSamples, valueOf } from '../support/prom-text.js';
import { startHookProcess } from '../support/hook-process.js';

const BASE = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEKEYID1234',
  AWS_SECRET_ACCESS_KEY: 'x',
  AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
  S3_FORCE_PATH_STYLE: 'true',
  HOST: '127.0.0.1',
  PORT: '0',
  ADMIN_PORT: '0',
};

const start = (env: Record<string, string>) => startHookProcess({ ...BASE, ...env });

const lines = (output: string, msg: string) => output.split('\n').filter((l) => l.includes(`"msg":"${msg}`));

t.test('KUBE_API_URL: the event of a sync reaches the API server, with the token and the pod name', async (t) => {
  const standIn = new KubeApiStandIn();
  const url = await standIn.start();
  t.teardown(() => standIn.stop());
  const dir = t.testdir();
  writeFileSync(join(dir, 'token'), 'sa-token-1\n');
  standIn.token = 'sa-token-1';
  const run = start({ KUBE_API_URL: url, KUBE_TOKEN_FILE: join(dir, 'token'), POD_NAME: 'bucket-hook-6d5f-x2x9q' });
  t.teardown(run.stop);
  const { port, adminPort } = await run.ready;
  t.equal(lines(run.output(), 'Kubernetes Events are recorded on Buckets').length, 1);
  // Nothing listens on the S3 endpoint: the sync answers S3Unavailable (recoverable), a Warning.
  const res = await fetch(`http://127.0.0.1:${port}/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(envelope(bucketResource())),
  });
  t.equal(res.status, 200);
  await until(() => standIn.log().length === 1, 'the event');
  t.same(standIn.log(), ['POST S3Unavailable']);
  t.match(standIn.list()[0], {
    type: 'Warning',
    reportingController: 's3.services.k8s.aws/bucket-hook',
    reportingInstance: 'bucket-hook-6d5f-x2x9q',
    regarding: { name: 'artifacts', namespace: 'team-a' },
  });
  const metrics = parseSamples(await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text());
  t.equal(valueOf(metrics, 'bucket_hook_events_total', { result: 'sent' }), 1);
  run.stop();
  t.equal(await run.exited, 0);
});

t.test('outside a cluster: no events, one info line', async (t) => {
  const run = start({});
  t.teardown(run.stop);
  await run.ready;
  t.equal(lines(run.output(), 'no Kubernetes API server configured').length, 1);
  run.stop();
  t.equal(await run.exited, 0);
});

t.test('in a pod without a mounted ServiceAccount token: no events, one info line, it serves', async (t) => {
  const run = start({ KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '9', KUBE_TOKEN_FILE: '/nonexistent/token' });
  t.teardown(run.stop);
  const { port } = await run.ready;
  t.match(lines(run.output(), 'the ServiceAccount token or CA is not mounted')[0], /"file":"\/nonexistent\/token"/);
  t.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  run.stop();
  t.equal(await run.exited, 0);
});

t.test('KUBE_API_URL with a token file that is not there: exit 2, the problem named', async (t) => {
  const run = start({ KUBE_API_URL: 'http://127.0.0.1:9', KUBE_TOKEN_FILE: '/nonexistent/token' });
  run.ready.catch(() => undefined);
  t.equal(await run.exited, 2);
  t.match(run.output(), /KUBE_TOKEN_FILE="\/nonexistent\/token" cannot be read: ENOENT/);
});
