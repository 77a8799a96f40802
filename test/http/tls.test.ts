// HTTPS and mTLS over a real socket on 127.0.0.1: certificates made with openssl in a per-test temp
// dir, requests with node's https module trusting exactly that certificate.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { request as plainRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import t, { type Test } from 'tap';
import { ConfigError, parseConfig } from '../../src/config.js';
import { buildApp, buildServers } from '../../src/http/app.js';
import { FileToken, type HookAuth } from '../../src/http/auth.js';
import { createMetrics } from '../../src/http/metrics.js';
import { asSecureServer, readTlsOptions, reloadTlsOnChange, type SecureServer, type TlsFiles } from '../../src/http/tls.js';
import { createLogger } from '../../src/logger.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { testDeps } from '../support/deps.js';
import { FakeS3 } from '../support/fake-s3.js';
import { parseSamples, valueOf } from '../support/prom-text.js';

/** A self-signed EC certificate and key (CN, and SAN 127.0.0.1 so it is valid for the server). */
function selfSigned(dir: string, name: string, cn: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

interface Answer {
  status: number;
  body: string;
  peer: string;
}

function call(port: number, options: RequestOptions & { body?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), peer: (res.socket as TLSSocket).getPeerCertificate().fingerprint256 }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const syncBody = JSON.stringify(envelope(bucketResource()));
const post = (headers: Record<string, string> = {}) => ({
  method: 'POST',
  path: '/sync',
  body: syncBody,
  headers: { 'content-type': 'application/json', ...headers },
});

async function listening(t: Test, files: TlsFiles, auth: HookAuth): Promise<{ port: number; server: SecureServer }> {
  const { log: _log, clock: _clock, ...deps } = testDeps(new FakeS3().factory());
  const app = buildApp({ deps, logger: false, https: readTlsOptions(files), auth });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  return { port: (app.server.address() as AddressInfo).port, server: app.server as unknown as SecureServer };
}

/** The problems of the ConfigError a call throws (fails the test when it throws nothing else). */
function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const fingerprint = (certFile: string): string => new X509Certificate(readFileSync(certFile)).fingerprint256;

t.test('TLS_CERT_FILE/TLS_KEY_FILE: the hook serves HTTPS with that certificate', async (t) => {
  const dir = t.testdir();
  const server = selfSigned(dir, 'server', 'bucket-hook');
  const token = join(dir, 'token');
  writeFileSync(token, 'tok');
  const { port } = await listening(t, { certFile: server.cert, keyFile: server.key, clientCaFile: undefined }, { token: FileToken.open(token) });
  const ca = readFileSync(server.cert);

  const health = await call(port, { path: '/healthz', ca });
  t.same([health.status, JSON.parse(health.body)], [200, { status: 'ok' }]);
  t.equal(health.peer, fingerprint(server.cert), 'the configured certificate is served');
  t.equal((await call(port, { ...post({ authorization: 'Bearer tok' }), ca })).status, 200, 'a sync over HTTPS');
  t.equal((await call(port, { ...post(), ca })).status, 401, 'the token is still required over TLS');
  await t.rejects(call(port, { path: '/healthz' }), /self-signed certificate/, 'an untrusted client refuses the certificate');
  await t.rejects(
    call(port, { path: '/healthz', ca, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
    /version|protocol|alert/i,
    'TLS 1.1 is refused',
  );
  const plain = await new Promise<string>((resolve) => {
    const req = plainRequest({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => resolve(`HTTP ${res.statusCode}`));
    req.on('error', (err) => resolve(err.message));
    req.end();
  });
  t.notMatch(plain, /HTTP 200/, `plain HTTP gets no answer from the HTTPS port (${plain})`);
});

t.test('TLS_CLIENT_CA_FILE: hook routes need a client certificate signed by it; probes do not', async (t) => {
  const dir = t.testdir();
  const server = selfSigned(dir, 'server', 'bucket-hook');
  const client = selfSigned(dir, 'client', 'metacontroller');
  const rogue = selfSigned(dir, 'rogue', 'metacontroller');
  const { port } = await listening(t, { certFile: server.cert, keyFile: server.key, clientCaFile: client.cert }, { clientCertificate: true });
  const ca = readFileSync(server.cert);
  const as = (c: { cert: string; key: string }) => ({ ca, cert: readFileSync(c.cert), key: readFileSync(c.key) });

  const ok = await call(port, { ...post(), ...as(client) });
  t.equal(ok.status, 200, "Metacontroller's client certificate is accepted");
  const none = await call(port, { ...post(), ca });
  t.equal(none.status, 401);
  t.match(JSON.parse(none.body), { code: 'HOOK_UNAUTHORIZED', message: /client certificate signed by TLS_CLIENT_CA_FILE is required \(none was presented\)/ });
  const wrong = await call(port, { ...post(), ...as(rogue) });
  t.equal(wrong.status, 401, 'a certificate from another CA is refused');
  t.match(JSON.parse(wrong.body), { message: /required \(the one presented was refused: DEPTH_ZERO_SELF_SIGNED_CERT\)/ });
  t.equal((await call(port, { path: '/healthz', ca })).status, 200, 'the kubelet probes without a client certificate');
  t.equal((await call(port, { path: '/readyz', ca })).status, 200);
});

t.test('buildServers with TLS: the hook port is HTTPS (mTLS), the admin port plain HTTP; 401s counted by reason', async (t) => {
  const dir = t.testdir();
  const server = selfSigned(dir, 'server', 'bucket-hook');
  const client = selfSigned(dir, 'client', 'metacontroller');
  const rogue = selfSigned(dir, 'rogue', 'metacontroller');
  const { log: _log, clock: _clock, ...deps } = testDeps(new FakeS3().factory());
  const metrics = createMetrics({ processMetrics: false });
  const { hook, admin } = buildServers({
    deps,
    logger: false,
    metrics,
    https: readTlsOptions({ certFile: server.cert, keyFile: server.key, clientCaFile: client.cert }),
    auth: { clientCertificate: true },
  });
  await hook.listen({ port: 0, host: '127.0.0.1' });
  await admin.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await hook.close();
    await admin.close();
  });
  const port = (hook.server.address() as AddressInfo).port;
  const adminPort = (admin.server.address() as AddressInfo).port;
  const ca = readFileSync(server.cert);
  const as = (c: { cert: string; key: string }) => ({ ca, cert: readFileSync(c.cert), key: readFileSync(c.key) });

  t.equal((await call(port, { ...post(), ...as(client) })).status, 200, 'Metacontroller with its certificate');
  t.equal((await call(port, { ...post(), ca })).status, 401);
  t.equal((await call(port, { ...post(), ...as(rogue) })).status, 401);
  t.equal((await call(port, { ...post(), ...as(rogue) })).status, 401);
  t.equal((await call(port, { path: '/metrics', ...as(client) })).status, 404, 'no /metrics on the hook port, even for Metacontroller');

  // The admin port: plain HTTP, no client certificate, the kubelet's and Prometheus' way in.
  const plainGet = (path: string) => fetch(`http://127.0.0.1:${adminPort}${path}`);
  t.equal((await plainGet('/readyz')).status, 200);
  t.equal((await plainGet('/healthz')).status, 200);
  const samples = parseSamples(await (await plainGet('/metrics')).text());
  t.equal(valueOf(samples, 'bucket_hook_unauthorized_total', { reason: 'no_client_certificate' }), 1);
  t.equal(valueOf(samples, 'bucket_hook_unauthorized_total', { reason: 'bad_client_certificate' }), 2);
  await t.rejects(call(adminPort, { path: '/healthz', ca }), /wrong version number|EPROTO|packet length/i, 'the admin port speaks no TLS');
});

/** Replaces a file the way a Kubernetes Secret volume does: a new file renamed over the old one (a new inode). */
function replaceFile(path: string, content: Buffer | string): void {
  writeFileSync(`${path}.new`, content);
  renameSync(`${path}.new`, path);
}

t.test('a renewed certificate is served without a restart; a broken one is not', async (t) => {
  const dir = t.testdir();
  const first = selfSigned(dir, 'first', 'bucket-hook');
  const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), clientCaFile: undefined };
  writeFileSync(files.certFile, readFileSync(first.cert));
  writeFileSync(files.keyFile, readFileSync(first.key));
  const { port, server } = await listening(t, files, {});
  const lines: string[] = [];
  // The test runs each poll itself (and waits for it) instead of an interval.
  const schedule: { poll?: () => Promise<void>; intervalMs?: number; stopped: boolean } = { stopped: false };
  const stop = reloadTlsOnChange(server, files, createLogger('info', { write: (l: string) => void lines.push(l) }), 20, (poll, intervalMs) => {
    Object.assign(schedule, { poll, intervalMs });
    return () => void (schedule.stopped = true);
  });
  t.equal(schedule.intervalMs, 20, 'polled at the interval asked for');
  const poll = schedule.poll!;
  await poll(); // the first look records the files as served

  const second = selfSigned(dir, 'second', 'bucket-hook');
  const trust = Buffer.concat([readFileSync(first.cert), readFileSync(second.cert)]);
  t.equal((await call(port, { path: '/healthz', ca: trust })).peer, fingerprint(first.cert));
  await poll();
  t.same(lines, [], 'unchanged files: nothing reloaded, nothing logged');
  replaceFile(files.certFile, readFileSync(second.cert));
  replaceFile(files.keyFile, readFileSync(second.key));
  t.equal((await call(port, { path: '/healthz', ca: trust })).peer, fingerprint(first.cert), 'served until the next poll');
  await poll();
  t.equal((await call(port, { path: '/healthz', ca: trust })).peer, fingerprint(second.cert), 'the new certificate is served after it');
  t.equal(lines.filter((l) => l.includes('TLS certificate reloaded')).length, 1);

  replaceFile(files.keyFile, 'not a key');
  await poll();
  await poll();
  t.equal((await call(port, { path: '/healthz', ca: trust })).peer, fingerprint(second.cert), 'a broken key keeps the working certificate');
  t.equal(lines.filter((l) => l.includes('cannot reload the TLS files')).length, 1, 'one warning for the problem, however often it is seen');
  t.same(
    lines.filter((l) => l.includes('PRIVATE KEY') || l.includes('not a key')),
    [],
    'no key material in the logs',
  );
  stop();
  t.ok(schedule.stopped, 'the returned function stops the polling');
});

t.test('TLS configuration problems stop the start, all at once', async (t) => {
  const dir = t.testdir();
  const a = selfSigned(dir, 'a', 'a');
  const b = selfSigned(dir, 'b', 'b');
  const missing = join(dir, 'missing.pem');
  t.throws(
    () => readTlsOptions({ certFile: missing, keyFile: missing, clientCaFile: missing }),
    new ConfigError([
      `TLS_CERT_FILE="${missing}" cannot be read (ENOENT)`,
      `TLS_KEY_FILE="${missing}" cannot be read (ENOENT)`,
      `TLS_CLIENT_CA_FILE="${missing}" cannot be read (ENOENT)`,
    ]),
  );
  t.match(
    problemsOf(() => readTlsOptions({ certFile: a.cert, keyFile: b.key, clientCaFile: undefined })),
    [/^TLS_CERT_FILE\/TLS_KEY_FILE are not a usable PEM certificate, key \(.*key values mismatch/],
  );
  const empty = join(dir, 'empty.pem');
  writeFileSync(empty, '');
  t.same(
    problemsOf(() => readTlsOptions({ certFile: a.cert, keyFile: empty, clientCaFile: undefined })),
    [`TLS_KEY_FILE="${empty}" is empty`],
  );
  const options = readTlsOptions({ certFile: a.cert, keyFile: a.key, clientCaFile: b.cert });
  t.match(options, { minVersion: 'TLSv1.2', requestCert: true, rejectUnauthorized: false });
  t.notOk('requestCert' in readTlsOptions({ certFile: a.cert, keyFile: a.key, clientCaFile: undefined }), 'no client certificates asked without a CA');

  const env = { AWS_REGION: 'eu-west-1' };
  t.same(
    problemsOf(() => parseConfig({ ...env, TLS_CERT_FILE: a.cert })),
    ['TLS_CERT_FILE and TLS_KEY_FILE go together: set both to serve HTTPS, or neither for plain HTTP (only TLS_CERT_FILE is set)'],
  );
  t.match(
    problemsOf(() => parseConfig({ ...env, TLS_KEY_FILE: a.key })),
    [/only TLS_KEY_FILE is set/],
  );
  t.match(
    problemsOf(() => parseConfig({ ...env, TLS_CLIENT_CA_FILE: b.cert })),
    [/^TLS_CLIENT_CA_FILE \(client certificates, mTLS\) needs TLS_CERT_FILE and TLS_KEY_FILE/],
  );
  t.same(parseConfig({ ...env, TLS_CERT_FILE: a.cert, TLS_KEY_FILE: a.key, TLS_CLIENT_CA_FILE: b.cert, HOOK_TOKEN_FILE: '/t' }).tls, {
    certFile: a.cert,
    keyFile: a.key,
    clientCaFile: b.cert,
  });
  t.same([parseConfig(env).tls, parseConfig(env).hookTokenFile], [undefined, undefined], 'plain HTTP and no token by default');
});

t.test('asSecureServer: an https server passes as it is; a plain HTTP server is refused by name', async (t) => {
  const secure = { setSecureContext: () => undefined };
  t.equal(asSecureServer(secure), secure);
  t.throws(() => asSecureServer({ listen: () => undefined }), /does not serve TLS/);
});
