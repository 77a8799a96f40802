// Day-2 operations against Ceph RGW through the real HTTP edge and SDK adapter, as docs/operations.md
// tells a user to run them: pausing a Bucket (no S3 call at all, a deletion that waits), ignoring drift on
// chosen fields (ACK's annotation: written at create, then not read, not written), and the tags other
// tools own (FOREIGN_TAG_PREFIXES). S3 calls are counted by the adapter's request counter.
import {
  GetBucketLifecycleConfigurationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
} from '@aws-sdk/client-s3';
import t from 'tap';
import { buildApp } from '../../src/http/app.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { createSdkPortFactory } from '../../src/s3/sdk-adapter.js';
import { bucketResource, envelope, type BucketInput } from '../support/envelope.js';
import { bucketExists, CallCounter, rgwHarness, settle, uniqueBucket } from '../support/rgw.js';

const { env, mine, counter, post, track } = rgwHarness(t);
const deleting = { deletionTimestamp: '2026-11-24T12:00:00Z', generation: 2 };
const brief = (r: HookResponse) => Object.fromEntries((r.status.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));
const tagsOf = async (bucket: string): Promise<Record<string, string>> =>
  Object.fromEntries(
    ((await mine.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet ?? []).map((x): [string, string] => [x.Key ?? '', x.Value ?? '']),
  );
const versioningOf = async (bucket: string) => (await mine.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;
const lifecycleIdsOf = async (bucket: string) =>
  ((await mine.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules ?? []).map((r) => r.ID);
/** The ownership tags of a bucket the Bucket created (origin created). */
const OWNER = (uid: string) => ({
  'services.k8s.aws/namespace': 'team-a',
  'services.k8s.aws/name': 'artifacts',
  'services.k8s.aws/uid': uid,
  'services.k8s.aws/origin': 'created',
});
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';

t.test('pause: no S3 call on sync or finalize while paused, drift left alone, the deletion waits; resumed by a full check', async (t) => {
  const name = uniqueBucket('paused');
  track(name);
  const spec = { name, versioning: { status: 'Enabled' } };
  const ready = await post({ spec });
  t.same(brief(ready), { 'ACK.ResourceSynced': 'True/Synced', Ready: 'True/Available' });

  // kubectl annotate bucket artifacts s3.services.k8s.aws/paused=true
  const PAUSED = { 's3.services.k8s.aws/paused': 'true' };
  await mine.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Suspended' } }));
  counter.reset();
  const paused = await post({ spec, annotations: PAUSED, status: ready.status, keepLastCheck: true });
  t.same(counter.calls, [], 'no S3 call');
  t.same(brief(paused), { 'ACK.ResourceSynced': 'False/Paused', Ready: 'True/Available' });
  t.equal(paused.status.ackResourceMetadata?.arn, `arn:aws:s3:::${name}`);
  t.equal(await versioningOf(name), 'Suspended', 'the out-of-band change stays while paused');

  const waiting = await post({ spec, annotations: PAUSED, status: paused.status, ...deleting }, true);
  t.equal(waiting.finalized, false, 'kubectl delete waits');
  t.same(counter.calls, [], 'still no S3 call');
  t.equal(brief(waiting).Ready, 'False/Paused');
  t.equal(await bucketExists(mine, name), true);

  // kubectl annotate bucket artifacts s3.services.k8s.aws/paused-
  const resumed = await post({ spec, status: paused.status, keepLastCheck: true });
  t.same(brief(resumed), { 'ACK.ResourceSynced': 'True/Synced', Ready: 'True/Available' });
  t.same(counter.writes(), ['PutBucketVersioning'], 'a full check, which puts the drift back');
  t.equal(await versioningOf(name), 'Enabled');
});

t.test('ignore-field-drift: written at create, then not read and not written; the other fields stay managed', async (t) => {
  const name = uniqueBucket('ignore');
  track(name);
  const annotations = { 'services.k8s.aws/ignore-field-drift': 'spec.tagging,spec.lifecycle' };
  const lifecycle = { rules: [{ id: 'expire-scratch', status: 'Enabled', filter: { prefix: 'scratch/' }, expiration: { days: 3 } }] };
  const spec = { name, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'cost-center', value: '4711' }] }, lifecycle };
  const created = await post({ uid: UID, spec, annotations });
  t.same(brief(created), { 'ACK.ResourceSynced': 'True/Synced', Ready: 'True/Available' });
  t.same(await tagsOf(name), { 'cost-center': '4711', ...OWNER(UID) }, 'the tags are written at create');
  t.same(await lifecycleIdsOf(name), ['expire-scratch'], 'and the lifecycle');

  // Another tool rewrites both; the spec changes both too.
  await mine.send(
    new PutBucketTaggingCommand({
      Bucket: name,
      Tagging: { TagSet: [{ Key: 'cost-center', Value: '0815' }, ...Object.entries(OWNER(UID)).map(([Key, Value]) => ({ Key, Value }))] },
    }),
  );
  await mine.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: name,
      LifecycleConfiguration: { Rules: [{ ID: 'theirs', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 30 } }] },
    }),
  );
  const edited = { ...spec, tagging: { tagSet: [{ key: 'cost-center', value: '9999' }] }, lifecycle: { rules: [] } };
  counter.reset();
  const checked = await post({ uid: UID, spec: edited, generation: 2, annotations, status: created.status });
  t.same(
    [...counter.calls].sort(),
    ['GetBucketTagging', 'GetBucketVersioning'],
    'no lifecycle read; the tags only for ownership (first, in place of HeadBucket: the bucket is claimed)',
  );
  t.same(counter.writes(), []);
  t.same(brief(checked), { 'ACK.ResourceSynced': 'True/Synced', Ready: 'True/Available' });
  t.same(await tagsOf(name), { 'cost-center': '0815', ...OWNER(UID) }, "the other tool's tags stay");
  t.same(await lifecycleIdsOf(name), ['theirs'], "the other tool's lifecycle stays");

  // Versioning is not ignored.
  await mine.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Suspended' } }));
  counter.reset();
  await post({ uid: UID, spec: edited, generation: 2, annotations, status: checked.status });
  t.same(counter.writes(), ['PutBucketVersioning']);

  // Without the annotation (or an entry of it) the spec's values are pushed again.
  counter.reset();
  await post({ uid: UID, spec: edited, generation: 2, status: checked.status });
  t.same(counter.writes().sort(), ['DeleteBucketLifecycle', 'PutBucketTagging']);
  t.same(await tagsOf(name), { 'cost-center': '9999', ...OWNER(UID) });

  // A typo is refused before any S3 call.
  counter.reset();
  const typo = await post({
    uid: UID,
    spec: edited,
    generation: 2,
    annotations: { 'services.k8s.aws/ignore-field-drift': 'spec.tagz' },
    status: checked.status,
  });
  t.equal(brief(typo)['ACK.Terminal'], 'True/InvalidSpec');
  t.same(counter.calls, []);
});

t.test("FOREIGN_TAG_PREFIXES: tags under another tool's prefix are kept by every tag write and never compared", async (t) => {
  const calls = new CallCounter();
  const s3 = createSdkPortFactory({ endpoint: env.endpoint, forcePathStyle: true, credentials: env.hook, onRequest: calls.record });
  const app = buildApp({
    logger: false,
    deps: {
      s3,
      now: () => new Date(),
      defaults: { region: env.region, deletionPolicy: 'delete', foreignTagPrefixes: ['org:', 'cost-center/'] },
      resync: { driftCheckSeconds: 600, backoffMinSeconds: 5, backoffMaxSeconds: 300 },
    },
  });
  t.teardown(async () => {
    await app.close();
    s3.destroy();
  });
  const sync = (input: BucketInput) =>
    settle(async (status) => {
      const res = await app.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource(status ? { ...input, status } : input)) });
      return res.json<HookResponse>();
    }, input.status);
  const name = uniqueBucket('foreign');
  track(name);
  const spec = { name, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };
  const created = await sync({ uid: UID, spec });
  t.equal(brief(created).Ready, 'True/Available');
  // The organisation's tagging tool adds its tags.
  const withOrg = { ...(await tagsOf(name)), 'org:owner': 'finance', 'cost-center/id': '42' };
  await mine.send(new PutBucketTaggingCommand({ Bucket: name, Tagging: { TagSet: Object.entries(withOrg).map(([Key, Value]) => ({ Key, Value })) } }));
  calls.reset();
  await sync({ uid: UID, spec, status: created.status });
  t.same(calls.writes(), [], 'their tags are not drift');
  calls.reset();
  await sync({ uid: UID, spec: { name, tagging: { tagSet: [{ key: 'team', value: 'b' }] } }, generation: 2, status: created.status });
  t.same(calls.writes(), ['PutBucketTagging']);
  t.same(await tagsOf(name), { team: 'b', 'org:owner': 'finance', 'cost-center/id': '42', ...OWNER(UID) }, 'the write carried them');
});
