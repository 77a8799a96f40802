// The Helm chart on the local control plane, as an admin runs it (helm v4.3.2, built by test/cluster/build.sh):
// `helm install` with the token the chart generates, a Bucket Ready through it (the Metacontroller stand-in
// reads that Secret and the hook requires it); `helm upgrade` with a changed value, which keeps the token
// (read back with lookup) and the Bucket Ready; `helm uninstall`, which leaves the CRDs, the Bucket and its
// S3 bucket alone. As in the rest of the suite the hook runs as a process (no kubelet): the CompositeController's
// URLs are pointed at it after each install or upgrade, the one difference from a cluster.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { compositeControllerCrdYaml } from '../support/compositecontroller-crd.js';
import { goProgram } from '../support/go-tools.js';
import { bucketExists, rawClient, removeBucket, rgwEnv } from '../support/rgw.js';
import {
  adminClient,
  bucketPath,
  clusterEnv,
  deleteCrds,
  freePort,
  grantMetacontroller,
  isReady,
  kubectl,
  kubectlOk,
  pointHooksAt,
  startHook,
  startMetacontroller,
  waitForObject,
  type RunningHook,
  type RunningMetacontroller,
} from './support/cluster.js';
import type { KubeObject } from './support/kube-client.js';

const env = clusterEnv();
const rgw = rgwEnv();
const HELM = goProgram('helm');
const NS = 'bucket-system';
const WAIT = 60_000;
const api = adminClient(env);
const mine = rawClient(rgw, 'hook');
const team = `helm-${process.pid}`;
const bucketName = `helm-chart-${process.pid}`;

function helm(...args: string[]): string {
  try {
    return execFileSync(HELM, [...args, '--kubeconfig', env.kubeconfig], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    });
  } catch (err) {
    throw new Error(`helm ${args.join(' ')} failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`, { cause: err });
  }
}
const tokenInSecret = (): string =>
  Buffer.from(kubectlOk(env, ['-n', NS, 'get', 'secret', 'bucket-hook-token', '-o', 'jsonpath={.data.token}']), 'base64').toString();
const values = (...more: string[]): string[] => ['--namespace', NS, '--set', `env.AWS_REGION=${rgw.region}`, ...more];

let hook: RunningHook | undefined;
let mc: RunningMetacontroller | undefined;
let port = 0;

t.before(async () => {
  kubectlOk(env, ['apply', '-f', '-'], { input: compositeControllerCrdYaml() });
  kubectlOk(env, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/compositecontrollers.metacontroller.k8s.io']);
  kubectlOk(env, ['apply', '-f', 'manifests/base/namespace.yaml']);
  grantMetacontroller(env);
  port = await freePort();
});

t.teardown(async () => {
  await mc?.stop();
  await hook?.stop();
  // As the suite's uninstall(): the Buckets' finalizers first, so nothing waits on a hook that is gone.
  kubectl(env, ['-n', team, 'patch', 'bucket', 'artifacts', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  if (helm('list', '--namespace', NS, '-q').includes('bucket-hook')) helm('uninstall', 'bucket-hook', '--namespace', NS);
  // Waited for: the next file of the suite installs into the same namespace and CRDs.
  kubectl(env, ['delete', 'namespace', team, NS, '--ignore-not-found', '--timeout=60s']);
  await removeBucket(mine, bucketName).catch(() => undefined);
  mine.destroy();
  api.close();
  deleteCrds(env);
});

t.test("helm install: the chart's objects, the CRDs Established, a generated token the hook and Metacontroller share, a Bucket Ready", async (t) => {
  const out = helm('install', 'bucket-hook', 'charts/bucket-hook', ...values());
  t.match(out, /STATUS: deployed/);
  kubectlOk(env, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/buckets.s3.services.k8s.aws', 'crd/iamroleselectors.services.k8s.aws']);
  const listed = kubectlOk(env, [
    'get',
    'compositecontroller/bucket-hook',
    `-n=${NS}`,
    'deployment/bucket-hook',
    'service/bucket-hook',
    'serviceaccount/bucket-hook',
    'networkpolicy/bucket-hook',
    'poddisruptionbudget/bucket-hook',
    'secret/bucket-hook-token',
    '-o',
    'name',
  ]);
  t.equal(listed.trim().split('\n').length, 7, listed);
  const token = tokenInSecret();
  t.match(token, /^[A-Za-z0-9]{64}$/);

  hook = await startHook(env, { port, s3: { endpoint: rgw.endpoint, region: rgw.region, ...rgw.hook }, hookToken: token });
  pointHooksAt(env, port, 'http');
  mc = await startMetacontroller(env);
  kubectlOk(env, ['create', 'namespace', team]);
  kubectlOk(env, ['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 's3.services.k8s.aws/v1alpha1',
      kind: 'Bucket',
      metadata: { name: 'artifacts', namespace: team },
      spec: { name: bucketName },
    }),
  });
  const ready = await waitForObject(api, bucketPath(team, 'artifacts'), isReady, WAIT, 'the Bucket Ready');
  t.ok(ready?.metadata.finalizers?.includes('metacontroller.io/compositecontroller-bucket-hook'));
  t.ok(await bucketExists(mine, bucketName), 'the bucket is in RGW');
  t.notOk(
    (await mc.calls()).some((c) => c.code === '401'),
    "every call carried the chart's token",
  );
});

t.test('helm upgrade with a changed value: the change applied, the token kept, the Bucket still Ready', async (t) => {
  const before = tokenInSecret();
  // The suite pointed the hook URLs at the local process; Helm takes its own objects back (server-side apply).
  helm('upgrade', 'bucket-hook', 'charts/bucket-hook', ...values('--set', 'env.LOG_LEVEL=debug', '--force-conflicts'));
  pointHooksAt(env, port, 'http');
  t.equal(tokenInSecret(), before, 'lookup found the Secret: the token was not rotated');
  const deployment = JSON.parse(kubectlOk(env, ['-n', NS, 'get', 'deployment', 'bucket-hook', '-o', 'json'])) as {
    spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> } } };
  };
  t.equal(deployment.spec.template.spec.containers[0]!.env.find((e) => e.name === 'LOG_LEVEL')?.value, 'debug');
  t.match(helm('history', 'bucket-hook', '--namespace', NS), /2\s+.*deployed/);

  const lastCheck = (o: KubeObject | undefined): string | undefined => (o?.status as { lastCheck?: { time?: string } } | undefined)?.lastCheck?.time;
  const checkedBefore = lastCheck(await waitForObject(api, bucketPath(team, 'artifacts'), isReady, WAIT, 'the Bucket Ready'));
  kubectlOk(env, ['-n', team, 'annotate', 'bucket', 'artifacts', 's3.services.k8s.aws/requested-at=2026-12-07T12:00:00Z', '--overwrite']);
  const checked = await waitForObject(
    api,
    bucketPath(team, 'artifacts'),
    (o) => lastCheck(o) !== checkedBefore && isReady(o),
    WAIT,
    'a full check after the upgrade',
  );
  t.ok(isReady(checked), 'answered with the same token after the upgrade');
  t.notOk((await mc!.calls()).some((c) => c.code === '401'));
});

t.test('helm uninstall: the hook goes, the CRDs, the Bucket and its S3 bucket stay', async (t) => {
  const out = helm('uninstall', 'bucket-hook', '--namespace', NS);
  t.match(out, /These resources were kept due to the resource policy:[\s\S]*CustomResourceDefinition[\s\S]*buckets\.s3\.services\.k8s\.aws/);
  await hook!.stop(); // the Deployment's pods would go with it
  hook = undefined;
  t.equal(kubectl(env, ['get', 'compositecontroller', 'bucket-hook']).code, 1, 'the CompositeController is gone');
  t.equal(kubectl(env, ['-n', NS, 'get', 'secret', 'bucket-hook-token']).code, 1, 'the generated Secret goes with the release');
  t.equal(kubectl(env, ['get', 'crd', 'buckets.s3.services.k8s.aws', 'iamroleselectors.services.k8s.aws']).code, 0, 'the CRDs are kept');
  const bucket = JSON.parse(kubectlOk(env, ['-n', team, 'get', 'bucket', 'artifacts', '-o', 'json'])) as KubeObject;
  t.notOk(bucket.metadata.deletionTimestamp, 'the Bucket resource is still there, not being deleted');
  t.ok(await bucketExists(mine, bucketName), 'its S3 bucket is still there');
  t.notOk(
    (await mc!.calls()).some((c) => c.hook === 'finalize'),
    'nothing was finalized',
  );
});
