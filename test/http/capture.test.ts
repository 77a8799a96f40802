// CAPTURE_DIR through the app: valid sync and finalize bodies land on disk (never headers), dry runs and
// refused requests do not, and a captured file replays to the same answer.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { testApp } from '../support/app.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const NOW = new Date('2026-11-24T10:00:00Z');
const SPEC = { name: 'team-a-artifacts-7f3c', versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };
const deleting = { deletionTimestamp: '2026-11-24T12:00:00Z' };
const capture = (dir: string) => ({ dir, maxFiles: 500, maxBytes: 50 * 1024 * 1024 });

t.test('sync and finalize bodies are captured; dry runs, refusals and headers are not', async (t) => {
  const dir = t.testdir();
  const app = testApp(new FakeS3().factory(), { capture: capture(dir), now: NOW });
  const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload, headers: { authorization: 'Bearer s3cr3t-t0ken', ...headers } });
  t.equal((await post('/sync', envelope(bucketResource({ spec: SPEC, generation: 2 })))).statusCode, 200);
  t.equal((await post('/finalize', envelope(bucketResource({ spec: SPEC, generation: 3, ...deleting }), true))).statusCode, 200);
  await post('/sync?dryRun=true', envelope(bucketResource({ spec: SPEC, generation: 9 })));
  await post('/sync', envelope({ ...bucketResource({ generation: 8 }), apiVersion: 'v1', kind: 'Pod' }));
  await post('/sync', { finalizing: false });
  await app.close(); // waits for queued writes
  const files = (await readdir(dir)).sort();
  t.equal(files.length, 2);
  t.match(files[0], /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-team-a-artifacts-2-sync\.json$/);
  t.match(files[1], /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-team-a-artifacts-3-finalize\.json$/);
  for (const f of files) t.notMatch(await readFile(join(dir, f), 'utf8'), /s3cr3t-t0ken/, 'no Authorization header');
});

t.test('a captured body replays to the same answer', async (t) => {
  const dir = t.testdir();
  const seed = (fake: FakeS3) => fake.seed('team-a-artifacts-7f3c', { tags: { team: 'z' }, versioning: 'Suspended' });
  const original = new FakeS3();
  seed(original);
  const app = testApp(original.factory(), { capture: capture(dir), now: NOW });
  const body = envelope(bucketResource({ spec: SPEC, annotations: { 'services.k8s.aws/adoption-policy': 'adopt', 'example.com/webhook-token': 'abc' } }));
  const first = await app.inject({ method: 'POST', url: '/sync', payload: body });
  await app.close();
  const [file] = await readdir(dir);
  const captured = await readFile(join(dir, file!), 'utf8');
  t.notMatch(captured, /"abc"/, 'the token is not on disk');

  const again = new FakeS3();
  seed(again);
  const replayed = await testApp(again.factory(), { now: NOW }).inject({
    method: 'POST',
    url: '/sync',
    headers: { 'content-type': 'application/json' },
    payload: captured,
  });
  t.equal(replayed.statusCode, 200);
  t.strictSame(replayed.json(), first.json(), 'the same answer');
  t.same(again.writes(), original.writes(), 'the same writes');
  t.same(again.buckets.get('team-a-artifacts-7f3c'), original.buckets.get('team-a-artifacts-7f3c'), 'the same result in S3');
});
