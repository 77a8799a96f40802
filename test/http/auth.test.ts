// The bearer token on hook routes: refused without it or with a wrong one (401 JSON, nothing sent to
// S3), probes and /metrics open, the token file re-read when it changes (in place, or by the symlink
// swap of a Kubernetes Secret volume), the last good token kept when the file breaks, and no token in
// any log line.
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { bearerToken, FileToken, tokenMatches, type HookAuth } from '../../src/http/auth.js';
import { createLogger } from '../../src/logger.js';
import type { S3PortFactory } from '../../src/s3/port.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { testDeps } from '../support/deps.js';
import { FakeS3 } from '../support/fake-s3.js';

function appWith(s3: S3PortFactory, auth: HookAuth, logger?: ReturnType<typeof createLogger>) {
  const { log: _log, clock: _clock, ...deps } = testDeps(s3);
  return buildApp({ deps, auth, logger: logger ?? false });
}

function tokenFile(dir: string, token: string, name = 'token'): string {
  const path = join(dir, name);
  writeFileSync(path, token);
  return path;
}

const sync = (token?: string, url = '/sync', payload: object = envelope(bucketResource())) => ({
  method: 'POST' as const,
  url,
  payload,
  headers: token === undefined ? {} : { authorization: token },
});

t.test('with a token configured, hook routes need it', async (t) => {
  const fake = new FakeS3();
  const app = appWith(fake.factory(), { token: FileToken.open(tokenFile(t.testdir(), 'tok-1\n')) });

  const missing = await app.inject(sync());
  t.equal(missing.statusCode, 401);
  t.equal(missing.json<{ code: string }>().code, 'HOOK_UNAUTHORIZED');
  t.match(missing.json<{ message: string }>().message, /no bearer token: the hook needs "Authorization: Bearer <token>"/);
  t.equal(missing.headers['www-authenticate'], 'Bearer realm="bucket-hook"');

  const wrong = await app.inject(sync('Bearer tok-2'));
  t.equal(wrong.statusCode, 401);
  t.same(Object.keys(wrong.json<object>()).sort(), ['code', 'message']);
  t.match(wrong.json<{ message: string }>().message, /does not match HOOK_TOKEN_FILE/);
  t.notMatch(wrong.body, /tok-/, 'the answer echoes no token');
  t.match(wrong.headers['www-authenticate'], /error="invalid_token"/);

  for (const header of ['Basic dG9rLTE=', 'tok-1', 'Bearer', 'Bearer tok-1 extra', 'Bearer tok-1x', 'Bearer tok-']) {
    t.equal((await app.inject(sync(header))).statusCode, 401, `refused: ${header}`);
  }
  t.same(fake.calls, [], 'nothing reached S3');

  const ok = await app.inject(sync('Bearer tok-1'));
  t.equal(ok.statusCode, 200, 'the trimmed file content is the token');
  t.equal((await app.inject(sync('bearer tok-1'))).statusCode, 200, 'the scheme is case-insensitive (RFC 7235)');
  const finalize = await app.inject(sync('Bearer tok-1', '/finalize', envelope(bucketResource({ deletionTimestamp: '2026-11-24T10:00:00Z' }), true)));
  t.equal(finalize.statusCode, 200);
  t.equal(finalize.json<{ finalized: boolean }>().finalized, true);
  t.equal((await app.inject(sync(undefined, '/finalize'))).statusCode, 401, '/finalize is guarded too');
});

t.test('probes and /metrics stay open; unknown routes are guarded too', async (t) => {
  const app = appWith(new FakeS3().factory(), { token: FileToken.open(tokenFile(t.testdir(), 'tok-1')) });
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200);
  t.equal((await app.inject({ url: '/healthz?x=1' })).statusCode, 200, 'matched by route, not raw URL');
  t.equal((await app.inject({ url: '/metrics' })).statusCode, 200);
  t.equal((await app.inject({ method: 'POST', url: '/reconcile', payload: {} })).statusCode, 401, 'no route list for strangers');
  t.equal((await app.inject({ method: 'POST', url: '/reconcile', payload: {}, headers: { authorization: 'Bearer tok-1' } })).statusCode, 404);
  t.equal(
    (await app.inject({ method: 'POST', url: '/healthz/../sync', payload: envelope(bucketResource()) })).statusCode,
    401,
    'path tricks reach the guarded route',
  );
});

t.test('without a token configured, nothing is asked', async (t) => {
  const app = appWith(new FakeS3().factory(), {});
  t.equal((await app.inject(sync())).statusCode, 200);
});

t.test('a token rewritten in place: the old one stops working, the new one works at once', async (t) => {
  const path = tokenFile(t.testdir(), 'old-token');
  const app = appWith(new FakeS3().factory(), { token: FileToken.open(path) });
  t.equal((await app.inject(sync('Bearer old-token'))).statusCode, 200);
  writeFileSync(path, 'new-token\n');
  t.equal((await app.inject(sync('Bearer old-token'))).statusCode, 401, 'old token refused');
  t.equal((await app.inject(sync('Bearer new-token'))).statusCode, 200, 'new token accepted');
  // Same length, written again right away: the ns mtime/ctime still tell the versions apart.
  writeFileSync(path, 'new-tokeN');
  t.equal((await app.inject(sync('Bearer new-token'))).statusCode, 401);
  t.equal((await app.inject(sync('Bearer new-tokeN'))).statusCode, 200);
});

t.test('a token rotated like a Kubernetes Secret volume (symlink swap) is picked up', async (t) => {
  // The kubelet's layout: token -> ..data/token, ..data -> ..<timestamp>/; an update writes a new
  // timestamped directory and renames a new ..data symlink over the old one.
  const dir = t.testdir();
  mkdirSync(join(dir, '..2026_11_24_10_00_00.1'));
  writeFileSync(join(dir, '..2026_11_24_10_00_00.1', 'token'), 'first');
  symlinkSync('..2026_11_24_10_00_00.1', join(dir, '..data'));
  symlinkSync('..data/token', join(dir, 'token'));
  const app = appWith(new FakeS3().factory(), { token: FileToken.open(join(dir, 'token')) });
  t.equal((await app.inject(sync('Bearer first'))).statusCode, 200);

  mkdirSync(join(dir, '..2026_11_24_11_00_00.2'));
  writeFileSync(join(dir, '..2026_11_24_11_00_00.2', 'token'), 'second');
  symlinkSync('..2026_11_24_11_00_00.2', join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  rmSync(join(dir, '..2026_11_24_10_00_00.1'), { recursive: true });

  const results = await Promise.all([...Array(10).keys()].map((i) => app.inject(sync(i % 2 ? 'Bearer first' : 'Bearer second'))));
  t.same(
    results.map((r) => r.statusCode),
    [...Array(10).keys()].map((i) => (i % 2 ? 401 : 200)),
    'concurrent requests all see the new token',
  );
});

t.test('a token file that breaks later: the last good token stays, with one warning per problem', async (t) => {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  const path = tokenFile(t.testdir(), 'good-token');
  const app = appWith(new FakeS3().factory(), { token: FileToken.open(path) }, logger);
  const warnings = () => lines.map((l) => JSON.parse(l) as { level: number; msg: string; problem?: string }).filter((l) => l.level === 40);

  rmSync(path);
  t.equal((await app.inject(sync('Bearer good-token'))).statusCode, 200, 'never falls open, never locks Metacontroller out');
  t.equal((await app.inject(sync('Bearer other'))).statusCode, 401);
  t.equal((await app.inject(sync('Bearer good-token'))).statusCode, 200);
  t.equal(warnings().length, 1, 'one warning, not one per request');
  t.match(warnings()[0], { msg: 'cannot re-read HOOK_TOKEN_FILE; keeping the last good token', problem: /^ENOENT/ });

  writeFileSync(path, '  \n');
  t.equal((await app.inject(sync('Bearer good-token'))).statusCode, 200, 'an empty file is not a token');
  t.equal((await app.inject(sync(''))).statusCode, 401);
  t.equal(warnings().length, 2);
  t.match(warnings()[1], { problem: 'the file is empty' });

  writeFileSync(path, 'next-token');
  t.equal((await app.inject(sync('Bearer next-token'))).statusCode, 200, 'a repaired file is used again');
  t.equal((await app.inject(sync('Bearer good-token'))).statusCode, 401);
  t.ok(lines.some((l) => l.includes('hook token file readable again')));
});

t.test('an unreadable or empty token file stops the start with a plain message', async (t) => {
  const dir = t.testdir();
  const missing = join(dir, 'nope');
  t.throws(
    () => FileToken.open(missing),
    new ConfigError([
      `HOOK_TOKEN_FILE="${missing}" cannot be read (ENOENT: no such file or directory, open '${missing}'): mount the Secret with the token there, or unset HOOK_TOKEN_FILE`,
    ]),
  );
  const empty = tokenFile(dir, ' \n\t', 'empty');
  t.throws(
    () => FileToken.open(empty),
    new ConfigError([`HOOK_TOKEN_FILE="${empty}": the file is empty: put a random token in the Secret, e.g. $(openssl rand -hex 32)`]),
  );
  const twoWords = tokenFile(dir, 'abc def\n', 'two-words');
  t.throws(() => FileToken.open(twoWords), /the token contains whitespace; a bearer token is a single word/, 'a token no header could carry');
  t.throws(() => FileToken.open(dir), /cannot be read \(EISDIR/);
});

t.test('token comparison and header parsing', async (t) => {
  const digest = await FileToken.open(tokenFile(t.testdir(), 'abc')).digest(createLogger('silent'));
  t.equal(digest.length, 32, 'only the SHA-256 digest is kept');
  t.ok(tokenMatches('abc', digest));
  t.notOk(tokenMatches('abcd', digest), 'a longer token does not throw, it just fails');
  t.notOk(tokenMatches('', digest));
  t.equal(bearerToken('Bearer abc'), 'abc');
  t.equal(bearerToken('BEARER  abc '), 'abc');
  t.equal(bearerToken('Bearer a b'), undefined);
  t.equal(bearerToken('Basic abc'), undefined);
  t.equal(bearerToken(undefined), undefined);
});

t.test('tokens never reach the logs, even at trace level', async (t) => {
  const lines: string[] = [];
  const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
  const app = appWith(new FakeS3().factory(), { token: FileToken.open(tokenFile(t.testdir(), 'secret-xyz')) }, logger);
  t.equal((await app.inject(sync('Bearer secret-xyz'))).statusCode, 200);
  t.equal((await app.inject(sync('Bearer secret-xyz-wrong'))).statusCode, 401);
  t.equal((await app.inject(sync('Bearer secret-xyz', '/nowhere'))).statusCode, 404);
  // Whatever logs a header set, a credentials object or the environment later is censored too.
  logger.info({ req: { headers: { authorization: 'Bearer secret-xyz' } } }, 'headers');
  logger.info({ headers: { authorization: 'Bearer secret-xyz' } }, 'bare headers');
  logger.info({ credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret-xyz' } }, 'sdk credentials');
  logger.info({ env: { AWS_SECRET_ACCESS_KEY: 'secret-xyz', AWS_SESSION_TOKEN: 'secret-xyz' } }, 'environment');
  logger.info({ token: 'secret-xyz' }, 'a token field');

  t.ok(lines.length >= 8, `${lines.length} lines logged`);
  t.ok(
    lines.some((l) => l.includes('HOOK_UNAUTHORIZED') && l.includes('request refused')),
    'the refused request is logged',
  );
  t.same(
    lines.filter((l) => l.includes('secret-xyz')),
    [],
    'no line carries the token',
  );
  t.equal(lines.filter((l) => l.includes('[redacted]')).length, 5, 'the explicit ones are censored, not dropped');
});
