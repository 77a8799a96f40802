// The two servers main.ts runs (buildServers): the hook port serves the hooks (and the probes, each
// answer but a hook call closing its connection), the admin port the probes and /metrics. A metric
// scrape on the hook port and a hook call on the admin port are both 404; the admin's /readyz turns
// 503 once the hook server starts closing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { buildServers } from '../../src/http/app.js';
import { FileToken, type HookAuth } from '../../src/http/auth.js';
import { createMetrics } from '../../src/http/metrics.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { testDeps } from '../support/deps.js';
import { FakeS3 } from '../support/fake-s3.js';
import { parseSamples, valueOf } from '../support/prom-text.js';

function servers(auth?: HookAuth) {
  const fake = new FakeS3();
  const { log: _log, clock: _clock, ...deps } = testDeps(fake.factory());
  const metrics = createMetrics({ processMetrics: false });
  return { fake, metrics, ...buildServers({ deps, logger: false, metrics, auth }) };
}

function withToken(dir: string): HookAuth {
  writeFileSync(join(dir, 'token'), 'tok-admin');
  return { token: FileToken.open(join(dir, 'token')) };
}

const sync = { method: 'POST' as const, url: '/sync', payload: envelope(bucketResource()) };

t.test('the hook port: /sync and /finalize; /metrics is not there', async (t) => {
  const { hook, fake } = servers(withToken(t.testdir()));
  const auth = { authorization: 'Bearer tok-admin' };
  const synced = await hook.inject({ ...sync, headers: auth });
  t.equal(synced.statusCode, 200);
  t.not(synced.headers.connection, 'close', 'a hook call keeps its connection');
  t.ok(fake.buckets.has('team-a-artifacts-7f3c'));
  const finalized = await hook.inject({
    method: 'POST',
    url: '/finalize',
    payload: envelope(bucketResource({ deletionTimestamp: '2026-11-24T10:00:00Z' }), true),
    headers: auth,
  });
  t.equal(finalized.json<{ finalized: boolean }>().finalized, true);

  const metrics = await hook.inject({ url: '/metrics', headers: auth });
  t.equal(metrics.statusCode, 404, 'GET /metrics with the token: no such route here');
  t.same(metrics.json(), {
    code: 'HOOK_NOT_FOUND',
    message: 'no route GET /metrics; the hook port serves POST /sync and POST /finalize; /metrics is on the admin port (ADMIN_PORT)',
  });
  t.equal(metrics.headers.connection, 'close');
  t.equal((await hook.inject({ url: '/metrics' })).statusCode, 401, 'without it, 401 like every route that is not open: no route list for strangers');
});

t.test('the hook port without a token configured: /metrics is a plain 404', async (t) => {
  const { hook } = servers();
  t.equal((await hook.inject({ url: '/metrics' })).statusCode, 404);
  t.equal((await hook.inject(sync)).statusCode, 200);
});

t.test('the hook port keeps the probes, open, answered with Connection: close', async (t) => {
  const { hook } = servers(withToken(t.testdir()));
  for (const url of ['/healthz', '/readyz']) {
    const res = await hook.inject({ url });
    t.equal(res.statusCode, 200, url);
    t.equal(res.headers.connection, 'close', `${url}: no kept-alive socket for callers without the token`);
  }
});

t.test('the admin port: probes and /metrics, no hooks, no token asked', async (t) => {
  const { hook, admin, metrics } = servers(withToken(t.testdir()));
  t.same((await admin.inject({ url: '/healthz' })).json(), { status: 'ok' });
  t.same((await admin.inject({ url: '/readyz' })).json(), { status: 'ready' });
  const refused = await admin.inject(sync);
  t.equal(refused.statusCode, 404, 'POST /sync on the admin port');
  t.same(refused.json(), {
    code: 'HOOK_NOT_FOUND',
    message: 'no route POST /sync; the admin port serves GET /healthz, GET /readyz and GET /metrics; the hooks are on the hook port (PORT)',
  });
  t.equal((await admin.inject({ ...sync, url: '/finalize' })).statusCode, 404);

  // One registry: what the hook port did is on the admin port's /metrics.
  await hook.inject({ ...sync, headers: { authorization: 'Bearer tok-admin' } });
  await hook.inject(sync);
  const res = await admin.inject({ url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const samples = parseSamples(res.body);
  t.equal(valueOf(samples, 'bucket_hook_reconcile_outcomes_total', { hook: 'sync', reason: 'Synced' }), 1);
  t.equal(valueOf(samples, 'bucket_hook_unauthorized_total', { reason: 'no_token' }), 1);
  t.equal(res.body, await metrics.registry.metrics(), 'the metrics passed in');
});

t.test("the admin's /readyz turns 503 once the hook server closes; /healthz stays 200", async (t) => {
  const { hook, admin } = servers();
  await hook.ready();
  t.equal((await admin.inject({ url: '/readyz' })).statusCode, 200);
  await hook.close();
  const res = await admin.inject({ url: '/readyz' });
  t.equal(res.statusCode, 503);
  t.same(res.json(), { status: 'shutting down' });
  t.equal((await admin.inject({ url: '/healthz' })).statusCode, 200, 'alive: the kubelet must not restart a draining pod');
});
