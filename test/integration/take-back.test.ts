// Taking buckets back after a restore or a cluster move, against Ceph RGW through the real HTTP edge and
// SDK adapter. The first cluster's hook creates the bucket; the cluster is then gone without finalizing,
// and a fresh one gets the same manifests: the same namespace and name under a new uid, no status. It
// reads ManagedElsewhere without the annotation and comes back Ready with it, with no setting lost. A
// hook of another cluster sharing the account never takes it, annotation or not.
import { GetBucketLifecycleConfigurationCommand, GetBucketTaggingCommand, GetBucketVersioningCommand } from '@aws-sdk/client-s3';
import t from 'tap';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { rgwHarness, uniqueBucket } from '../support/rgw.js';

const FIRST_UID = '0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f';
const RESTORED_UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const OTHER_UID = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';
const TAKE = { 's3.services.k8s.aws/take-back': 'true' };
const tenancy = { adoptionNamespaces: 'all' as const, takeBackNamespaces: ['team-a'] };

const first = rgwHarness(t, { clusterName: 'prod-eu-1', tenancy });
const restored = rgwHarness(t, { clusterName: 'prod-eu-1', tenancy });
const otherCluster = rgwHarness(t, { clusterName: 'prod-us-1', tenancy });
// The first cluster's hook redeployed without CLUSTER_NAME (a values file that lost it).
const unnamed = rgwHarness(t, { tenancy });
const { mine } = first;
const ready = (r: HookResponse) => r.status.conditions?.find((c) => c.type === 'Ready');

t.test('a restored cluster: ManagedElsewhere, then taken back with the annotation, every setting kept; another cluster never takes it', async (t) => {
  const name = uniqueBucket('takeback');
  first.track(name);
  const lifecycle = { rules: [{ id: 'expire-scratch', status: 'Enabled', filter: { prefix: 'scratch/' }, expiration: { days: 3 } }] };
  const spec = { name, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] }, lifecycle };
  const created = await first.post({ uid: FIRST_UID, spec });
  t.equal(ready(created)?.reason, 'Available');
  const tagsOf = async () =>
    Object.fromEntries(
      ((await mine.send(new GetBucketTaggingCommand({ Bucket: name }))).TagSet ?? []).map((x): [string, string] => [x.Key ?? '', x.Value ?? '']),
    );
  t.equal((await tagsOf())['services.k8s.aws/cluster'], 'prod-eu-1', 'the cluster in the ownership tags');

  // The first control plane is gone without finalizing; the restored one applies the same manifest.
  restored.counter.reset();
  const elsewhere = await restored.post({ uid: RESTORED_UID, spec });
  t.equal(ready(elsewhere)?.reason, 'ManagedElsewhere');
  t.match(ready(elsewhere)?.message, /annotate it s3\.services\.k8s\.aws\/take-back=true/);
  t.same(restored.counter.writes(), []);

  // kubectl annotate bucket artifacts s3.services.k8s.aws/take-back=true
  const back = await restored.post({ uid: RESTORED_UID, spec, annotations: TAKE });
  t.equal(ready(back)?.reason, 'Available');
  t.same(restored.counter.writes(), ['PutBucketTagging'], 'only the ownership tags change');
  t.same(await tagsOf(), {
    team: 'a',
    'services.k8s.aws/namespace': 'team-a',
    'services.k8s.aws/name': 'artifacts',
    'services.k8s.aws/uid': RESTORED_UID,
    'services.k8s.aws/cluster': 'prod-eu-1',
    'services.k8s.aws/origin': 'created',
  });
  t.equal((await mine.send(new GetBucketVersioningCommand({ Bucket: name }))).Status, 'Enabled');
  t.same(
    ((await mine.send(new GetBucketLifecycleConfigurationCommand({ Bucket: name }))).Rules ?? []).map((r) => r.ID),
    ['expire-scratch'],
  );

  // Another cluster sharing the account, with the same namespace and name and the annotation: never taken.
  otherCluster.counter.reset();
  const never = await otherCluster.post({ uid: OTHER_UID, spec, annotations: TAKE });
  t.equal(ready(never)?.reason, 'ManagedElsewhere');
  t.match(ready(never)?.message, /managed by another Bucket resource in cluster "prod-eu-1".*belongs to another cluster, which is never taken from/);
  t.same(otherCluster.counter.writes(), []);
  t.equal((await tagsOf())['services.k8s.aws/uid'], RESTORED_UID);
});

t.test('the same hook redeployed without CLUSTER_NAME: the bucket stays its Bucket, its cluster tag kept through a tag change', async (t) => {
  const name = uniqueBucket('unnamed');
  first.track(name);
  const spec = { name, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };
  const created = await first.post({ uid: FIRST_UID, spec });
  t.equal(ready(created)?.reason, 'Available');
  unnamed.counter.reset();
  const quiet = await unnamed.post({ uid: FIRST_UID, spec, status: created.status });
  t.equal(ready(quiet)?.reason, 'Available');
  t.same(unnamed.counter.writes(), [], 'nothing to write: the cluster tag is not drift');
  const retagged = await unnamed.post({ uid: FIRST_UID, spec: { ...spec, tagging: { tagSet: [{ key: 'team', value: 'b' }] } }, status: created.status });
  t.equal(ready(retagged)?.reason, 'Available');
  t.same(unnamed.counter.writes(), ['PutBucketTagging']);
  const tags = Object.fromEntries(
    ((await mine.send(new GetBucketTaggingCommand({ Bucket: name }))).TagSet ?? []).map((x): [string, string] => [x.Key ?? '', x.Value ?? '']),
  );
  t.same(tags, {
    team: 'b',
    'services.k8s.aws/namespace': 'team-a',
    'services.k8s.aws/name': 'artifacts',
    'services.k8s.aws/uid': FIRST_UID,
    'services.k8s.aws/cluster': 'prod-eu-1',
    'services.k8s.aws/origin': 'created',
  });
});
