// Capture of received bodies: file names, bounds (count and bytes, oldest deleted first), redaction,
// and that a failing disk only costs a warn line. Each test writes into its own temp dir.
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, parseConfig } from '../../src/config.js';
import { captureFileName, createCapture, isSecretKey, redact } from '../../src/http/capture.js';
import { recordingLog } from '../support/deps.js';
import { bucketResource, envelope } from '../support/envelope.js';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const subject = (generation: number) => ({ namespace: 'team-a', name: 'artifacts', generation });
/** A clock that advances one second per reading. */
const ticking = () => {
  let n = 0;
  return () => T0 + 1000 * n++;
};
const bytesOf = (body: unknown) => Buffer.byteLength(`${JSON.stringify(body, null, 2)}\n`);

t.test('file names: timestamp, namespace, name, generation, hook', async (t) => {
  t.equal(captureFileName(T0 + 123, subject(7), 'sync'), '2026-11-24T10-00-00.123Z-team-a-artifacts-7-sync.json');
  t.equal(
    captureFileName(T0, { namespace: undefined, name: 'x/../y', generation: undefined }, 'finalize'),
    '2026-11-24T10-00-00.000Z-_-x_.._y-0-finalize.json',
    'no path separators from the body',
  );
});

t.test('one body, one file: the body as received (redacted), nothing added', async (t) => {
  const dir = t.testdir();
  const log = recordingLog();
  const capture = createCapture({ dir, maxFiles: 10, maxBytes: 1 << 20 }, ticking());
  const body = envelope(bucketResource({ generation: 3 }));
  capture.record(body, subject(3), 'sync', log);
  await capture.flush();
  const files = await readdir(dir);
  t.same(files, ['2026-11-24T10-00-00.000Z-team-a-artifacts-3-sync.json']);
  t.same(JSON.parse(await readFile(join(dir, files[0]!), 'utf8')), body, 'no timestamp or other field added');
  t.same(log.lines, []);
});

t.test('names never collide, even within one millisecond', async (t) => {
  const dir = t.testdir();
  const capture = createCapture({ dir, maxFiles: 10, maxBytes: 1 << 20 }, () => T0);
  for (let i = 0; i < 3; i++) capture.record({ parent: { i } }, subject(1), 'sync', recordingLog());
  await capture.flush();
  t.same(
    await readdir(dir),
    ['000', '001', '002'].map((ms) => `2026-11-24T10-00-00.${ms}Z-team-a-artifacts-1-sync.json`),
  );
});

t.test('at most CAPTURE_MAX_FILES files: the oldest go first', async (t) => {
  const dir = t.testdir();
  const capture = createCapture({ dir, maxFiles: 3, maxBytes: 1 << 20 }, ticking());
  for (let g = 1; g <= 5; g++) capture.record(envelope(bucketResource({ generation: g })), subject(g), 'sync', recordingLog());
  await capture.flush();
  t.same(
    (await readdir(dir)).map((f) => f.replace(/^.*-artifacts-/, '')),
    ['3-sync.json', '4-sync.json', '5-sync.json'],
  );
});

t.test('at most CAPTURE_MAX_BYTES in total: the oldest go first', async (t) => {
  const dir = t.testdir();
  const body = (g: number) => ({ parent: { generation: g, pad: 'x'.repeat(300) } });
  const size = bytesOf(body(1));
  const capture = createCapture({ dir, maxFiles: 100, maxBytes: Math.floor(size * 2.5) }, ticking());
  for (let g = 1; g <= 6; g++) capture.record(body(g), subject(g), 'sync', recordingLog());
  await capture.flush();
  const files = await readdir(dir);
  t.same(
    files.map((f) => f.replace(/^.*-artifacts-/, '')),
    ['5-sync.json', '6-sync.json'],
  );
  let total = 0;
  for (const f of files) total += (await readFile(join(dir, f))).length;
  t.ok(total <= size * 2.5, `${total} bytes on disk`);
});

t.test('files from an earlier run count; other files in the directory are left alone', async (t) => {
  const dir = t.testdir({
    '2026-11-23T08-00-00.000Z-team-a-artifacts-1-sync.json': '{}\n',
    '2026-11-23T09-00-00.000Z-team-a-artifacts-2-sync.json': '{}\n',
    'notes.txt': 'keep me',
  });
  const capture = createCapture({ dir, maxFiles: 2, maxBytes: 1 << 20 }, ticking());
  capture.record({ parent: {} }, subject(3), 'finalize', recordingLog());
  await capture.flush();
  t.same((await readdir(dir)).sort(), [
    '2026-11-23T09-00-00.000Z-team-a-artifacts-2-sync.json',
    '2026-11-24T10-00-00.000Z-team-a-artifacts-3-finalize.json',
    'notes.txt',
  ]);
});

t.test('a body larger than the byte bound is skipped with a warn line', async (t) => {
  const dir = t.testdir();
  const log = recordingLog();
  const capture = createCapture({ dir, maxFiles: 10, maxBytes: 1024 }, ticking());
  capture.record({ parent: { pad: 'x'.repeat(2048) } }, subject(1), 'sync', log);
  capture.record({ parent: {} }, subject(2), 'sync', log);
  await capture.flush();
  t.same(
    (await readdir(dir)).map((f) => f.replace(/^.*-artifacts-/, '')),
    ['2-sync.json'],
  );
  t.match(log.lines, [{ level: 'warn', msg: 'request body larger than CAPTURE_MAX_BYTES: not captured' }]);
});

t.test('a disk that fails costs a warn line, never a throw; the next write retries', async (t) => {
  const root = t.testdir({ blocker: 'a file where the directory should be' });
  const dir = join(root, 'blocker', 'captures');
  const log = recordingLog();
  const capture = createCapture({ dir, maxFiles: 10, maxBytes: 1 << 20 }, ticking());
  t.doesNotThrow(() => capture.record({ parent: {} }, subject(1), 'sync', log));
  await capture.flush();
  t.match(log.lines, [{ level: 'warn', msg: 'cannot capture the request body', obj: { dir } }]);

  const good = join(root, 'good');
  await mkdir(good);
  const later = createCapture({ dir: good, maxFiles: 10, maxBytes: 1 << 20 }, ticking());
  later.record({ parent: {} }, subject(1), 'sync', log);
  await later.flush();
  t.equal((await readdir(good)).length, 1);
});

t.test('redaction: secret-looking annotation values, also inside last-applied, and Secret data; shape kept', async (t) => {
  const annotations = {
    'example.com/api-token': 'tok-123',
    'db-password': 'hunter2',
    'vault.example.com/credentials-ref': 'x',
    'team.example.com/owner': 'alice',
    'services.k8s.aws/deletion-policy': 'retain',
  };
  const body = envelope(bucketResource({ annotations }));
  const out = redact(body) as typeof body & { parent: { metadata: { annotations: Record<string, string>; managedFields: unknown } } };
  const got = out.parent.metadata.annotations;
  t.equal(got['example.com/api-token'], '[redacted]');
  t.equal(got['db-password'], '[redacted]');
  t.equal(got['vault.example.com/credentials-ref'], '[redacted]');
  t.equal(got['team.example.com/owner'], 'alice');
  t.equal(got['services.k8s.aws/deletion-policy'], 'retain');
  const applied = got['kubectl.kubernetes.io/last-applied-configuration']!;
  t.ok(applied.endsWith('\n'), "kubectl's trailing newline kept");
  const appliedAnnotations = (JSON.parse(applied) as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
  t.same(appliedAnnotations, {
    ...annotations,
    'example.com/api-token': '[redacted]',
    'db-password': '[redacted]',
    'vault.example.com/credentials-ref': '[redacted]',
  });
  t.notMatch(JSON.stringify(out), /tok-123|hunter2/);
  t.same(out.parent.metadata.managedFields, (body.parent as typeof out.parent).metadata.managedFields, 'managedFields kept as Metacontroller sent them');
  t.same(Object.keys(out).sort(), Object.keys(body).sort());
  t.same(body.parent, bucketResource({ annotations }), 'the input is not modified');

  const untouched = envelope(bucketResource());
  t.same(redact(untouched), untouched, 'nothing secret: identical');
  t.same(redact({ related: { 'Secret.v1': { 'team-a/creds': { kind: 'Secret', data: { key: 'c2VjcmV0' }, stringData: { other: 'x' } } } } }), {
    related: { 'Secret.v1': { 'team-a/creds': { kind: 'Secret', data: { key: '[redacted]' }, stringData: { other: '[redacted]' } } } },
  });
  t.equal(
    (
      redact({ metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{not json "password": "x"' } } }) as {
        metadata: { annotations: Record<string, string> };
      }
    ).metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'],
    '[redacted]',
    'unparsable last-applied mentioning a secret: redacted whole',
  );
});

t.test('the files are 0600 in a 0700 directory: a new one, an existing open one, and files of an earlier run', async (t) => {
  const root = t.testdir();
  const fresh = join(root, 'a', 'captures');
  const capture = createCapture({ dir: fresh, maxFiles: 10, maxBytes: 1 << 20 }, ticking());
  capture.record(envelope(bucketResource()), subject(1), 'sync', recordingLog());
  await capture.flush();
  const [file] = await readdir(fresh);
  t.equal((await stat(fresh)).mode & 0o777, 0o700, 'the directory it made');
  t.equal((await stat(join(fresh, file!))).mode & 0o777, 0o600, 'the file');

  // An emptyDir is 0777; a file written by an earlier version, 0644.
  const open = join(root, 'open');
  await mkdir(open);
  await chmod(open, 0o777);
  const earlier = '2026-11-24T09-00-00.000Z-team-a-artifacts-1-sync.json';
  await writeFile(join(open, earlier), '{}\n', { mode: 0o644 });
  await chmod(join(open, earlier), 0o644);
  const later = createCapture({ dir: open, maxFiles: 10, maxBytes: 1 << 20 }, ticking());
  later.record(envelope(bucketResource()), subject(2), 'sync', recordingLog());
  await later.flush();
  t.equal((await stat(open)).mode & 0o777, 0o700, 'narrowed');
  const modes = await Promise.all((await readdir(open)).map(async (f) => (await stat(join(open, f))).mode & 0o777));
  t.same(modes, [0o600, 0o600], 'the earlier file narrowed, the new one private');
});

t.test("secret-looking keys, by family: every spelling of each is redacted, lookalikes and the hook's own annotations are not", async (t) => {
  const secret = [
    // issue 23 found these missed:
    'db-pass',
    'passphrase',
    'jwt',
    'connection-string',
    'aws-access-key-id',
    // the families, in the spellings annotations, env-style keys and ConfigMap entries use:
    'example.com/api-token',
    'x-auth-token',
    'AUTH_TOKEN',
    'client_secret',
    'clientSecret',
    'aws-secret-access-key',
    'AWS_SESSION_TOKEN',
    'password',
    'DB_PASSWORD',
    'dbPassword',
    'mysql.passwd',
    'DB_PASS',
    'dbPass',
    'smtp-pwd',
    'admin.pw',
    'gpg-passphrase',
    'vault.example.com/credentials-ref',
    'creds',
    'git-cred',
    'jwtSigningKey',
    'bearer',
    'authorization',
    'proxy-auth',
    'session-cookie',
    'api-key',
    'apiKey',
    'API_KEY',
    'private-key',
    'ssh-private-key',
    'ssh-key',
    'tls.key',
    'signing-key',
    'encryption_key',
    'master-key',
    'session-key',
    'ConnectionString',
    'DATABASE_CONNSTR',
    'conn-string',
    'sentry-dsn',
    'totp-otp',
  ];
  const plain = [
    'team.example.com/owner',
    'bypass-governance',
    'compass-heading',
    'passenger-count',
    'keyboard-layout',
    'monkey',
    'author',
    'author-email',
    'kms-key-id',
    'description',
    'app.kubernetes.io/name',
    'kubectl.kubernetes.io/last-applied-configuration',
    'services.k8s.aws/region',
    'services.k8s.aws/deletion-policy',
    'services.k8s.aws/adoption-policy',
    'services.k8s.aws/adoption-fields',
    'services.k8s.aws/read-only',
    'services.k8s.aws/ignore-field-drift',
    's3.services.k8s.aws/paused',
    's3.services.k8s.aws/empty-on-delete',
    's3.services.k8s.aws/drift-check-interval',
    's3.services.k8s.aws/requested-at',
    's3.services.k8s.aws/coordinates-configmap',
  ];
  t.same(
    secret.filter((k) => !isSecretKey(k)),
    [],
    'every secret-looking key matches',
  );
  t.same(
    plain.filter((k) => isSecretKey(k)),
    [],
    'no plain key matches',
  );
  const annotations = Object.fromEntries([...secret, ...plain.filter((k) => !k.startsWith('kubectl.'))].map((k) => [k, `value-of-${k}`]));
  const out = redact({ metadata: { annotations } }) as { metadata: { annotations: Record<string, string> } };
  t.same(
    Object.entries(out.metadata.annotations)
      .filter(([, v]) => v === '[redacted]')
      .map(([k]) => k),
    secret,
  );
  const configMap = { kind: 'ConfigMap', data: { BUCKET_NAME: 'b', DB_PASSWORD: 'hunter2' }, binaryData: { 'tls.key': 'a2V5' } };
  t.same(
    redact(configMap),
    { kind: 'ConfigMap', data: { BUCKET_NAME: 'b', DB_PASSWORD: '[redacted]' }, binaryData: { 'tls.key': '[redacted]' } },
    "a ConfigMap's secret-looking entries too",
  );
});

t.test('config: CAPTURE_DIR opts in; the bounds have defaults and are checked', async (t) => {
  t.equal(parseConfig({ AWS_REGION: 'eu-west-1' }).capture, undefined, 'off by default');
  t.same(parseConfig({ AWS_REGION: 'eu-west-1', CAPTURE_DIR: '/var/tmp/captures' }).capture, {
    dir: '/var/tmp/captures',
    maxFiles: 500,
    maxBytes: 50 * 1024 * 1024,
  });
  t.same(parseConfig({ AWS_REGION: 'eu-west-1', CAPTURE_DIR: '/c', CAPTURE_MAX_FILES: '20', CAPTURE_MAX_BYTES: '1048576' }).capture, {
    dir: '/c',
    maxFiles: 20,
    maxBytes: 1048576,
  });
  try {
    parseConfig({ AWS_REGION: 'eu-west-1', CAPTURE_DIR: '/c', CAPTURE_MAX_FILES: '0', CAPTURE_MAX_BYTES: 'lots' });
    t.fail('should throw');
  } catch (err) {
    t.ok(err instanceof ConfigError);
    t.same((err as ConfigError).problems, [
      'CAPTURE_MAX_FILES="0" must be a whole number from 1 to 1000000',
      'CAPTURE_MAX_BYTES="lots" must be a whole number from 1024 to 1099511627776',
    ]);
  }
});
