// The Helm chart (charts/bucket-hook) installs what the kustomize tree (manifests/) installs: one source of
// truth. Each variant is rendered both ways, `helm template` (helm v4.3.2, built by test/cluster/build.sh)
// and `kubectl kustomize` (plus the CRD files the overlays' instructions apply beside them), and the objects
// are compared whole, after removing only what has to differ (normalise(), each with its reason). Then the
// values the chart adds, its refusals, `helm lint`, and the copies of manifests/ files it keeps in files/.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { parse, parseAllDocuments } from 'yaml';
import { CHART_COPIES } from '../../src/cli/gen-manifests.js';
import { goProgram } from '../support/go-tools.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHART = `${ROOT}charts/bucket-hook`;
const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const HELM = goProgram('helm');
const NS = 'bucket-system';
/** The one value without a default: kustomize's placeholder region. */
const REGION = ['--set', 'env.AWS_REGION=us-east-1'];

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}
interface PodSpec {
  containers: Array<{
    image: string;
    env: Array<{ name: string; value?: string; valueFrom?: unknown }>;
    resources: unknown;
    volumeMounts: Array<{ name: string }>;
  }>;
  volumes: Array<{ name: string; secret?: { secretName: string } }>;
}
interface Deployment extends K8sObject {
  spec: { replicas: number; template: { spec: PodSpec } };
}
interface SecretRefs {
  spec: { hooks: Record<string, { webhook: { url: string; authorization?: { secretRef: { name: string; namespace: string } } } }> };
}

const docs = (text: string): K8sObject[] =>
  parseAllDocuments(text)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);

function helmTemplate(...args: string[]): K8sObject[] {
  return docs(execFileSync(HELM, ['template', 'bucket-hook', CHART, '--namespace', NS, ...REGION, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** helm template's refusal (its stderr), for the values the chart must refuse. */
function helmRefusal(...args: string[]): string {
  try {
    execFileSync(HELM, ['template', 'bucket-hook', CHART, '--namespace', NS, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    return String((err as { stderr?: string }).stderr);
  }
  throw new Error(`helm template accepted ${args.join(' ')}`);
}

function kustomize(dir: string): K8sObject[] {
  try {
    return docs(execFileSync(KUBECTL, ['kustomize', `${ROOT}${dir}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (err) {
    throw new Error(`\`${KUBECTL} kustomize ${dir}\` failed (kubectl missing? set KUBECTL to its path): ${(err as { stderr?: string }).stderr ?? (err as Error).message}`, { cause: err });
  }
}
/** The overlays are applied with `kubectl apply -f manifests/crd.yaml -f manifests/iamroleselector-crd.yaml` beside them. */
const crdFiles = (): K8sObject[] => ['manifests/crd.yaml', 'manifests/iamroleselector-crd.yaml'].map((f) => parse(readFileSync(`${ROOT}${f}`, 'utf8')) as K8sObject);

const HELM_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/instance', 'app.kubernetes.io/version'];

/** Only what must differ between a Helm release and `kubectl apply -k`. */
function normalise(o: K8sObject): K8sObject {
  const copy = structuredClone(o);
  // Helm's standard labels name the release and the chart's version, which a kustomize install has not.
  // Objects' own labels only: selectors and pod templates carry none of them (both are compared whole).
  for (const label of HELM_LABELS) delete copy.metadata.labels?.[label];
  // The chart keeps its CRDs on `helm uninstall` (deleting a CRD deletes every Bucket); `kubectl apply -k`
  // has no uninstall to keep them from.
  if (copy.kind === 'CustomResourceDefinition') {
    delete copy.metadata.annotations?.['helm.sh/resource-policy'];
    if (copy.metadata.annotations && Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  return copy;
}

const id = (o: K8sObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const byId = (objects: K8sObject[]): Map<string, K8sObject> => new Map(objects.map((o) => [id(o), o]));
const one = <T extends K8sObject>(objects: K8sObject[], kind: string, name?: string): T => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, rendered ${found.length}`);
  return found[0] as T;
};
const NAMESPACE = `Namespace//${NS}`;
const SECRET = `Secret/${NS}/bucket-hook-token`;
const CLAIM_KEY = `Secret/${NS}/bucket-hook-claim-key`;

/**
 * The chart's objects against kustomize's: the same set of ids but for `extra` (only the chart's) and
 * `missing` (only kustomize's), and each common object equal after normalise().
 */
function compare(t: Test, chart: K8sObject[], kustomized: K8sObject[], expected: { extra?: string[]; missing?: string[] }) {
  const ours = byId(chart);
  const theirs = byId(kustomized);
  t.equal(ours.size, chart.length, 'no object rendered twice');
  t.same([...ours.keys()].filter((k) => !theirs.has(k)).sort(), (expected.extra ?? []).sort(), 'objects only the chart makes');
  t.same([...theirs.keys()].filter((k) => !ours.has(k)).sort(), (expected.missing ?? []).sort(), 'objects only kustomize makes');
  for (const [key, theirObject] of theirs) {
    const ourObject = ours.get(key);
    if (ourObject) t.same(normalise(ourObject), theirObject, key);
  }
}

t.test('the defaults are manifests/ (kubectl apply -k manifests/), with the token and claim key Secrets made by the chart', async (t) => {
  // Helm cannot make its own release namespace (it stores the release there first): the README applies
  // manifests/base/namespace.yaml before `helm install`, for its Pod Security labels.
  compare(t, helmTemplate(), kustomize('manifests'), { extra: [SECRET, CLAIM_KEY], missing: [NAMESPACE] });
});

t.test('token.existingSecret and claimKey.existingSecret: exactly manifests/, the admin making the Secrets as its README says', async (t) => {
  compare(t, helmTemplate('--set', 'token.existingSecret=bucket-hook-token', '--set', 'claimKey.existingSecret=bucket-hook-claim-key'), kustomize('manifests'), { missing: [NAMESPACE] });
});

t.test('tls.enabled is overlays/tls', async (t) => {
  compare(t, helmTemplate('--set', 'tls.enabled=true'), [...kustomize('manifests/overlays/tls'), ...crdFiles()], { extra: [SECRET, CLAIM_KEY], missing: [NAMESPACE] });
});

t.test('configMaps.enabled is overlays/configmaps', async (t) => {
  compare(t, helmTemplate('--set', 'configMaps.enabled=true'), [...kustomize('manifests/overlays/configmaps'), ...crdFiles()], { extra: [SECRET, CLAIM_KEY], missing: [NAMESPACE] });
});

t.test('token.enabled=false is overlays/metacontroller-pre-4.16, and makes no token Secret (the claim key stays)', async (t) => {
  compare(t, helmTemplate('--set', 'token.enabled=false'), [...kustomize('manifests/overlays/metacontroller-pre-4.16'), ...crdFiles()], { extra: [CLAIM_KEY], missing: [NAMESPACE] });
});

t.test('monitoring.*.enabled is manifests/monitoring', async (t) => {
  const all = helmTemplate('--set', 'monitoring.serviceMonitor.enabled=true', '--set', 'monitoring.prometheusRule.enabled=true', '--set', 'monitoring.kubeStateMetrics.enabled=true');
  const base = new Set(helmTemplate().map(id));
  compare(t, all.filter((o) => !base.has(id(o))), kustomize('manifests/monitoring'), {});
  t.same(all.filter((o) => base.has(id(o))).map(id).sort(), [...base].sort(), 'and the rest is the defaults');
  // Comments aside, the alerts are data to Helm: their {{ $labels }} templates reach Prometheus untouched.
  const rule = one<K8sObject & { spec: { groups: Array<{ rules: Array<{ annotations: Record<string, string> }> }> } }>(all, 'PrometheusRule');
  t.match(rule.spec.groups[0]!.rules[0]!.annotations.summary, /\{\{ \$labels\.namespace \}\}/);
});

t.test('the chart adds only labels to what it shares with manifests/: Helm\'s standard four, on every object', async (t) => {
  for (const o of helmTemplate('--set', 'tls.enabled=true', '--set', 'monitoring.prometheusRule.enabled=true', '--set', 'monitoring.kubeStateMetrics.enabled=true', '--set', 'monitoring.serviceMonitor.enabled=true')) {
    t.match(o.metadata.labels, {
      'helm.sh/chart': 'bucket-hook-0.1.0',
      'app.kubernetes.io/managed-by': 'Helm',
      'app.kubernetes.io/instance': 'bucket-hook',
      'app.kubernetes.io/version': '0.1.0',
      'app.kubernetes.io/name': 'bucket-hook',
      'app.kubernetes.io/part-of': 'bucket-hook',
    }, id(o));
  }
  const chart = parse(readFileSync(`${CHART}/Chart.yaml`, 'utf8')) as { appVersion: string; version: string };
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
  t.equal(chart.appVersion, pkg.version, 'appVersion (the default image tag) is the hook\'s version');
});

t.test('CRDs: kept on uninstall; each can be left out (ACK already installed IAMRoleSelector)', async (t) => {
  const crds = helmTemplate().filter((o) => o.kind === 'CustomResourceDefinition');
  t.same(crds.map((o) => o.metadata.name), ['buckets.s3.services.k8s.aws', 'iamroleselectors.services.k8s.aws']);
  for (const crd of crds) t.equal(crd.metadata.annotations?.['helm.sh/resource-policy'], 'keep', crd.metadata.name);
  const withoutSelector = helmTemplate('--set', 'crds.iamRoleSelector=false').filter((o) => o.kind === 'CustomResourceDefinition');
  t.same(withoutSelector.map((o) => o.metadata.name), ['buckets.s3.services.k8s.aws']);
  t.same(helmTemplate('--set', 'crds.bucket=false', '--set', 'crds.iamRoleSelector=false').filter((o) => o.kind === 'CustomResourceDefinition'), []);
  t.notOk(one(helmTemplate(), 'Secret', 'bucket-hook-token').metadata.annotations?.['helm.sh/resource-policy'], 'the token Secret goes with the release');
  t.notOk(one(helmTemplate(), 'Secret', 'bucket-hook-claim-key').metadata.annotations?.['helm.sh/resource-policy'], 'and the claim key');
});

t.test('the generated token: random, 64 characters, in the key the Deployment and the CompositeController read', async (t) => {
  const token = (objects: K8sObject[]) => Buffer.from((one<K8sObject & { data: { token: string } }>(objects, 'Secret', 'bucket-hook-token').data.token), 'base64').toString();
  const first = token(helmTemplate());
  t.match(first, /^[A-Za-z0-9]{64}$/);
  // Without a cluster to read the Secret back from (lookup), each render makes another: why `helm
  // template` users (Argo CD) must set token.existingSecret, and why the chart reads it back on upgrade.
  t.not(token(helmTemplate()), first);
});

t.test('token.existingSecret names the admin\'s Secret everywhere the token is read', async (t) => {
  const objects = helmTemplate('--set', 'token.existingSecret=vault-hook-token');
  t.same(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name), ['bucket-hook-claim-key'], 'no token Secret of the chart\'s');
  const hooks = one<K8sObject & SecretRefs>(objects, 'CompositeController').spec.hooks;
  t.same(Object.keys(hooks), ['sync', 'finalize', 'customize']);
  for (const [name, hook] of Object.entries(hooks)) t.same(hook.webhook.authorization?.secretRef, { name: 'vault-hook-token', namespace: NS, key: 'token' }, name);
  const volume = one<Deployment>(objects, 'Deployment').spec.template.spec.volumes.find((v) => v.name === 'hook-token');
  t.equal(volume?.secret?.secretName, 'vault-hook-token');
});

t.test('the claim key: random, 64 characters, in the file CLAIM_KEY_FILE names; or the admin\'s Secret', async (t) => {
  const key = (objects: K8sObject[]) => Buffer.from((one<K8sObject & { data: { key: string } }>(objects, 'Secret', 'bucket-hook-claim-key').data.key), 'base64').toString();
  const first = key(helmTemplate());
  t.match(first, /^[A-Za-z0-9]{64}$/, 'long enough for the hook (at least 32 characters)');
  t.not(key(helmTemplate()), first, 'a new one per render without a cluster: why helm template users set claimKey.existingSecret');
  const deployment = one<Deployment>(helmTemplate(), 'Deployment');
  const container = deployment.spec.template.spec.containers[0]!;
  t.equal(container.env?.find((e) => e.name === 'CLAIM_KEY_FILE')?.value, '/var/run/secrets/bucket-hook-claim/key');
  t.same(container.volumeMounts?.find((m) => m.name === 'claim-key'), { name: 'claim-key', mountPath: '/var/run/secrets/bucket-hook-claim', readOnly: true });
  const objects = helmTemplate('--set', 'claimKey.existingSecret=vault-claim-key');
  t.same(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name), ['bucket-hook-token'], 'no claim key Secret of the chart\'s');
  t.equal(one<Deployment>(objects, 'Deployment').spec.template.spec.volumes.find((v) => v.name === 'claim-key')?.secret?.secretName, 'vault-claim-key');
});

t.test('image, replicas, resources, settings, extra env and the ServiceAccount\'s annotations', async (t) => {
  const objects = helmTemplate(
    '--set', 'image.repository=registry.example/bucket-hook', '--set', 'image.tag=0.2.0',
    '--set', 'replicaCount=3', '--set', 'resources.limits.memory=512Mi',
    '--set', 'env.AWS_REGION=eu-west-1', '--set-string', 'env.DRIFT_CHECK_INTERVAL_SECONDS=3600', '--set', 'env.ADOPTION_NAMESPACES=none',
    '--set', 'extraEnv[0].name=AWS_ACCESS_KEY_ID', '--set', 'extraEnv[0].valueFrom.secretKeyRef.name=aws', '--set', 'extraEnv[0].valueFrom.secretKeyRef.key=id',
    '--set', 'serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::123456789012:role/bucket-hook',
  );
  const deployment = one<Deployment>(objects, 'Deployment');
  const container = deployment.spec.template.spec.containers[0]!;
  t.equal(container.image, 'registry.example/bucket-hook:0.2.0');
  t.equal(deployment.spec.replicas, 3);
  t.same(container.resources, { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } });
  t.same(container.env.map((e) => e.name), ['ADOPTION_NAMESPACES', 'AWS_REGION', 'DELETION_POLICY', 'DRIFT_CHECK_INTERVAL_SECONDS', 'LOG_LEVEL', 'HOST', 'HOOK_TOKEN_FILE', 'CLAIM_KEY_FILE', 'POD_NAME', 'AWS_ACCESS_KEY_ID']);
  t.match(Object.fromEntries(container.env.map((e) => [e.name, e.value])), { AWS_REGION: 'eu-west-1', DRIFT_CHECK_INTERVAL_SECONDS: '3600', ADOPTION_NAMESPACES: 'none' });
  t.same(container.env.at(-1), { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'aws', key: 'id' } } });
  t.same(one(objects, 'ServiceAccount').metadata.annotations, { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/bucket-hook' });
  t.ok(objects.some((o) => o.kind === 'PodDisruptionBudget'));
  t.notOk(helmTemplate('--set', 'replicaCount=1').some((o) => o.kind === 'PodDisruptionBudget'), 'one replica: a PDB would block every drain');
});

t.test('configMaps and tls together, which the kustomize overlays cannot combine', async (t) => {
  const controller = one<K8sObject & SecretRefs & { spec: { childResources?: unknown[] } }>(helmTemplate('--set', 'tls.enabled=true', '--set', 'configMaps.enabled=true'), 'CompositeController');
  t.same(controller.spec.childResources, [{ apiVersion: 'v1', resource: 'configmaps', updateStrategy: { method: 'InPlace' } }]);
  t.equal(controller.spec.hooks.sync!.webhook.url, `https://bucket-hook.${NS}.svc:8080/sync`);
});

t.test('another release namespace moves every reference to it', async (t) => {
  const objects = docs(execFileSync(HELM, ['template', 'hook', CHART, '--namespace', 'platform', ...REGION, '--set', 'tls.enabled=true'], { encoding: 'utf8' }));
  const text = JSON.stringify(objects);
  t.notMatch(text, /bucket-system/, 'nothing names bucket-system');
  t.equal(one<K8sObject & SecretRefs>(objects, 'CompositeController').spec.hooks.finalize!.webhook.url, 'https://bucket-hook.platform.svc:8080/finalize');
  t.same((one(objects, 'Certificate', 'bucket-hook-tls') as unknown as { spec: { dnsNames: string[] } }).spec.dnsNames, ['bucket-hook.platform.svc', 'bucket-hook.platform.svc.cluster.local']);
  t.equal(one(objects, 'Deployment').metadata.name, 'bucket-hook', 'names are fixed: the finalizer is named after the CompositeController');
});

t.test('values that cannot work are refused when rendering, saying what to do', async (t) => {
  t.match(helmRefusal(), /env\.AWS_REGION is required: the region Buckets are created in/);
  t.match(helmRefusal(...REGION, '--set', 'env.HOOK_TOKEN_FILE=/tmp/x'), /env\.HOOK_TOKEN_FILE is set by the chart/);
  t.match(helmRefusal(...REGION, '--set-string', 'env.PORT=9000'), /env\.PORT is set by the chart/);
  t.match(helmRefusal(...REGION, '--set', 'tls.enabled=true', '--set', 'token.enabled=false'), /tls\.enabled needs token\.enabled/);
  // A number would be rendered by Go's %v (1e+06 for 1000000): settings are strings.
  t.match(helmRefusal(...REGION, '--set', 'env.BODY_LIMIT_BYTES=1000000'), /BODY_LIMIT_BYTES[\s\S]*string/);
  t.match(helmRefusal(...REGION, '--set', 'replicas=3'), /replicas/, 'a misspelt value is refused, not ignored');
});

t.test('helm lint passes, strict', async (t) => {
  const out = execFileSync(HELM, ['lint', '--strict', CHART, ...REGION], { encoding: 'utf8' });
  t.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
});

t.test('the chart\'s files/ are the manifests/ files it renders (`npm run manifests` copies them)', async (t) => {
  for (const { source, copy } of CHART_COPIES) {
    t.equal(readFileSync(copy, 'utf8'), readFileSync(source, 'utf8'), `${copy.replace(ROOT, '')} differs from ${source.replace(ROOT, '')}: run \`npm run manifests\``);
  }
});
