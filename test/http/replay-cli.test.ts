// `npm run replay` as a child process against the real app listening on loopback over the fake S3:
// dry run by default (S3 untouched, plan printed; a harmless probe first proves the hook honours the dry
// run, and a server that does not gets no body at all), --apply for real, --token-file (over plain http
// to loopback only, unless --allow-cleartext-token), and exit codes.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { testApp } from '../support/app.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';
import { tsChild } from '../support/ts-child.js';
import { PROBE_BODY } from '../../src/cli/dry-run-probe.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUCKET = 'team-a-artifacts-7f3c';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01' };
const SPEC = { name: BUCKET, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function replay(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const loader = tsChild();
    execFile(
      process.execPath,
      [...loader.nodeArgs, 'src/cli/replay.ts', ...args],
      { cwd: ROOT, timeout: 60_000, env: { ...process.env, ...loader.env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The app over a fresh fake, listening on 127.0.0.1:0; records the Authorization header of each hook call. */
async function liveHook(t: Test, fake: FakeS3) {
  const app = testApp(fake.factory());
  const authorization: Array<string | undefined> = [];
  app.addHook('onRequest', async (request) => void authorization.push(request.headers.authorization));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  return { url, authorization };
}

async function bodies(t: Test) {
  const dir = t.testdir();
  const sync = join(dir, 'sync.json');
  const fin = join(dir, 'finalize.json');
  const pod = join(dir, 'pod.json');
  await writeFile(sync, JSON.stringify(envelope(bucketResource({ spec: SPEC }))));
  await writeFile(fin, JSON.stringify(envelope(bucketResource({ spec: SPEC, deletionTimestamp: '2026-11-24T12:00:00Z' }), true)));
  await writeFile(pod, JSON.stringify(envelope({ ...bucketResource(), apiVersion: 'v1', kind: 'Pod' })));
  return { dir, sync, fin, pod };
}

t.test('default is a dry run: S3 untouched, the plan printed', async (t) => {
  const fake = new FakeS3();
  const { url } = await liveHook(t, fake);
  const { sync } = await bodies(t);
  const run = await replay([sync, '--url', url]);
  t.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n');
  t.match(lines[0], /^DRY RUN: /);
  t.match(lines[1], new RegExp(`^# ${sync} -> POST ${url}/sync\\?dryRun=true: HTTP 200 in \\d+ ms$`));
  // The stand-in keeps the tags sent with CreateBucket (AWS-like): no tag write follows, as in the real run.
  t.equal(lines[2], 'plan: 2 S3 writes, in order:');
  t.match(lines[3], /^ {2}1\. CreateBucket team-a-artifacts-7f3c \{"locationConstraint":"eu-west-1","tags":\[\{"key":"team","value":"a"\}/);
  t.equal(lines[4], '  2. PutBucketVersioning team-a-artifacts-7f3c {"status":"Enabled"}');
  t.equal(lines[5], 'events: 1, on the Bucket:');
  t.equal(lines[6], '  1. Normal Created (Create): Created bucket "team-a-artifacts-7f3c" in eu-west-1; set spec.versioning.');
  t.equal(lines[7], 'children: none');
  t.match(run.stdout, /answer it would return:\n\{\n {2}"status": \{/);
  t.same(fake.writes(), []);
  t.equal(fake.buckets.size, 0);
});

t.test('a finalize body in a dry run deletes nothing', async (t) => {
  const fake = new FakeS3();
  fake.seed(BUCKET, { tags: OURS });
  const { url } = await liveHook(t, fake);
  const { fin } = await bodies(t);
  const run = await replay([fin, '--url', url]);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /\/finalize\?dryRun=true: HTTP 200/);
  t.match(run.stdout, /plan: 1 S3 write, in order:\n {2}1\. DeleteBucket team-a-artifacts-7f3c \{\}/);
  t.match(run.stdout, /"finalized": true/);
  t.ok(fake.buckets.has(BUCKET), 'still there');
  t.same(fake.writes(), []);
});

t.test('--apply sends for real, with the token from --token-file', async (t) => {
  const fake = new FakeS3();
  const { url, authorization } = await liveHook(t, fake);
  const { dir, sync, fin } = await bodies(t);
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, 'tok-123\n');
  const run = await replay([sync, fin, '--apply', '--url', url, '--token-file', tokenFile]);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout.split('\n')[0], /^APPLY: sending 2 bodies for real to /);
  t.match(run.stdout, new RegExp(`POST ${url}/sync: HTTP 200`));
  t.notMatch(run.stdout, /dryRun|plan:/);
  t.same(fake.writes(), ['CreateBucket', 'PutBucketVersioning', 'DeleteBucket'], 'created, then deleted by the finalize body');
  t.same(authorization, ['Bearer tok-123', 'Bearer tok-123']);
});

t.test('exit 1 when an answer is not 200, or the hook is not there', async (t) => {
  const fake = new FakeS3();
  const { url, authorization } = await liveHook(t, fake);
  const { sync, pod } = await bodies(t);
  const refused = await replay([pod, sync, '--url', url]);
  t.equal(refused.code, 1);
  t.match(refused.stdout, /HTTP 422/);
  t.match(refused.stdout, /HTTP 200/, 'the other files are still sent');
  t.same(authorization, [undefined, undefined, undefined], 'the probe and two bodies; no token: no Authorization header');

  const freed = createServer();
  await new Promise<void>((resolve) => freed.listen(0, '127.0.0.1', resolve));
  const port = (freed.address() as AddressInfo).port;
  await new Promise((resolve) => freed.close(resolve));
  const away = await replay([sync, '--url', `http://127.0.0.1:${port}`]);
  t.equal(away.code, 1);
  t.match(away.stderr, `(ECONNREFUSED: is the hook running at http://127.0.0.1:${port}?)`);
});

/** A server that ignores the dry-run marker (an old hook): answers 200 without a plan, and records every body. */
async function markerBlind(t: Test) {
  const received: Array<{ url: string; body: string }> = [];
  const old = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":{},"children":[],"finalized":true}');
    });
  });
  await new Promise<void>((resolve) => old.listen(0, '127.0.0.1', resolve));
  t.teardown(() => old.close());
  return { url: `http://127.0.0.1:${(old.address() as AddressInfo).port}`, received };
}

t.test('a hook that ignores the dry-run marker gets the harmless probe only: no body, above all no finalize body; exit 1', async (t) => {
  const old = await markerBlind(t);
  const { sync, fin } = await bodies(t);
  const run = await replay([fin, sync, '--url', old.url]);
  t.equal(run.code, 1);
  t.equal(
    run.stderr,
    'the hook answered the dry-run probe without a plan, so it does not honour the dry run (is it an older version?) and would APPLY what it is sent. Nothing was sent.\n',
  );
  t.equal(old.received.length, 1, 'one request: the probe');
  t.equal(old.received[0]!.url, '/sync?dryRun=true');
  const probe = JSON.parse(old.received[0]!.body) as { parent: { spec: { name: string } }; finalizing: boolean };
  t.same(
    [probe.finalizing, probe.parent.spec.name],
    [false, 'Not_A_Bucket_Name--dry-run-probe'],
    'a sync of a name S3 refuses: InvalidSpec before any S3 call, applied or not',
  );
  t.notMatch(old.received.map((r) => r.body).join(''), /deletionTimestamp/, 'the finalize body never left');
});

t.test('the probe is harmless on a hook too: InvalidSpec, an empty plan, no S3 call; and a hook that refuses it (401) gets no body', async (t) => {
  const fake = new FakeS3();
  const app = testApp(fake.factory());
  const res = await app.inject({ method: 'POST', url: '/sync', payload: PROBE_BODY });
  t.equal(res.statusCode, 200);
  t.equal(
    res.json<{ status: { conditions: Array<{ type: string; reason: string }> } }>().status.conditions.find((c) => c.type === 'ACK.Terminal')?.reason,
    'InvalidSpec',
    'even applied (no marker): nothing to do',
  );
  const dry = await app.inject({ method: 'POST', url: '/sync?dryRun=true', payload: PROBE_BODY });
  t.same(dry.json<{ plan: unknown }>().plan, []);
  t.same(fake.calls, [], 'no S3 call either way');
  await app.close();

  const locked = createServer((_req, res) =>
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":"HOOK_UNAUTHORIZED","message":"a bearer token is required"}'),
  );
  await new Promise<void>((resolve) => locked.listen(0, '127.0.0.1', resolve));
  t.teardown(() => locked.close());
  const { sync } = await bodies(t);
  const run = await replay([sync, '--url', `http://127.0.0.1:${(locked.address() as AddressInfo).port}`]);
  t.equal(run.code, 1);
  t.equal(run.stderr, 'the hook answered the dry-run probe with HTTP 401 (a bearer token is required). Nothing was sent.\n');
});

t.test('the token goes over plain http to loopback only, unless --allow-cleartext-token', async (t) => {
  const { dir, sync } = await bodies(t);
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, 'tok-123\n');
  for (const [url, mode] of [
    ['http://10.1.2.3:8080', []],
    ['http://bucket-hook.bucket-system.svc:8080', ['--apply']],
  ] as const) {
    const run = await replay([sync, '--url', url, '--token-file', tokenFile, ...mode]);
    t.equal(run.code, 2, `${url} ${mode.join('')}`);
    t.match(run.stderr, `--url ${url} is plain http to a host that is not loopback: the token from --token-file would cross the network in clear text.`);
    t.equal(run.stdout, '', 'nothing sent');
  }
  // Loopback, and https anywhere, are fine; so is plain http without a token.
  const fake = new FakeS3();
  const { url, authorization } = await liveHook(t, fake);
  t.equal((await replay([sync, '--url', url.replace('127.0.0.1', 'localhost'), '--token-file', tokenFile])).code, 0);
  t.same(authorization, ['Bearer tok-123', 'Bearer tok-123'], 'the probe and the body, with the token');
  // With the flag, a non-loopback address of this machine (where it has one) gets the token.
  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i?.family === 'IPv4' && !i.internal)?.address;
  if (!external) {
    t.comment('no non-loopback IPv4 address on this machine: --allow-cleartext-token not exercised');
    return;
  }
  const open = testApp(fake.factory());
  const seen: Array<string | undefined> = [];
  open.addHook('onRequest', async (request) => void seen.push(request.headers.authorization));
  const address = await open.listen({ host: external, port: 0 });
  t.teardown(() => open.close());
  t.equal((await replay([sync, '--url', address, '--token-file', tokenFile])).code, 2, `${address}: refused without the flag`);
  const allowed = await replay([sync, '--url', address, '--token-file', tokenFile, '--allow-cleartext-token']);
  t.equal(allowed.code, 0, allowed.stderr);
  t.same(seen, ['Bearer tok-123', 'Bearer tok-123']);
});

t.test('exit 2 on misuse', async (t) => {
  const { dir, sync } = await bodies(t);
  await writeFile(join(dir, 'empty-token'), '\n');
  const cases: Array<[string, string[], RegExp]> = [
    ['no files', [], /^usage: /],
    ['an unknown option', [sync, '--dry-run'], /Unknown option '--dry-run'/],
    ['a missing token file', [sync, '--token-file', join(dir, 'nope')], /--token-file: ENOENT/],
    ['an empty token file', [sync, '--token-file', join(dir, 'empty-token')], /is empty/],
    ['a bad URL', [sync, '--url', 'localhost'], /is not a URL/],
  ];
  for (const [label, args, message] of cases) {
    const run = await replay(args);
    t.equal(run.code, 2, label);
    t.match(run.stderr, message, label);
    t.equal(run.stdout, '', `${label}: nothing sent`);
  }
});

t.test('the dry run lists the events it would record and the children it would keep', async (t) => {
  const fake = new FakeS3();
  const { url } = await liveHook(t, fake);
  const dir = t.testdir();
  const file = join(dir, 'opt-in.json');
  await writeFile(file, JSON.stringify(envelope(bucketResource({ spec: SPEC, annotations: { 's3.services.k8s.aws/coordinates-configmap': 'artifacts-s3' } }))));
  const run = await replay([file, '--url', url]);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /\nevents: 1, on the Bucket:\n {2}1\. Normal Created \(Create\): Created bucket "team-a-artifacts-7f3c"/);
  t.match(run.stdout, /\nchildren: ConfigMap\/team-a\/artifacts-s3 \(created or updated by Metacontroller\)\n/);
  t.same(fake.writes(), []);
});
