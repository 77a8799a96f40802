// Issue 26 on the real API server, each step the command a user types: a plan read with kubectl's
// jsonpath and approved with kubectl annotate (create and deletion alike), and a bucket taken back after its
// Bucket vanished without being finalized (a restore or a cluster move: the same manifest, a new uid).
import { GetBucketTaggingCommand, GetBucketVersioningCommand, ListBucketsCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import t from 'tap';
import { bucketPath, isReady, kubectlOk, startMetacontroller, waitForObject } from './support/cluster.js';
import type { KubeObject } from './support/kube-client.js';
import { clusterSuite } from './support/suite.js';

const reasons = (o: KubeObject | undefined): string[] =>
  ((o?.status as { conditions?: Array<{ reason?: string }> } | undefined)?.conditions ?? []).map((c) => c.reason ?? '');
const planOf = (o: KubeObject | undefined) => (o?.status as { plan?: { hash: string; writes: Array<{ call: string; field: string }> } } | undefined)?.plan;

t.test('plan, then approve, with kubectl: nothing written until the hash is approved, deletion too', async (t) => {
  const s = await clusterSuite(t);
  const ns = s.namespace('approval');
  const name = s.bucket('approved');
  const listed = async () => ((await s.mine.send(new ListBucketsCommand({}))).Buckets ?? []).some((b) => b.Name === name);
  const manifest = {
    apiVersion: 's3.services.k8s.aws/v1alpha1',
    kind: 'Bucket',
    metadata: { name: 'artifacts', namespace: ns, annotations: { 's3.services.k8s.aws/approval': 'required' } },
    spec: { name, versioning: { status: 'Enabled' } },
  };
  kubectlOk(s.env, ['apply', '-f', '-'], { input: JSON.stringify(manifest) });

  const pending = await waitForObject(
    s.api,
    bucketPath(ns, 'artifacts'),
    (o) => reasons(o).includes('PlanPending') && planOf(o) !== undefined,
    60_000,
    'PlanPending with a plan',
  );
  t.equal(planOf(pending)?.writes[0]?.call, 'CreateBucket', 'the plan starts with the create');
  t.ok(
    planOf(pending)?.writes.some((w) => w.call === 'PutBucketVersioning'),
    'and sets versioning',
  );
  t.notOk(await listed(), 'nothing written before the approval');

  // The README's two commands.
  t.match(kubectlOk(s.env, ['-n', ns, 'get', 'bucket', 'artifacts', '-o', 'jsonpath={.status.plan}']), /CreateBucket/);
  const hash = kubectlOk(s.env, ['-n', ns, 'get', 'bucket', 'artifacts', '-o', 'jsonpath={.status.plan.hash}']).trim();
  t.equal(hash, planOf(pending)?.hash);
  kubectlOk(s.env, ['-n', ns, 'annotate', '--overwrite', 'bucket', 'artifacts', `s3.services.k8s.aws/approved-plan=${hash}`]);
  await waitForObject(s.api, bucketPath(ns, 'artifacts'), isReady, 90_000, 'Ready once approved');
  t.ok(await listed(), 'created once approved');
  t.equal((await s.mine.send(new GetBucketVersioningCommand({ Bucket: name }))).Status, 'Enabled');
  const events = JSON.parse(kubectlOk(s.env, ['-n', ns, 'get', 'events.events.k8s.io', '--field-selector', 'regarding.name=artifacts', '-o', 'json'])) as {
    items: Array<{ reason: string }>;
  };
  t.ok(
    events.items.some((e) => e.reason === 'PlanPending'),
    'a PlanPending event',
  );

  // Deletion waits for its own plan.
  kubectlOk(s.env, ['-n', ns, 'delete', 'bucket', 'artifacts', '--wait=false']);
  const deleting = await waitForObject(
    s.api,
    bucketPath(ns, 'artifacts'),
    (o) => planOf(o)?.writes.some((w) => w.call === 'DeleteBucket') === true,
    60_000,
    'a pending plan with DeleteBucket',
  );
  t.ok(await listed(), 'the bucket stays until the deletion is approved');
  kubectlOk(s.env, ['-n', ns, 'annotate', '--overwrite', 'bucket', 'artifacts', `s3.services.k8s.aws/approved-plan=${planOf(deleting)!.hash}`]);
  await waitForObject(s.api, bucketPath(ns, 'artifacts'), (o) => o === undefined, 90_000, 'the Bucket gone once its deletion is approved');
  t.notOk(await listed(), 'deleted');
});

t.test('take back after a restore: the same manifest under a new uid is ManagedElsewhere, then Ready with take-back, nothing lost', async (t) => {
  const s = await clusterSuite(t, { hookEnv: { TAKE_BACK_NAMESPACES: '*' } });
  const ns = s.namespace('restored');
  const name = s.bucket('restored');
  const manifest = {
    apiVersion: 's3.services.k8s.aws/v1alpha1',
    kind: 'Bucket',
    metadata: { name: 'data', namespace: ns },
    spec: { name, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } },
  };
  kubectlOk(s.env, ['apply', '-f', '-'], { input: JSON.stringify(manifest) });
  const first = await waitForObject(s.api, bucketPath(ns, 'data'), isReady, 90_000, 'Ready');

  // The old cluster goes without finalizing: no Metacontroller, the finalizer removed by hand.
  await s.mc.stop();
  kubectlOk(s.env, ['-n', ns, 'delete', 'bucket', 'data', '--wait=false']);
  kubectlOk(s.env, ['-n', ns, 'patch', 'bucket', 'data', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  await waitForObject(s.api, bucketPath(ns, 'data'), (o) => o === undefined, 30_000, 'the Bucket gone, unfinalized');
  const mc = await startMetacontroller(s.env);
  t.teardown(() => mc.stop());

  kubectlOk(s.env, ['apply', '-f', '-'], { input: JSON.stringify(manifest) });
  const elsewhere = await waitForObject(
    s.api,
    bucketPath(ns, 'data'),
    (o) => reasons(o).includes('ManagedElsewhere'),
    60_000,
    'ManagedElsewhere under the new uid',
  );
  t.not(elsewhere?.metadata.uid, first?.metadata.uid, 'a new uid');
  const tagsOf = async () =>
    Object.fromEntries(((await s.mine.send(new GetBucketTaggingCommand({ Bucket: name }))).TagSet ?? []).map((x) => [x.Key!, x.Value!]));
  t.equal((await tagsOf())['services.k8s.aws/uid'], first?.metadata.uid, 'still tagged for the old uid: nothing taken without the annotation');

  kubectlOk(s.env, ['-n', ns, 'annotate', 'bucket', 'data', 's3.services.k8s.aws/take-back=true']);
  await waitForObject(s.api, bucketPath(ns, 'data'), isReady, 90_000, 'Ready after take-back');
  const tags = await tagsOf();
  t.equal(tags['services.k8s.aws/uid'], elsewhere?.metadata.uid, 'tagged for the new uid');
  t.equal(tags.team, 'a', 'the user tag kept');
  t.equal((await s.mine.send(new GetBucketVersioningCommand({ Bucket: name }))).Status, 'Enabled', 'versioning kept');
  const events = JSON.parse(kubectlOk(s.env, ['-n', ns, 'get', 'events.events.k8s.io', '--field-selector', 'regarding.name=data', '-o', 'json'])) as {
    items: Array<{ reason: string }>;
  };
  t.ok(
    events.items.some((e) => e.reason === 'TakenBack'),
    'a TakenBack event',
  );

  kubectlOk(s.env, ['-n', ns, 'delete', 'bucket', 'data', '--timeout=120s']);
  t.notOk(
    ((await s.mine.send(new ListBucketsCommand({}))).Buckets ?? []).some((b) => b.Name === name),
    "finalize deletes it: it is this Bucket's now",
  );
});

t.test('a write loop stops by itself: another writer keeps suspending versioning, the hook stops after DRIFT_LOOP_CORRECTIONS', async (t) => {
  const s = await clusterSuite(t, { hookEnv: { DRIFT_LOOP_CORRECTIONS: '2' } });
  const ns = s.namespace('loop');
  const name = s.bucket('loop');
  const manifest = {
    apiVersion: 's3.services.k8s.aws/v1alpha1',
    kind: 'Bucket',
    metadata: { name: 'looped', namespace: ns, annotations: { 's3.services.k8s.aws/drift-check-interval': '10s' } },
    spec: { name, versioning: { status: 'Enabled' } },
  };
  kubectlOk(s.env, ['apply', '-f', '-'], { input: JSON.stringify(manifest) });
  let seen = await waitForObject(s.api, bucketPath(ns, 'looped'), isReady, 90_000, 'Ready');
  const checked = (o: KubeObject | undefined): string | undefined => (o?.status as { lastCheck?: { time?: string } } | undefined)?.lastCheck?.time;

  // The other writer: after every drift check it suspends versioning again, for at most five rounds.
  let rounds = 0;
  while (!reasons(seen).includes('DriftLoop') && rounds < 5) {
    rounds += 1;
    await s.mine.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Suspended' } }));
    const before = checked(seen);
    seen = await waitForObject(s.api, bucketPath(ns, 'looped'), (o) => checked(o) !== before, 60_000, `drift check ${rounds}`);
  }
  t.equal(rounds, 3, 'two corrections, then the third drift is not written');
  t.ok(reasons(seen).includes('DriftLoop'), 'DriftLoop');
  const message =
    ((seen?.status as { conditions?: Array<{ reason?: string; message?: string }> }).conditions ?? []).find((c) => c.reason === 'DriftLoop')?.message ?? '';
  t.match(message, /spec\.versioning/, 'names the field');
  t.equal((await s.mine.send(new GetBucketVersioningCommand({ Bucket: name }))).Status, 'Suspended', "the other writer's value left in place");
  const metrics = await (await fetch(`http://127.0.0.1:${s.hook.adminPort}/metrics`)).text();
  t.match(metrics, /bucket_hook_drift_loops_total\{field="spec\.versioning"\} 1/, 'counted once');
});
