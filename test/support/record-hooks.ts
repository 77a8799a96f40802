// `npm run hooks:record`: re-records hooks/*.json by running the lifecycle stories through the real app
// (over the fake S3, with a fixed clock so the files are reproducible). Review the diff before committing.
import { mkdir, writeFile } from 'node:fs/promises';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { testApp } from './app.js';
import { sortKeys } from './envelope.js';
import { FakeS3 } from './fake-s3.js';
import { NAMES, recordStories } from './hook-bodies.js';

const dir = new URL('../../hooks/', import.meta.url);
// Recorded in us-east-1: AWS's default and the quick start's RGW (test/rgw/rgw.sh's default region).
const REGION = 'us-east-1';
const fake = new FakeS3();
fake.seedRegion = REGION;
fake.seed(NAMES.taken, { owner: 'another-account' });
fake.seed(NAMES.adopted, { tags: { owner: 'ops' } });
fake.seed(NAMES.readOnly, { tags: { team: 'audit' } });
const app = testApp(fake.factory(), { now: new Date('2026-11-24T09:00:05Z'), region: REGION });
// A second store that drops the tags sent with CreateBucket (as Ceph RGW does), for the reservation story.
const rgwApp = testApp(new FakeS3('me', 'ignored').factory(), { now: new Date('2026-11-24T09:00:05Z'), region: REGION });
const caller =
  (target: typeof app) =>
  async (body: Record<string, unknown>): Promise<HookResponse> => {
    // Sent as it is written to disk (and as Metacontroller's Go encoder would): parent keys sorted.
    const res = await target.inject({ method: 'POST', url: body.finalizing ? '/finalize' : '/sync', payload: { ...body, parent: sortKeys(body.parent) } });
    if (res.statusCode !== 200) throw new Error(`hook answered ${res.statusCode}: ${res.body}`);
    return res.json<HookResponse>();
  };
const recorded = await recordStories(caller(app), caller(rgwApp));
await mkdir(dir, { recursive: true });
for (const r of recorded) {
  const body = { ...r.body, parent: sortKeys(r.body.parent) };
  await writeFile(new URL(r.file, dir), `${JSON.stringify(body, null, 2)}\n`);
}
const index = [
  '# Recorded hook bodies',
  '',
  "Request bodies shaped exactly like Metacontroller's CompositeController calls, one per lifecycle case.",
  'Replay one with `npm run replay -- hooks/FILE.json [--url URL]` (a dry run: the plan, nothing written; add `--apply` to send it for real); re-record with `npm run hooks:record`.',
  '',
  'The claims in their statuses (`status.claim`) are signed with `hooks/demo-claim-key`, a **public demo key**: a hook replaying them runs with',
  "`CLAIM_KEY_FILE=hooks/demo-claim-key` (the README's quick start does). With any other key a claim does not count: the reserved create",
  'answers `Creating` again with a claim of its own, and an untagged bucket is `NotOwned`. Never give this key to a hook in a cluster.',
  '',
  '| file | case |',
  '|---|---|',
  ...recorded.map((r) => `| ${r.file} | ${r.what} |`),
  '',
];
await writeFile(new URL('README.md', dir), index.join('\n'));
console.log(`recorded ${recorded.length} bodies into hooks/`);
