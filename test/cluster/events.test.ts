// A Bucket's life as Kubernetes Events, on the real API server (events.k8s.io/v1 validation, the hook's
// ServiceAccount token) with the configmaps install: create, echoes and quiet full checks, update, drift put
// back, a taken name, delete. Exactly the expected Events, in order, and none for the echoes and quiet checks.
import { CreateBucketCommand, GetBucketVersioningCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import t from 'tap';
import { parseSamples, valueOf } from '../support/prom-text.js';
import { bucketPath, condition, isReady, kubectlOk, startMetacontroller, waitForObject, type RunningMetacontroller } from './support/cluster.js';
import { resourcePath, type KubeObject } from './support/kube-client.js';
import { clusterSuite } from './support/suite.js';

interface Event {
  reason: string;
  type: string;
  action: string;
  note: string;
  eventTime: string;
  reportingController: string;
  reportingInstance: string;
  regarding: { name: string; kind: string; apiVersion: string; uid: string };
}

t.test('create, echoes and quiet checks, update, drift, NameTaken, delete: exactly these Events, in order', async (t) => {
  const s = await clusterSuite(t, { kustomization: 'manifests/overlays/configmaps' });
  const nsA = s.namespace('events-a');
  const nsB = s.namespace('events-b');
  const bucket = s.bucket('evt');
  const annotations = { 's3.services.k8s.aws/coordinates-configmap': 'artifacts-s3' };
  const apply = (ns: string, name: string, spec: Record<string, unknown>, extra: Record<string, string> = {}): void =>
    void kubectlOk(s.env, ['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 's3.services.k8s.aws/v1alpha1', kind: 'Bucket', metadata: { name, namespace: ns, annotations: { ...extra } }, spec }),
    });
  const events = (): Event[] =>
    [nsA, nsB]
      .flatMap((ns) => (JSON.parse(kubectlOk(s.env, ['-n', ns, 'get', 'events.events.k8s.io', '-o', 'json'])) as { items: Event[] }).items)
      .filter((e) => e.reportingController === 's3.services.k8s.aws/bucket-hook')
      .sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  const timeline = (): string[] => events().map((e) => `${e.regarding.name} ${e.reason}`);
  const published =
    (generation: number) =>
    (o: KubeObject | undefined): boolean =>
      o?.metadata.generation === generation && isReady(o) && condition(o, 'ConfigMapReady')?.reason === 'Published';
  const metric = async (): Promise<number> =>
    valueOf(parseSamples(await (await fetch(`http://127.0.0.1:${s.hook.adminPort}/metrics`)).text()), 'bucket_hook_events_total', { result: 'sent' }) ?? 0;

  const spec = { name: bucket, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };
  apply(nsA, 'artifacts', spec, annotations);
  await waitForObject(s.api, bucketPath(nsA, 'artifacts'), published(1), 60_000, 'Ready, its ConfigMap published');
  const sentAfterCreate = await waitForEvents(() => metric(), 2);
  t.equal(sentAfterCreate, 2);
  t.same(timeline(), ['artifacts Created', 'artifacts ConfigMapPublished']);
  const cm = JSON.parse(kubectlOk(s.env, ['-n', nsA, 'get', 'configmap', 'artifacts-s3', '-o', 'json'])) as { data: Record<string, string> };
  const endpoint = s.rgw.endpoint.replace(/\/+$/, '');
  t.same(cm.data, {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REGION: s.rgw.region,
    BUCKET_ARN: `arn:aws:s3:::${bucket}`,
    BUCKET_NAME: bucket,
    BUCKET_URL: `${endpoint}/${bucket}`,
    S3_ADDRESSING_STYLE: 'path',
  });

  // Echoes: Metacontroller restarted twice (it syncs every Bucket again); quiet full checks: requested-at twice.
  let mc: RunningMetacontroller = s.mc;
  for (let i = 0; i < 2; i++) {
    await mc.stop();
    mc = await startMetacontroller(s.env);
    const restarted = mc;
    t.teardown(() => restarted.stop());
    await waitFor(
      async () => (await restarted.calls()).some((c) => c.key === `${nsA}/artifacts` && c.code === '200'),
      'the restarted Metacontroller syncs the Bucket again',
    );
  }
  for (const at of ['2026-11-24T10:00:00Z', '2026-11-24T10:05:00Z']) {
    const before = (JSON.parse(kubectlOk(s.env, ['-n', nsA, 'get', 'bucket', 'artifacts', '-o', 'json'])) as KubeObject).status as {
      lastCheck?: { inputHash?: string };
    };
    apply(nsA, 'artifacts', spec, { ...annotations, 's3.services.k8s.aws/requested-at': at });
    await waitForObject(
      s.api,
      bucketPath(nsA, 'artifacts'),
      (o) => (o?.status as { lastCheck?: { inputHash?: string } } | undefined)?.lastCheck?.inputHash !== before.lastCheck?.inputHash,
      60_000,
      `the quiet check ${at}`,
    );
  }
  t.equal(await metric(), 2, 'no event for the echoes and the quiet full checks');
  t.same(timeline(), ['artifacts Created', 'artifacts ConfigMapPublished']);

  // Update, then drift put back at a requested check.
  const spec2 = {
    name: bucket,
    versioning: { status: 'Suspended' },
    tagging: {
      tagSet: [
        { key: 'team', value: 'a' },
        { key: 'env', value: 'prod' },
      ],
    },
  };
  apply(nsA, 'artifacts', spec2, annotations);
  await waitForObject(s.api, bucketPath(nsA, 'artifacts'), published(2), 60_000, 'the update applied');
  t.equal((await s.mine.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status, 'Suspended');
  await s.mine.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  apply(nsA, 'artifacts', spec2, { ...annotations, 's3.services.k8s.aws/requested-at': '2026-11-24T11:00:00Z' });
  await waitForEvents(() => metric(), 4);
  t.equal((await s.mine.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status, 'Suspended', 'drift put back');

  // A name another account owns.
  const taken = s.bucket('evt-taken');
  await s.theirs.send(
    new CreateBucketCommand({
      Bucket: taken,
      ...(s.rgw.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: s.rgw.region as never } }),
    }),
  );
  apply(nsB, 'reports', { name: taken });
  await waitForObject(s.api, bucketPath(nsB, 'reports'), (o) => condition(o, 'ACK.Terminal')?.reason === 'NameTaken', 60_000, 'NameTaken');
  await waitForEvents(() => metric(), 5);

  // Delete both: ours is deleted (its ConfigMap goes with it), the taken one is left in place.
  kubectlOk(s.env, ['-n', nsA, 'delete', 'bucket', 'artifacts', '--timeout=60s']);
  kubectlOk(s.env, ['-n', nsB, 'delete', 'bucket', 'reports', '--timeout=60s']);
  await waitForObject(s.api, resourcePath('v1', 'configmaps', nsA, 'artifacts-s3'), (o) => o === undefined, 60_000, 'the ConfigMap gone with its Bucket');
  await waitForEvents(() => metric(), 7);

  const all = timeline();
  t.same(
    all.filter((e) => e.startsWith('artifacts')),
    ['artifacts Created', 'artifacts ConfigMapPublished', 'artifacts Updated', 'artifacts DriftCorrected', 'artifacts Deleted'],
  );
  t.same(
    all.filter((e) => e.startsWith('reports')),
    ['reports NameTaken', 'reports LeftInPlace'],
  );
  t.same(
    all.slice(0, 5),
    ['artifacts Created', 'artifacts ConfigMapPublished', 'artifacts Updated', 'artifacts DriftCorrected', 'reports NameTaken'],
    'in the order they happened',
  );
  t.equal(all.length, 7, 'nothing else');
  const notes = Object.fromEntries(events().map((e) => [`${e.regarding.name} ${e.reason}`, `${e.type} ${e.action}: ${e.note}`]));
  t.match(notes['artifacts Created'], new RegExp(`^Normal Create: Created bucket "${bucket}" in ${s.rgw.region}; set `));
  t.match(notes['artifacts Updated'], /^Normal Update: Updated spec\.tagging, spec\.versioning of bucket .* \(generation 2\)\.$/);
  t.match(notes['artifacts DriftCorrected'], /^Normal Reconcile: S3 differed from the spec at spec\.versioning of bucket /);
  t.match(notes['reports NameTaken'], /^Warning Reconcile: Bucket name .* is taken by another AWS account/);
  t.match(notes['artifacts Deleted'], /^Normal Delete: Bucket .* was deleted\.$/);
  for (const e of events()) t.match(e, { reportingInstance: 'bucket-hook-local', regarding: { apiVersion: 's3.services.k8s.aws/v1alpha1', kind: 'Bucket' } });
  t.equal(
    valueOf(parseSamples(await (await fetch(`http://127.0.0.1:${s.hook.adminPort}/metrics`)).text()), 'bucket_hook_events_total', { result: 'failed' }) ?? 0,
    0,
    'the API server refused none',
  );
  t.same(
    (await mc.calls()).flatMap((c) => c.violations),
    [],
    'no contract violation',
  );
  t.comment(`Events in order: ${all.join(' | ')}`);
});

/** Bounded wait on another process's counters (the hook's /metrics, the stand-in's /calls): nothing to watch there. */
async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after 30 s waiting for: ${what}`);
}

/** The hook sends events after it answers: waits for its sent counter to reach `count`. */
async function waitForEvents(read: () => Promise<number>, count: number): Promise<number> {
  let n = 0;
  await waitFor(async () => (n = await read()) >= count, `${count} events sent`);
  return n;
}
