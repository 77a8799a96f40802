// Every recorded body in hooks/ replayed through the HTTP edge (over the fake S3), with its expected
// outcome. A new file without an expectation fails this test.
import { readdir, readFile } from 'node:fs/promises';
import t, { type Test } from 'tap';
import { buildApp } from '../../src/http/app.js';
import { ClaimKey } from '../../src/reconciler/rules/claim-proof.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { testDeps } from '../support/deps.js';
import { FakeS3, type FakeCreateTags } from '../support/fake-s3.js';
import { testApp } from '../support/app.js';
import { FULL_SPEC, NAMES } from '../support/hook-bodies.js';

const dir = new URL('../../hooks/', import.meta.url);
const UID_A = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const OURS_A = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID_A };

interface Body {
  parent: { status?: unknown };
  finalizing: boolean;
}
interface Expectation {
  /** What the store does with tags sent at create (default: keeps them, as AWS). */
  store?: FakeCreateTags;
  /** The hook's clock for this replay (default: long after the recording, so a full check is due). */
  now?: string;
  seed: (fake: FakeS3) => void;
  check: (t: Test, res: HookResponse, fake: FakeS3, body: Body) => void;
}

const reason = (res: HookResponse, type: string) => res.status.conditions?.find((c) => c.type === type)?.reason;

const expectations: Record<string, Expectation> = {
  'sync-create.json': {
    seed: () => {},
    check: (t, res, fake) => {
      const b = fake.buckets.get(NAMES.artifacts);
      t.same(b?.tags, { team: 'a', ...OURS_A, 'services.k8s.aws/origin': 'created' });
      t.equal(fake.versioningOf(NAMES.artifacts), 'Enabled');
      t.equal(reason(res, 'Ready'), 'Available');
      t.equal(res.resyncAfterSeconds, 600);
    },
  },
  'sync-create-reserved.json': {
    store: 'ignored',
    seed: () => {},
    check: (t, res, fake, body) => {
      t.equal(
        (body.parent.status as { conditions?: Array<{ type: string; reason: string }> }).conditions?.find((c) => c.type === 'Ready')?.reason,
        'Creating',
        'recorded after the reservation',
      );
      t.same(fake.writes(), ['CreateBucket', 'PutBucketTagging', 'PutBucketVersioning'], "created, then tagged: the store dropped the create's tags");
      t.equal(fake.buckets.get(NAMES.artifacts)?.tags['services.k8s.aws/uid'], UID_A);
      t.equal(fake.buckets.get(NAMES.artifacts)?.tags['services.k8s.aws/origin'], 'created');
      t.equal(reason(res, 'Ready'), 'Available');
      t.same(res.status.claim, (body.parent.status as { claim?: unknown }).claim, 'the claim recorded with the demo key verifies, and goes on');
    },
  },
  'sync-resync.json': {
    // Replayed within the drift-check interval of its recording: Metacontroller's echo of our status.
    now: '2026-11-24T09:03:00Z',
    seed: (fake) => fake.seed(NAMES.artifacts, { tags: { team: 'a', ...OURS_A }, versioning: 'Enabled' }),
    check: (t, res, fake, body) => {
      t.same(fake.calls, [], 'no S3 call');
      t.strictSame(res.status, body.parent.status, 'the status it received, deep-equal');
    },
  },
  'sync-update.json': {
    seed: (fake) => fake.seed(NAMES.artifacts, { tags: { team: 'a', ...OURS_A }, versioning: 'Enabled' }),
    check: (t, res, fake) => {
      t.same(fake.writes(), ['PutBucketTagging', 'PutBucketVersioning']);
      t.equal(fake.versioningOf(NAMES.artifacts), 'Suspended');
      t.equal(res.status.observedGeneration, 2);
    },
  },
  'finalize-retain.json': {
    seed: (fake) => fake.seed(NAMES.artifacts, { tags: { team: 'a', env: 'prod', ...OURS_A } }),
    check: (t, res, fake) => {
      t.equal(res.finalized, true);
      t.same(fake.writes(), ['PutBucketTagging'], 'released: the ownership tags removed');
      t.same(fake.buckets.get(NAMES.artifacts)?.tags, { team: 'a', env: 'prod' }, "kept, with the user's tags only");
    },
  },
  'finalize-delete.json': {
    seed: (fake) => fake.seed(NAMES.artifacts, { tags: OURS_A }),
    check: (t, res, fake) => {
      t.equal(res.finalized, true);
      t.notOk(fake.buckets.has(NAMES.artifacts));
    },
  },
  'sync-name-taken.json': {
    seed: (fake) => fake.seed(NAMES.taken, { owner: 'another-account' }),
    check: (t, res, fake) => {
      t.equal(reason(res, 'ACK.Terminal'), 'NameTaken');
      t.same(fake.writes(), []);
      t.equal(res.resyncAfterSeconds, undefined);
    },
  },
  'sync-invalid-name.json': {
    seed: () => {},
    check: (t, res, fake) => {
      t.equal(reason(res, 'ACK.Terminal'), 'InvalidSpec');
      t.same(fake.calls, []);
    },
  },
  'sync-adopt.json': {
    seed: (fake) => fake.seed(NAMES.adopted, { tags: { owner: 'ops' }, versioning: 'Enabled' }),
    check: (t, res, fake) => {
      t.equal(reason(res, 'Ready'), 'Available');
      t.equal(fake.buckets.get(NAMES.adopted)?.tags['services.k8s.aws/namespace'], 'team-c');
      t.equal(fake.buckets.get(NAMES.adopted)?.tags.owner, 'ops', 'unmanaged tags kept');
      t.equal(fake.buckets.get(NAMES.adopted)?.tags['services.k8s.aws/origin'], 'adopted');
      t.same(fake.writes(), ['PutBucketTagging']);
    },
  },
  'sync-full-spec.json': {
    seed: () => {},
    check: (t, res, fake) => {
      t.equal(reason(res, 'ACK.ResourceSynced'), 'Synced');
      t.same(
        fake.writes(),
        [
          'CreateBucket',
          'PutPublicAccessBlock',
          'PutBucketPolicy',
          'PutBucketVersioning',
          'PutBucketLifecycleConfiguration',
          'PutBucketCors',
          'PutBucketWebsite',
        ],
        "tags went with CreateBucket; the rest in S3's order",
      );
      t.same(Object.keys(fake.buckets.get(NAMES.site)?.configs ?? {}).sort(), ['cors', 'lifecycle', 'policy', 'publicAccessBlock', 'versioning', 'website']);
    },
  },
  'sync-remove-settings.json': {
    seed: (fake) => {
      const b = fake.seed(NAMES.site, {
        tags: {
          team: 'd',
          'services.k8s.aws/namespace': 'team-d',
          'services.k8s.aws/name': 'site',
          'services.k8s.aws/uid': '6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e',
        },
      });
      b.configs = { policy: FULL_SPEC.policy, cors: FULL_SPEC.cors, website: FULL_SPEC.website };
    },
    check: (t, res, fake) => {
      t.equal(reason(res, 'ACK.ResourceSynced'), 'Synced');
      t.same(fake.writes(), ['PutBucketTagging', 'DeleteBucketPolicy', 'DeleteBucketCors', 'DeleteBucketWebsite'], 'lifecycle was not set: no Delete for it');
      t.same(fake.buckets.get(NAMES.site)?.configs, {});
      t.same(
        Object.keys(fake.buckets.get(NAMES.site)?.tags ?? {}).sort(),
        ['services.k8s.aws/name', 'services.k8s.aws/namespace', 'services.k8s.aws/uid'],
        'only ownership tags remain',
      );
    },
  },
  'sync-read-only.json': {
    seed: (fake) => fake.seed(NAMES.readOnly, { tags: { team: 'audit' } }),
    check: (t, res, fake) => {
      t.same(fake.writes(), []);
      t.equal(reason(res, 'ACK.ResourceSynced'), 'Synced');
      t.equal(res.status.ackResourceMetadata?.arn, undefined, 'observed, not owned: no ARN (see sync.ts)');
    },
  },
};

const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
t.same(files, Object.keys(expectations).sort(), 'every hooks/ body has an expectation, and every expectation a body');

for (const file of files) {
  t.test(file, async (t) => {
    const body = JSON.parse(await readFile(new URL(file, dir), 'utf8')) as Body;
    const expectation = expectations[file];
    if (!expectation) return t.fail(`no expectation for ${file}`);
    // hooks/ is recorded in us-east-1 (test/support/record-hooks.ts).
    const fake = new FakeS3('me', expectation.store);
    fake.seedRegion = 'us-east-1';
    expectation.seed(fake);
    const app = testApp(fake.factory(), { now: new Date(expectation.now ?? '2026-11-24T13:00:00Z'), region: 'us-east-1' });
    const res = await app.inject({ method: 'POST', url: body.finalizing ? '/finalize' : '/sync', payload: body });
    t.equal(res.statusCode, 200);
    const answer = res.json<HookResponse>();
    t.equal('finalized' in answer, body.finalizing, 'finalized appears exactly when finalizing');
    expectation.check(t, answer, fake, body);
  });
}

t.test('sync-create-reserved.json on a hook with another claim key: its claim does not count, the name is claimed again', async (t) => {
  const body = JSON.parse(await readFile(new URL('sync-create-reserved.json', dir), 'utf8')) as Body;
  const fake = new FakeS3('me', 'ignored');
  const { log: _log, clock: _clock, ...deps } = testDeps(fake.factory(), { now: new Date('2026-11-24T13:00:00Z') });
  const app = buildApp({ deps: { ...deps, defaults: { ...deps.defaults, region: 'us-east-1' }, claimKey: ClaimKey.random() }, logger: false });
  const res = await app.inject({ method: 'POST', url: '/sync', payload: body });
  const answer = res.json<HookResponse>();
  t.equal(reason(answer, 'Ready'), 'Creating');
  t.same(fake.writes(), [], 'nothing created on the strength of a claim this hook did not sign');
  t.not(answer.status.claim?.proof, (body.parent.status as { claim?: { proof?: string } }).claim?.proof, 'a claim of its own');
});
