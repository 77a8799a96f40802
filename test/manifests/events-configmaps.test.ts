// The manifests for Events and coordinates ConfigMaps, rendered with `kubectl kustomize` and checked by
// value: the base grants exactly create and patch on events.k8s.io events to the hook's ServiceAccount
// and mounts its rotating token and the cluster CA where the hook looks for them, with POD_NAME from the
// downward API; overlays/configmaps adds only childResources configmaps (the customize hook is the base's), and passes
// the CompositeController CRD schema (Metacontroller v4.17.2's API; test/support/compositecontroller-crd.ts).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { ClusterRole, type IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding, type IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { IN_CLUSTER_CA_FILE, IN_CLUSTER_TOKEN_FILE, parseConfig } from '../../src/config.js';
import { createAjv } from '../../src/schema/validator.js';
import { compositeControllerCrd } from '../support/compositecontroller-crd.js';

const MANIFESTS = new URL('../../manifests/', import.meta.url);
const KUBECTL = process.env.KUBECTL ?? 'kubectl';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}
const render = (dir: string): K8sObject[] =>
  parseAllDocuments(execFileSync(KUBECTL, ['kustomize', fileURLToPath(new URL(dir, MANIFESTS))], { encoding: 'utf8' })).map((d) => d.toJS() as K8sObject);
const one = <T>(objects: K8sObject[], kind: string): T => {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, got ${found.length}`);
  return found[0] as T;
};
const id = (o: K8sObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

const base = render('.');
const deployment = new Deployment(one<IDeployment>(base, 'Deployment'));
const pod = deployment.spec!.template.spec!;
const container = pod.containers[0]!;

t.test('RBAC: the hook\'s ServiceAccount may create and patch events.k8s.io Events, nothing else', async (t) => {
  const role = new ClusterRole(one<IClusterRole>(base, 'ClusterRole'));
  const binding = new ClusterRoleBinding(one<IClusterRoleBinding>(base, 'ClusterRoleBinding'));
  t.doesNotThrow(() => role.validate());
  t.doesNotThrow(() => binding.validate());
  t.same(role.rules, [{ apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] }]);
  t.same(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata?.name });
  t.same(binding.subjects, [{ kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: deployment.metadata?.namespace }]);
  t.equal(base.filter((o) => o.kind.endsWith('Role') || o.kind.endsWith('RoleBinding')).length, 2, 'no other role or binding');
});

t.test('the Deployment mounts the rotating API token and CA where the hook reads them, and names the pod', async (t) => {
  t.equal(pod.automountServiceAccountToken, false, 'no automount: the volume below is explicit');
  const volume = pod.volumes?.find((v) => v.name === 'kube-api-access');
  const mount = container.volumeMounts?.find((m) => m.name === 'kube-api-access');
  t.same(volume?.projected?.sources, [
    { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
  ]);
  t.equal(volume?.projected?.defaultMode, 0o440, 'readable by the hook\'s group only');
  t.equal(mount?.readOnly, true);
  t.equal(`${mount?.mountPath}/token`, IN_CLUSTER_TOKEN_FILE);
  t.equal(`${mount?.mountPath}/ca.crt`, IN_CLUSTER_CA_FILE);
  const podName = container.env?.find((e) => e.name === 'POD_NAME');
  t.same(podName?.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } });
  // What the hook makes of that pod's environment (the kubelet adds KUBERNETES_SERVICE_*, the downward API POD_NAME).
  const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? (e.name === 'POD_NAME' ? 'bucket-hook-6d5f-x2x9q' : undefined)]));
  t.match(parseConfig({ ...env, KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }).events, { url: 'https://10.96.0.1:443', tokenFile: IN_CLUSTER_TOKEN_FILE, caFile: IN_CLUSTER_CA_FILE, instance: 'bucket-hook-6d5f-x2x9q' });
});

interface CompositeController extends K8sObject {
  spec: { childResources?: unknown[]; hooks: Record<string, { webhook: { url: string; timeout?: string; authorization?: unknown } }> } & Record<string, unknown>;
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; items?: JsonSchema };
function strict(node: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...node };
  if (node.properties) {
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, strict(v)]));
    if (node['x-kubernetes-preserve-unknown-fields'] !== true && node.additionalProperties === undefined) out.additionalProperties = false;
  }
  if (node.items) out.items = strict(node.items);
  return out;
}

t.test('overlays/configmaps: the base plus childResources configmaps, nothing else (the customize hook is the base\'s)', async (t) => {
  const overlay = render('overlays/configmaps');
  t.same(overlay.map(id).sort(), base.map(id).filter((i) => !i.startsWith('CustomResourceDefinition/')).sort(), 'the base install minus the CRD (applied on its own)');
  const baseController = one<CompositeController>(base, 'CompositeController');
  const controller = one<CompositeController>(overlay, 'CompositeController');
  t.same(controller.spec.childResources, [{ apiVersion: 'v1', resource: 'configmaps', updateStrategy: { method: 'InPlace' } }]);
  const customize = controller.spec.hooks.customize?.webhook;
  t.equal(customize?.url, baseController.spec.hooks.sync!.webhook.url.replace(/\/sync$/, '/customize'), 'the same Service, path /customize');
  t.same(customize?.authorization, baseController.spec.hooks.sync!.webhook.authorization, 'the same bearer token');
  const back = structuredClone(controller);
  delete back.spec.childResources;
  t.same(back, baseController);
  t.same(baseController.spec.childResources ?? [], [], 'the base install keeps no children');
  const byId = new Map(base.map((o) => [id(o), o]));
  for (const o of overlay.filter((o) => o.kind !== 'CompositeController')) t.same(o, byId.get(id(o)), id(o));

  const crd = compositeControllerCrd as unknown as { spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: JsonSchema } }> } };
  const ajv = createAjv();
  ajv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/);
  const valid = ajv.compile(strict(crd.spec.versions.find((v) => v.name === 'v1alpha1')!.schema.openAPIV3Schema));
  t.ok(valid(controller), ajv.errorsText(valid.errors));
  const broken = structuredClone(controller);
  (broken.spec.childResources![0] as Record<string, unknown>).updateStrategy = { method: 'Sometimes' };
  t.notOk(valid(broken), 'the schema is live: an unknown update method is refused');
});
