// kube-state-metrics (v2.20.0, built by test/cluster/build.sh) with manifests/monitoring/custom-resource-state.yaml
// against the local control plane's API server: Buckets with known statuses (written through the status
// subresource, as Metacontroller writes the hook's answers) become the series the alerts read, and a status
// change moves them. kube-state-metrics runs as its ServiceAccount with only
// manifests/monitoring/kube-state-metrics-rbac.yaml, so that RBAC is proved enough. The statuses are the
// test's own: no CompositeController may answer for Buckets meanwhile (the suite's files run one at a
// time and each removes its install; checked below).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { goProgram } from '../support/go-tools.js';
import { parseSamples, type Sample } from '../support/prom-text.js';
import { clusterEnv, deleteCrds, freePort, kubectl, kubectlOk, ROOT } from './support/cluster.js';

const env = clusterEnv();
const KSM = goProgram('kube-state-metrics');
const CONFIG = `${ROOT}manifests/monitoring/custom-resource-state.yaml`;
const RBAC = 'manifests/monitoring/kube-state-metrics-rbac.yaml';
const NS = `ksm-test-${process.pid}`;

/** Polls `check` until it returns a value: kube-state-metrics lists, then watches, asynchronously. */
async function until<T>(what: string, check: () => Promise<T | undefined>, attempts = 120): Promise<T> {
  let last: Error | undefined;
  for (let i = 0; i < attempts; i++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err as Error;
    }
    await sleep(500);
  }
  throw new Error(`kube-state-metrics never showed ${what}${last ? `: ${last.message}` : ''}`);
}

const condition = (type: string, status: 'True' | 'False', reason: string) => ({
  type,
  status,
  reason,
  message: `${type} ${reason} (test)`,
  lastTransitionTime: '2026-12-01T00:00:00Z',
});
/** Statuses as the hook answers them (src/reconciler/status.ts: Terminal first, Ready last). */
const BUCKETS: Record<string, { spec: { name: string }; conditions?: ReturnType<typeof condition>[] }> = {
  ready: { spec: { name: 'ksm-ready-1a2b' }, conditions: [condition('ACK.ResourceSynced', 'True', 'Synced'), condition('Ready', 'True', 'Available')] },
  creating: {
    spec: { name: 'ksm-creating-1a2b' },
    conditions: [condition('ACK.ResourceSynced', 'False', 'Creating'), condition('Reconciling', 'True', 'Creating'), condition('Ready', 'False', 'Creating')],
  },
  taken: {
    spec: { name: 'ksm-taken-1a2b' },
    conditions: [
      condition('ACK.Terminal', 'True', 'NameTaken'),
      condition('ACK.ResourceSynced', 'False', 'NameTaken'),
      condition('Stalled', 'True', 'NameTaken'),
      condition('Ready', 'False', 'NameTaken'),
    ],
  },
  // Never answered: no status at all.
  fresh: { spec: { name: 'ksm-fresh-1a2b' } },
};

const GVK = { customresource_group: 's3.services.k8s.aws', customresource_version: 'v1alpha1', customresource_kind: 'Bucket' };
const select = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

let ksm: ChildProcess | undefined;
let metricsUrl = '';
let madeMonitoring = false;
let madeCrd = false;
const work = mkdtempSync(join(tmpdir(), 'bucket-hook-ksm-'));

t.teardown(() => {
  if (ksm?.pid && ksm.exitCode === null) ksm.kill('SIGTERM');
  // Waited for: the suite's next file may install the same CRD.
  kubectl(env, ['delete', 'namespace', NS, '--ignore-not-found', '--timeout=60s']);
  kubectl(env, ['delete', '-f', RBAC, '--ignore-not-found']);
  kubectl(env, ['delete', 'serviceaccount', 'kube-state-metrics', '-n', 'monitoring', '--ignore-not-found']);
  if (madeMonitoring) kubectl(env, ['delete', 'namespace', 'monitoring', '--ignore-not-found', '--timeout=60s']);
  rmSync(work, { recursive: true, force: true });
  if (madeCrd) deleteCrds(env, ['buckets.s3.services.k8s.aws']);
});

t.before(async () => {
  madeCrd = kubectl(env, ['get', 'crd', 'buckets.s3.services.k8s.aws']).code !== 0;
  kubectlOk(env, ['apply', '-f', 'manifests/crd.yaml']);
  kubectlOk(env, ['wait', '--for=condition=Established', 'crd/buckets.s3.services.k8s.aws', '--timeout=60s']);
  const controllers = kubectl(env, ['get', 'compositecontrollers', '-o', 'name']).stdout.trim();
  if (controllers.includes('bucket-hook')) {
    throw new Error(
      `a CompositeController answers for Buckets (${controllers}): it would overwrite this test's statuses; run this test before the hook is installed or after it is removed`,
    );
  }
  kubectlOk(env, ['create', 'namespace', NS]);
  for (const [name, bucket] of Object.entries(BUCKETS)) {
    kubectlOk(env, ['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 's3.services.k8s.aws/v1alpha1', kind: 'Bucket', metadata: { name, namespace: NS }, spec: bucket.spec }),
    });
    if (bucket.conditions)
      kubectlOk(env, [
        'patch',
        'bucket',
        name,
        '-n',
        NS,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({ status: { conditions: bucket.conditions } }),
      ]);
  }

  // kube-state-metrics as its ServiceAccount, with the RBAC we ship and nothing more.
  madeMonitoring = kubectl(env, ['get', 'namespace', 'monitoring']).code !== 0;
  if (madeMonitoring) kubectlOk(env, ['create', 'namespace', 'monitoring']);
  kubectlOk(env, ['create', 'serviceaccount', 'kube-state-metrics', '-n', 'monitoring']);
  kubectlOk(env, ['apply', '-f', RBAC]);
  const token = kubectlOk(env, ['create', 'token', 'kube-state-metrics', '-n', 'monitoring', '--duration=1h']).trim();
  const kubeconfig = join(work, 'kube-state-metrics.kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'local', cluster: { server: env.apiUrl, 'certificate-authority': env.caFile } }],
      users: [{ name: 'kube-state-metrics', user: { token } }],
      contexts: [{ name: 'local', context: { cluster: 'local', user: 'kube-state-metrics' } }],
      'current-context': 'local',
    }),
  );

  const [port, telemetryPort] = [await freePort(), await freePort()];
  const log = createWriteStream(join(work, 'kube-state-metrics.log'));
  ksm = spawn(
    KSM,
    [
      `--kubeconfig=${kubeconfig}`,
      '--custom-resource-state-only',
      `--custom-resource-state-config-file=${CONFIG}`,
      `--namespaces=${NS}`,
      '--host=127.0.0.1',
      `--port=${port}`,
      '--telemetry-host=127.0.0.1',
      `--telemetry-port=${telemetryPort}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  ksm.stdout!.pipe(log);
  ksm.stderr!.pipe(log);
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
});

async function scrape(): Promise<Sample[]> {
  if (ksm?.exitCode !== null && ksm?.exitCode !== undefined) {
    throw new Error(
      `kube-state-metrics exited ${ksm.exitCode}: ${readFileSync(join(work, 'kube-state-metrics.log'), 'utf8').split('\n').slice(-10).join('\n')}`,
    );
  }
  const res = await fetch(metricsUrl);
  return parseSamples(await res.text());
}

t.test('one info series per Bucket, with its S3 name', async (t) => {
  const samples = await until('an info series for each Bucket', async () => {
    const s = await scrape();
    return select(s, 'kube_s3_bucket_info', { namespace: NS }).length === Object.keys(BUCKETS).length ? s : undefined;
  });
  for (const [name, bucket] of Object.entries(BUCKETS)) {
    t.same(
      select(samples, 'kube_s3_bucket_info', { namespace: NS, name }).map((s) => [s.labels, s.value]),
      [[{ ...GVK, namespace: NS, name, s3_bucket: bucket.spec.name }, 1]],
      name,
    );
  }
});

t.test('each condition is a series: type and reason as labels, 1 for True and 0 for False', async (t) => {
  const samples = await until('the conditions', async () => {
    const s = await scrape();
    return select(s, 'kube_s3_bucket_status_condition', { namespace: NS }).length === 9 ? s : undefined;
  });
  const conditions = (name: string) =>
    Object.fromEntries(
      select(samples, 'kube_s3_bucket_status_condition', { namespace: NS, name }).map((s) => [`${s.labels.type} ${s.labels.reason}`, s.value]),
    );
  t.same(conditions('ready'), { 'ACK.ResourceSynced Synced': 1, 'Ready Available': 1 });
  t.same(conditions('creating'), { 'ACK.ResourceSynced Creating': 0, 'Reconciling Creating': 1, 'Ready Creating': 0 });
  t.same(conditions('taken'), { 'ACK.Terminal NameTaken': 1, 'ACK.ResourceSynced NameTaken': 0, 'Stalled NameTaken': 1, 'Ready NameTaken': 0 });
  t.same(conditions('fresh'), {}, 'no status, no condition series: BucketNotReady finds it through the info series');
  t.same(select(samples, 'kube_s3_bucket_status_condition', { namespace: NS, name: 'ready', type: 'Ready' })[0]?.labels, {
    ...GVK,
    namespace: NS,
    name: 'ready',
    type: 'Ready',
    reason: 'Available',
  });
});

t.test('a status change moves the series: the old reason goes, the new one comes', async (t) => {
  const ready = [condition('ACK.ResourceSynced', 'True', 'Synced'), condition('Ready', 'True', 'Available')];
  kubectlOk(env, ['patch', 'bucket', 'creating', '-n', NS, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { conditions: ready } })]);
  const samples = await until('the new status of Bucket creating', async () => {
    const s = await scrape();
    const now = select(s, 'kube_s3_bucket_status_condition', { namespace: NS, name: 'creating' });
    return now.length === 2 && now.every((x) => x.value === 1) ? s : undefined;
  });
  t.same(select(samples, 'kube_s3_bucket_status_condition', { namespace: NS, name: 'creating', reason: 'Creating' }), []);
  t.equal(select(samples, 'kube_s3_bucket_status_condition', { namespace: NS, name: 'creating', type: 'Ready' })[0]?.labels.reason, 'Available');
});
