// The STS sessions of sdk-sts.ts against a stand-in STS on loopback (real HTTP, the real SDK client):
// one AssumeRole per session while its credentials are fresh, shared by concurrent callers, renewed
// before expiry; a trust policy that refuses session tags costs one untagged retry, once per session (one
// namespace's refusal leaves the others tagged), reported with what STS said; the cache stays bounded;
// refusals become S3Errors of operation AssumeRole, classified by HTTP status as RGW's bodiless ones must
// be; every request is counted; and the S3 ports of a role sign with its credentials.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { S3Error, type RoleSession } from '../../src/s3/port.js';
import { createSdkPortFactory } from '../../src/s3/sdk-adapter.js';
import { MAX_SESSIONS, RoleSessions, type TagRefusal } from '../../src/s3/sdk-sts.js';

const hook = { accessKeyId: 'AKIDHOOK', secretAccessKey: 'hook-secret' };
const session: RoleSession = {
  roleArn: 'arn:aws:iam::111122223333:role/team-a',
  sessionName: 'bucket-hook.team-a',
  tags: [{ key: 'kubernetes-namespace', value: 'team-a' }],
};

interface Seen {
  form: URLSearchParams;
  authorization: string;
  url: string;
}

/** A stand-in STS (and S3: any non-POST answers 200) whose AssumeRole answer `answer` decides. */
async function standIn(t: Test, answer: (form: URLSearchParams, n: number) => { status: number; expiresInMs?: number; body?: string }) {
  const seen: Seen[] = [];
  let n = 0;
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      seen.push({ form, authorization: req.headers.authorization ?? '', url: req.url ?? '' });
      if (req.method !== 'POST') return void res.writeHead(200, { 'content-length': '0' }).end();
      const { status, expiresInMs = 3_600_000, body: refusal } = answer(form, ++n);
      if (status !== 200 && refusal) return void res.writeHead(status, { 'content-type': 'text/xml' }).end(refusal);
      if (status !== 200) return void res.writeHead(status, { 'content-length': '0' }).end();
      const expiration = new Date(Date.now() + expiresInMs).toISOString();
      const xml = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIATEMP${n}</AccessKeyId><SecretAccessKey>temp-secret-${n}</SecretAccessKey><SessionToken>token-${n}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>x</Arn><AssumedRoleId>y</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`;
      res.writeHead(200, { 'content-type': 'text/xml' }).end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const assumes = () => seen.filter((s) => s.form.get('Action') === 'AssumeRole');
  return { endpoint, seen, assumes };
}

function sessionsFor(t: Test, endpoint: string, extra: { now?: () => number; onTagsRefused?: (refusal: TagRefusal) => void; maxSessions?: number } = {}) {
  const results: string[] = [];
  const sessions = new RoleSessions({ region: 'us-east-1', endpoint, credentials: hook, maxAttempts: 1, onRequest: (r) => results.push(r), ...extra });
  t.teardown(() => sessions.destroy());
  return { sessions, results };
}

t.test('one AssumeRole per session while fresh, shared by concurrent callers; the request names the role, session, length and tag', async (t) => {
  const sts = await standIn(t, () => ({ status: 200 }));
  const { sessions, results } = sessionsFor(t, sts.endpoint);
  const [a, b] = await Promise.all([sessions.credentials(session), sessions.credentials(session)]);
  const c = await sessions.credentials(session);
  t.equal(a.accessKeyId, 'ASIATEMP1');
  t.same([b.accessKeyId, c.accessKeyId], ['ASIATEMP1', 'ASIATEMP1']);
  t.equal(sts.assumes().length, 1);
  const form = sts.assumes()[0]!.form;
  t.same(
    [form.get('RoleArn'), form.get('RoleSessionName'), form.get('DurationSeconds'), form.get('Tags.member.1.Key'), form.get('Tags.member.1.Value')],
    [session.roleArn, 'bucket-hook.team-a', '3600', 'kubernetes-namespace', 'team-a'],
  );
  t.match(sts.assumes()[0]!.authorization, /Credential=AKIDHOOK\//, "signed with the hook's own identity");
  t.same(results, ['200']);
  await sessions.credentials({ ...session, sessionName: 'bucket-hook.team-b', tags: [] });
  t.equal(sts.assumes().length, 2, 'another namespace: another session');
  t.equal(sessions.size, 2);
});

t.test('renewed before expiry: 5 minutes early for an hour, a quarter of the lifetime for short sessions', async (t) => {
  const sts = await standIn(t, () => ({ status: 200, expiresInMs: 3_600_000 }));
  let now = Date.now();
  const { sessions } = sessionsFor(t, sts.endpoint, { now: () => now });
  await sessions.credentials(session);
  now += 54 * 60_000;
  await sessions.credentials(session);
  t.equal(sts.assumes().length, 1, 'still fresh 6 minutes before expiry');
  now += 2 * 60_000;
  t.equal((await sessions.credentials(session)).accessKeyId, 'ASIATEMP2', 'renewed 4 minutes before expiry');
});

/** AWS STS's answer to a tag its trust policy does not allow: a 403 with the code and a message naming what is missing. */
const TAG_REFUSAL = (value: string) =>
  `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::111122223333:assumed-role/bucket-hook/i-1 is not authorized to perform: sts:TagSession on resource: arn:aws:iam::111122223333:role/team-a (kubernetes-namespace=${value})</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;
const sessionOf = (namespace: string): RoleSession => ({
  roleArn: session.roleArn,
  sessionName: `bucket-hook.${namespace}`,
  tags: [{ key: 'kubernetes-namespace', value: namespace }],
});

t.test(
  "one namespace's refused tag: one untagged retry for that session only; the role's other namespaces keep their tag; STS's answer reported as it was",
  async (t) => {
    // The trust policy allows sts:TagSession for kubernetes-namespace=team-a only.
    const sts = await standIn(t, (form) => {
      const value = form.get('Tags.member.1.Value');
      return value !== null && value !== 'team-a' ? { status: 403, body: TAG_REFUSAL(value) } : { status: 200 };
    });
    let now = Date.now();
    const refused: TagRefusal[] = [];
    const { sessions, results } = sessionsFor(t, sts.endpoint, { now: () => now, onTagsRefused: (r) => refused.push(r) });
    t.equal((await sessions.credentials(sessionOf('evil'))).accessKeyId, 'ASIATEMP2', "evil's session: refused with the tag, then untagged");
    t.same(results, ['AccessDenied', '200']);
    t.same(refused, [
      {
        roleArn: session.roleArn,
        sessionName: 'bucket-hook.evil',
        tags: ['kubernetes-namespace=evil'],
        code: 'AccessDenied',
        httpStatus: 403,
        message:
          'User: arn:aws:sts::111122223333:assumed-role/bucket-hook/i-1 is not authorized to perform: sts:TagSession on resource: arn:aws:iam::111122223333:role/team-a (kubernetes-namespace=evil)',
      },
    ]);
    await sessions.credentials(sessionOf('team-a'));
    t.same(
      [sts.assumes().at(-1)!.form.get('Tags.member.1.Key'), sts.assumes().at(-1)!.form.get('Tags.member.1.Value')],
      ['kubernetes-namespace', 'team-a'],
      "team-a's session of the same role keeps its tag",
    );
    t.same(results, ['AccessDenied', '200', '200'], 'at once, without a refusal first');
    // An hour later both are renewed: evil's untagged at once (remembered), team-a's tagged as ever.
    now += 3_600_000;
    await sessions.credentials(sessionOf('evil'));
    t.equal(sts.assumes().at(-1)!.form.get('Tags.member.1.Key'), null, "evil's renewal goes untagged, no second refusal");
    await sessions.credentials(sessionOf('team-a'));
    t.equal(sts.assumes().at(-1)!.form.get('Tags.member.1.Value'), 'team-a', "team-a's renewal is tagged");
    t.same(results, ['AccessDenied', '200', '200', '200', '200']);
    t.equal(refused.length, 1);
  },
);

t.test('a role that refuses every tag (RGW-style bodiless 403): each session retries untagged once, and the report has no invented message', async (t) => {
  const sts = await standIn(t, (form) => ({ status: form.get('Tags.member.1.Key') ? 403 : 200 }));
  const refused: TagRefusal[] = [];
  const { sessions, results } = sessionsFor(t, sts.endpoint, { onTagsRefused: (r) => refused.push(r) });
  await sessions.credentials(session);
  await sessions.credentials(sessionOf('team-b'));
  t.same(results, ['Forbidden', '200', 'Forbidden', '200'], 'per session, not per role');
  t.same(
    refused.map((r) => [r.sessionName, r.code, r.httpStatus, r.message]),
    [
      ['bucket-hook.team-a', 'Forbidden', 403, ''],
      ['bucket-hook.team-b', 'Forbidden', 403, ''],
    ],
  );
});

t.test('the session cache and the remembered refusals stay bounded over 6,000 namespaces', async (t) => {
  // Every tenth namespace's tag is refused: 600 refusals to remember, beyond the bound too.
  const sts = await standIn(t, (form) => ({ status: form.get('RoleSessionName')?.endsWith('0') && form.get('Tags.member.1.Key') ? 403 : 200 }));
  const { sessions } = sessionsFor(t, sts.endpoint, { maxSessions: 100 });
  for (let batch = 0; batch < 6000; batch += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, i) => sessions.credentials(sessionOf(`ns-${batch + i}`))));
    t.ok(sessions.size <= 100, `after ${batch + 50} namespaces: ${sessions.size} sessions`, { diagnostic: false });
  }
  t.equal(sessions.size, 100, 'the 100 most recently used');
  t.equal(sessions.taglessSize, 100);
  t.equal(MAX_SESSIONS, 1000, 'the default bound');
  // The most recent is still cached; the first was dropped and is assumed again.
  const before = sts.assumes().length;
  await sessions.credentials(sessionOf('ns-5999'));
  t.equal(sts.assumes().length, before, 'recent: cached');
  await sessions.credentials(sessionOf('ns-1'));
  t.equal(sts.assumes().length, before + 1, 'dropped: assumed again');
  t.equal(sessions.size, 100);
});

t.test('refusals are S3Errors of AssumeRole naming the role, kinds by HTTP status (a missing role is access-denied); not cached', async (t) => {
  const statuses = [403, 403, 404, 404, 400, 503];
  const sts = await standIn(t, (_form, n) => ({ status: statuses[n - 1] ?? 200 }));
  const { sessions } = sessionsFor(t, sts.endpoint);
  const fail = async () =>
    sessions.credentials(session).then(
      () => undefined,
      (err: unknown) => err as S3Error,
    );
  const kinds = [];
  for (let i = 0; i < 4; i++) {
    const err = await fail();
    t.ok(err instanceof S3Error);
    kinds.push([err!.operation, err!.code, err!.kind, err!.httpStatus, err!.identity]);
  }
  t.same(kinds, [
    ['AssumeRole', 'Forbidden', 'access-denied', 403, session.roleArn],
    ['AssumeRole', 'NotFound', 'access-denied', 404, session.roleArn],
    ['AssumeRole', 'BadRequest', 'invalid', 400, session.roleArn],
    ['AssumeRole', 'ServiceUnavailable', 'throttled', 503, session.roleArn],
  ]);
  t.match(
    await fail().then(
      () => 'ok',
      () => 'failed',
    ),
    'ok',
    'the next call after a refusal asks again, and works',
  );
});

t.test("a role's S3 port signs with the session's credentials, the hook's own with its keys; errors name the role", async (t) => {
  const sts = await standIn(t, () => ({ status: 200 }));
  const s3 = await standIn(t, () => ({ status: 200 }));
  const factory = createSdkPortFactory({
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: hook,
    maxAttempts: 1,
    sts: { region: 'us-east-1', endpoint: sts.endpoint, credentials: hook },
  });
  t.teardown(() => factory.destroy());
  await factory('us-east-1', session).headBucket('team-a-data');
  await factory('us-east-1').headBucket('team-a-data');
  const heads = s3.seen.filter((s) => s.form.get('Action') !== 'AssumeRole').map((s) => /Credential=([A-Z0-9]+)\//.exec(s.authorization)?.[1]);
  t.same(heads, ['ASIATEMP1', 'AKIDHOOK']);
  t.equal(factory.size, 2, 'one client per (region, session)');
  t.equal(factory('us-east-1', session), factory('us-east-1', { ...session }), 'cached by value');
  const denied = await standIn(t, () => ({ status: 403 }));
  const refusing = createSdkPortFactory({
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: hook,
    maxAttempts: 1,
    sts: { region: 'us-east-1', endpoint: denied.endpoint, credentials: hook },
  });
  t.teardown(() => refusing.destroy());
  const err = await refusing('us-east-1', { ...session, tags: [] })
    .headBucket('team-a-data')
    .then(
      () => undefined,
      (e: unknown) => e as S3Error,
    );
  t.same(
    [err?.operation, err?.kind, err?.identity],
    ['AssumeRole', 'access-denied', session.roleArn],
    'a refused AssumeRole surfaces from the S3 call as itself',
  );
});
