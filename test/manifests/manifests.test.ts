// The install as a cluster gets it: `kubectl kustomize manifests` (and the overlays for Metacontroller
// < 4.16 and for TLS), each object checked against the Kubernetes API schemas (kubernetes-models; the
// cert-manager objects against cert-manager's, the CompositeControllers against Metacontroller
// v4.17.2's own CRD), and the wiring between the objects checked by value.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { Certificate, type ICertificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import { Issuer, type IIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer';
import { parse, parseAllDocuments } from 'yaml';
import { CustomResourceDefinition, type ICustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Namespace, type INamespace } from 'kubernetes-models/v1/Namespace';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { ServiceAccount, type IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parseConfig } from '../../src/config.js';
import { createAjv } from '../../src/schema/validator.js';
import { compositeControllerCrd } from '../support/compositecontroller-crd.js';

const MANIFESTS_URL = new URL('../../manifests/', import.meta.url);
const MANIFESTS = fileURLToPath(MANIFESTS_URL);
const PRE_416 = fileURLToPath(new URL('overlays/metacontroller-pre-4.16/', MANIFESTS_URL));
const TLS = fileURLToPath(new URL('overlays/tls/', MANIFESTS_URL));
const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const NS = 'bucket-system';
const POD_SELECTOR = { 'app.kubernetes.io/name': 'bucket-hook', 'app.kubernetes.io/component': 'hook' };

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface Webhook {
  url?: string;
  timeout?: string;
  caBundle?: { secretRef?: { name?: string; namespace?: string; key?: string } };
  authorization?: { type?: string; secretRef?: { name?: string; namespace?: string; key?: string } };
}
interface CompositeController extends K8sObject {
  spec: {
    generateSelector?: boolean;
    parentResource?: { apiVersion?: string; resource?: string };
    childResources?: unknown[];
    hooks?: { sync?: { webhook?: Webhook }; finalize?: { webhook?: Webhook }; customize?: { webhook?: Webhook } };
  };
}

function render(dir = MANIFESTS): K8sObject[] {
  let text: string;
  try {
    text = execFileSync(KUBECTL, ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr ?? (err as Error).message;
    throw new Error(`\`${KUBECTL} kustomize ${dir}\` failed (kubectl missing? set KUBECTL to its path): ${detail}`, { cause: err });
  }
  return parseAllDocuments(text).map((doc) => doc.toJS() as K8sObject);
}

const objects = render();
const id = (o: K8sObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
function one<T>(kind: string, from = objects): T {
  const found = from.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}`);
  return found[0] as T;
}

// Typed views; validate() below proves the casts.
const namespace = new Namespace(one<INamespace>('Namespace'));
const crdNamed = (name: string): ICustomResourceDefinition => objects.find((o) => id(o) === `CustomResourceDefinition//${name}`) as unknown as ICustomResourceDefinition;
const crd = new CustomResourceDefinition(crdNamed('buckets.s3.services.k8s.aws'));
/** ACK's IAMRoleSelector, in our schema (docs/iam-roles.md). */
const roleCrd = new CustomResourceDefinition(crdNamed('iamroleselectors.services.k8s.aws'));
const serviceAccount = new ServiceAccount(one<IServiceAccount>('ServiceAccount'));
const deployment = new Deployment(one<IDeployment>('Deployment'));
const service = new Service(one<IService>('Service'));
const pdb = new PodDisruptionBudget(one<IPodDisruptionBudget>('PodDisruptionBudget'));
const networkPolicy = new NetworkPolicy(one<INetworkPolicy>('NetworkPolicy'));
const controller = one<CompositeController>('CompositeController');
const pod = deployment.spec?.template.spec;
const container = pod?.containers[0];
const envOf = (c: typeof container): Record<string, string | undefined> => Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value]));
const servicePort = (name: string, from = service) => from.spec?.ports?.find((p) => p.name === name);
const containerPort = (name: string, from = container) => from?.ports?.find((p) => p.name === name);

t.test('kustomize renders exactly the install, without the sample', async (t) => {
  t.same(objects.map(id).sort(), [
    'ClusterRole//bucket-hook-events',
    'ClusterRoleBinding//bucket-hook-events',
    'CompositeController//bucket-hook',
    'CustomResourceDefinition//buckets.s3.services.k8s.aws',
    'CustomResourceDefinition//iamroleselectors.services.k8s.aws',
    `Deployment/${NS}/bucket-hook`,
    'Namespace//bucket-system',
    `NetworkPolicy/${NS}/bucket-hook`,
    `PodDisruptionBudget/${NS}/bucket-hook`,
    `Service/${NS}/bucket-hook`,
    `ServiceAccount/${NS}/bucket-hook`,
  ]);
  t.notOk(objects.some((o) => o.kind === 'Bucket'), 'samples/ is for app teams, not part of the install');
  t.notOk(objects.some((o) => o.kind === 'Secret'), 'no Secret, so no token is shipped (the admin creates it)');
  t.notMatch(readFileSync(new URL('kustomization.yaml', MANIFESTS_URL), 'utf8'), /secretGenerator/);
});

t.test('every built-in object passes the Kubernetes API schema', async (t) => {
  for (const model of [namespace, crd, roleCrd, serviceAccount, deployment, service, pdb, networkPolicy]) {
    t.doesNotThrow(() => model.validate(), `${model.kind} ${model.metadata?.name}`);
  }
  // The validator is live: a wrongly typed field in a copy of the Deployment is caught.
  const broken = structuredClone(one<IDeployment>('Deployment'));
  broken.spec!.template.spec!.containers[0]!.ports = [{ containerPort: 'http' as unknown as number }];
  t.throws(() => new Deployment(broken).validate(), /containerPort/);
});

t.test('every object is labelled as part of bucket-hook; namespaced ones live in bucket-system', async (t) => {
  for (const o of objects) {
    t.match(o.metadata.labels, { 'app.kubernetes.io/name': 'bucket-hook', 'app.kubernetes.io/part-of': 'bucket-hook' }, id(o));
  }
  for (const o of [serviceAccount, deployment, service, pdb, networkPolicy]) t.equal(o.metadata?.namespace, NS, o.kind);
  t.equal(namespace.metadata?.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
});

t.test('the CompositeController calls the hook Service for Buckets', async (t) => {
  t.equal(controller.apiVersion, 'metacontroller.k8s.io/v1alpha1');
  // The finalizer on every Bucket is derived from this name; renaming strands it.
  t.equal(controller.metadata.name, 'bucket-hook');
  t.equal(controller.metadata.namespace, undefined, 'CompositeController is cluster-scoped');
  t.equal(controller.spec.generateSelector, true, 'Buckets have no spec.selector');
  t.same(controller.spec.parentResource, { apiVersion: `${crd.spec.group}/${crd.spec.versions[0]?.name}`, resource: crd.spec.names.plural, ignoreStatusChanges: true });
  t.same(controller.spec.childResources ?? [], [], 'no children');
  const port = servicePort('hook')?.port;
  const base = `http://${service.metadata?.name}.${service.metadata?.namespace}.svc:${port}`;
  t.equal(controller.spec.hooks?.sync?.webhook?.url, `${base}/sync`);
  t.equal(controller.spec.hooks?.finalize?.webhook?.url, `${base}/finalize`);
  t.equal(controller.spec.hooks?.sync?.webhook?.timeout, '30s');
  t.equal(controller.spec.hooks?.finalize?.webhook?.timeout, '30s');
  t.equal(controller.spec.hooks?.customize?.webhook?.url, `${base}/customize`, 'the customize hook (IAMRoleSelectors, the Namespace, the coordinates ConfigMap)');
  t.equal(controller.spec.hooks?.customize?.webhook?.timeout, '10s');
});

t.test('every hook sends the bearer token from the Secret the Deployment mounts as HOOK_TOKEN_FILE', async (t) => {
  // The contract's webhook.authorization (Metacontroller >= 4.16): {type, secretRef: {name, namespace, key}}.
  const volume = pod?.volumes?.find((v) => v.secret?.secretName === 'bucket-hook-token');
  const mount = container?.volumeMounts?.find((m) => m.name === volume?.name);
  const file = envOf(container).HOOK_TOKEN_FILE;
  t.ok(volume && mount && file, 'the token Secret is mounted and named in HOOK_TOKEN_FILE');
  t.equal(volume?.secret?.optional, undefined, 'not optional: no pod runs without the token');
  t.equal(mount?.readOnly, true);
  const item = volume?.secret?.items?.find((i) => `${mount?.mountPath}/${i.path}` === file);
  t.ok(item, `HOOK_TOKEN_FILE (${file}) is a file of that volume`);
  t.same(volume?.secret?.items?.length, 1, 'only the token key is mounted');
  t.equal(volume?.secret?.defaultMode, 0o440, 'readable by the hook\'s group only');
  t.equal(pod?.securityContext?.fsGroup, container?.securityContext?.runAsGroup, 'the hook runs in the group that owns the file');
  for (const hook of ['sync', 'finalize', 'customize'] as const) {
    t.same(controller.spec.hooks?.[hook]?.webhook?.authorization, {
      type: 'Bearer',
      secretRef: { name: volume?.secret?.secretName, namespace: deployment.metadata?.namespace, key: item?.key },
    }, `${hook}: the same Secret, namespace and key`);
  }
});

t.test('the NetworkPolicy admits the metacontroller namespace to the hook port only, Prometheus to the admin port only', async (t) => {
  t.same(networkPolicy.spec?.podSelector?.matchLabels, POD_SELECTOR, 'it covers the hook pods');
  t.same(networkPolicy.spec?.policyTypes, ['Ingress'], 'ingress is restricted (egress to S3 stays open)');
  const rules = networkPolicy.spec?.ingress ?? [];
  t.equal(rules.length, 2, 'two rules: nothing else is admitted');
  t.same(rules[0]?.from, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'metacontroller' } } }], 'from Metacontroller\'s namespace only (no podSelector, no ipBlock)');
  t.same(rules[0]?.ports, [{ protocol: 'TCP', port: 'hook' }], 'to the hook port only');
  t.same(rules[1]?.from, [{
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
  }], 'one peer with both selectors: Prometheus pods in the monitoring namespace, not either');
  t.same(rules[1]?.ports, [{ protocol: 'TCP', port: 'admin' }], 'to the admin port only');
  const admitted = (port: string) => rules.filter((r) => r.ports?.some((p) => p.port === port));
  t.equal(admitted('hook').length, 1, 'only the first rule reaches the hook port');
  t.equal(admitted('admin').length, 1);
  t.ok(rules.every((r) => (r.ports ?? []).length > 0), 'no rule admits every port');
  // The named ports are the container's, and the Service's hook port (what Metacontroller calls) leads to the same one.
  t.equal(containerPort('hook')?.containerPort, 8080);
  t.equal(containerPort('admin')?.containerPort, 8081);
  t.equal(servicePort('hook')?.targetPort, 'hook');
  t.equal(servicePort('admin')?.targetPort, 'admin');
});

t.test('Service and PodDisruptionBudget select the hook pods; the Service reaches the container port', async (t) => {
  const podLabels = deployment.spec?.template.metadata?.labels ?? {};
  t.same(deployment.spec?.selector.matchLabels, POD_SELECTOR);
  t.match(podLabels, POD_SELECTOR, 'the Deployment selects its own pods');
  t.same(service.spec?.selector, POD_SELECTOR);
  t.same(pdb.spec?.selector?.matchLabels, POD_SELECTOR);
  t.equal(pdb.spec?.minAvailable, 1);
  t.equal(service.spec?.type, 'ClusterIP');
  t.same(service.spec?.ports?.map((p) => [p.name, p.port, p.targetPort]), [['hook', 8080, 'hook'], ['admin', 8081, 'admin']], 'both named ports');
  t.same(container?.ports?.map((p) => [p.name, p.containerPort]), [['hook', 8080], ['admin', 8081]]);
});

t.test('the Deployment runs the image hardened, probed and configured as the hook expects', async (t) => {
  t.equal(deployment.spec?.replicas, 2);
  t.equal(pod?.serviceAccountName, serviceAccount.metadata?.name);
  t.equal(pod?.terminationGracePeriodSeconds, 30, 'above the 25 s close-with-grace delay in main.ts');
  t.equal(pod?.containers.length, 1);
  t.equal(container?.image, 'bucket-hook:0.1.0');
  t.match(pod?.securityContext, { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
  t.match(container?.securityContext, {
    runAsNonRoot: true,
    runAsUser: 1000,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  // The probes go to the admin port: plain HTTP whatever the hook port speaks, never past the hook's auth.
  t.same(container?.readinessProbe?.httpGet && [container.readinessProbe.httpGet.path, container.readinessProbe.httpGet.port, container.readinessProbe.httpGet.scheme], ['/readyz', 'admin', undefined]);
  t.same(container?.livenessProbe?.httpGet && [container.livenessProbe.httpGet.path, container.livenessProbe.httpGet.port, container.livenessProbe.httpGet.scheme], ['/healthz', 'admin', undefined]);
  t.same(container?.resources, { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } });

  // The env must be a configuration the hook accepts, listening where the probes and Service look.
  const env = envOf(container);
  t.same(Object.keys(env).sort(), ['AWS_REGION', 'CLAIM_KEY_FILE', 'DELETION_POLICY', 'HOOK_TOKEN_FILE', 'HOST', 'LOG_LEVEL', 'POD_NAME']);
  const config = parseConfig(env);
  t.same([config.host, config.allowUnauthenticated], ['0.0.0.0', false], "the pod's address (probes, the Service), accepted because the token is set");
  t.throws(() => parseConfig({ ...env, HOOK_TOKEN_FILE: '' }), /HOST="0\.0\.0\.0" listens beyond this machine/, 'the same env without the token would not start');
  t.same([config.region, config.deletionPolicy, config.logLevel], ['us-east-1', 'delete', 'info']);
  t.same([config.port, config.adminPort], [containerPort('hook')?.containerPort, containerPort('admin')?.containerPort], 'the hook listens on the ports the probes, the Service and the NetworkPolicy name');
  // The limits fit the 256Mi memory limit (README, Configuration): the defaults, as the env sets none.
  t.same([config.maxConnections, config.requestTimeoutMs, config.headersTimeoutMs], [512, 30_000, 10_000]);
  t.equal(config.hookTokenFile, '/var/run/secrets/bucket-hook/token');
  t.equal(config.claimKeyFile, '/var/run/secrets/bucket-hook-claim/key');
});

t.test('every replica signs claims with the one key of the Secret bucket-hook-claim-key, mounted as CLAIM_KEY_FILE', async (t) => {
  const volume = pod?.volumes?.find((v) => v.secret?.secretName === 'bucket-hook-claim-key');
  const mount = container?.volumeMounts?.find((m) => m.name === volume?.name);
  const file = envOf(container).CLAIM_KEY_FILE;
  t.ok(volume && mount && file, 'the claim key Secret is mounted and named in CLAIM_KEY_FILE');
  t.equal(volume?.secret?.optional, undefined, 'not optional: no replica signs with a key of its own');
  t.ok(mount?.readOnly);
  t.ok(volume?.secret?.items?.some((i) => `${mount?.mountPath}/${i.path}` === file), `CLAIM_KEY_FILE (${file}) is a file of that volume`);
  t.same(volume?.secret?.items?.length, 1, 'only the key');
  t.equal(volume?.secret?.defaultMode, 0o440, 'readable by the hook\'s group only');
  const controllerText = JSON.stringify(controller);
  t.notMatch(controllerText, /bucket-hook-claim-key/, 'Metacontroller is given the token, never the claim key');
});

t.test('the sample Bucket is exactly the documented one and targets the CRD', async (t) => {
  const sample = parse(readFileSync(new URL('samples/bucket.yaml', MANIFESTS_URL), 'utf8')) as unknown;
  t.same(sample, {
    apiVersion: 's3.services.k8s.aws/v1alpha1',
    kind: 'Bucket',
    metadata: { name: 'artifacts', namespace: 'team-a' },
    spec: { name: 'team-a-artifacts-7f3c', versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } },
  });
  t.equal(`${crd.spec.group}/${crd.spec.versions[0]?.name}`, (sample as K8sObject).apiVersion);
  t.equal(crd.spec.names.kind, (sample as K8sObject).kind);
});

t.test('the overlay for Metacontroller < 4.16 renders, validates, and only drops the token (saying so: ALLOW_UNAUTHENTICATED)', async (t) => {
  const pre = render(PRE_416);
  const byId = new Map(objects.map((o) => [id(o), o]));
  t.same(pre.map(id).sort(), objects.map(id).filter((i) => !i.startsWith('CustomResourceDefinition/')).sort(), 'the base install minus the CRD (applied on its own)');
  t.match(readFileSync(new URL('kustomization.yaml', new URL('overlays/metacontroller-pre-4.16/', MANIFESTS_URL)), 'utf8'), /kubectl apply -f manifests\/crd\.yaml/, 'it says how to apply the CRD');

  const preDeployment = new Deployment(one<IDeployment>('Deployment', pre));
  t.doesNotThrow(() => preDeployment.validate());
  t.doesNotThrow(() => new NetworkPolicy(one<INetworkPolicy>('NetworkPolicy', pre)).validate());
  const preContainer = preDeployment.spec?.template.spec?.containers[0];
  const preEnv = envOf(preContainer);
  t.same(Object.keys(preEnv).sort(), ['ALLOW_UNAUTHENTICATED', 'AWS_REGION', 'CLAIM_KEY_FILE', 'DELETION_POLICY', 'HOST', 'LOG_LEVEL', 'POD_NAME'], 'no HOOK_TOKEN_FILE; open by an explicit setting');
  t.same([parseConfig(preEnv).hookTokenFile, parseConfig(preEnv).allowUnauthenticated], [undefined, true], 'a configuration the hook accepts');
  t.throws(() => parseConfig({ ...preEnv, ALLOW_UNAUTHENTICATED: 'false' }), /HOST="0\.0\.0\.0" listens beyond this machine/, 'without the setting it would refuse to start');
  t.same(preDeployment.spec?.template.spec?.volumes?.map((v) => v.name), ['claim-key', 'kube-api-access'], 'no token volume, so no token Secret needed (the claim key and the API access for Events stay)');
  t.same(preContainer?.volumeMounts?.map((m) => m.name), ['claim-key', 'kube-api-access']);

  const preController = one<CompositeController>('CompositeController', pre);
  t.equal(preController.spec.hooks?.sync?.webhook?.authorization, undefined);
  t.equal(preController.spec.hooks?.finalize?.webhook?.authorization, undefined);
  t.equal(preController.spec.hooks?.customize?.webhook?.authorization, undefined);
  // Everything else is exactly the base: same URLs, timeouts, parent, NetworkPolicy, probes, hardening.
  const withoutAuth = structuredClone(controller);
  delete withoutAuth.spec.hooks!.sync!.webhook!.authorization;
  delete withoutAuth.spec.hooks!.finalize!.webhook!.authorization;
  delete withoutAuth.spec.hooks!.customize!.webhook!.authorization;
  t.same(preController, withoutAuth);
  const baseDeployment = structuredClone(one<IDeployment>('Deployment'));
  const basePod = baseDeployment.spec!.template.spec!;
  basePod.volumes = basePod.volumes!.filter((v) => v.name !== 'hook-token');
  basePod.containers[0]!.volumeMounts = basePod.containers[0]!.volumeMounts!.filter((m) => m.name !== 'hook-token');
  basePod.containers[0]!.env = [{ name: 'ALLOW_UNAUTHENTICATED', value: 'true' }, ...basePod.containers[0]!.env!.filter((e) => e.name !== 'HOOK_TOKEN_FILE')];
  t.same(one<IDeployment>('Deployment', pre), baseDeployment);
  for (const o of pre.filter((o) => o.kind !== 'Deployment' && o.kind !== 'CompositeController')) t.same(o, byId.get(id(o)), id(o));
});

// Metacontroller's own CompositeController schema (v4.17.2, vendored), as kubectl's Strict field
// validation applies it: an undeclared field is refused.
type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; items?: JsonSchema; additionalProperties?: unknown };
function asKubectlStrict(node: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...node };
  if (node.properties) {
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, asKubectlStrict(v)]));
    if (node['x-kubernetes-preserve-unknown-fields'] !== true && node.additionalProperties === undefined) out.additionalProperties = false;
  }
  if (node.items) out.items = asKubectlStrict(node.items);
  return out;
}
const metacontrollerCrd = compositeControllerCrd as unknown as { spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: JsonSchema } }> } };
const ajv = createAjv();
// Go durations, as in the webhook timeout ("30s", "1m30s").
ajv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/);
const compositeControllerValid = ajv.compile(asKubectlStrict(metacontrollerCrd.spec.versions.find((v) => v.name === 'v1alpha1')!.schema.openAPIV3Schema));
const ccProblems = (doc: unknown): string => (compositeControllerValid(doc) ? '' : ajv.errorsText(compositeControllerValid.errors));

t.test('every rendered CompositeController passes the CompositeController CRD schema (Metacontroller v4.17.2\'s API)', async (t) => {
  for (const [label, dir] of [['base', MANIFESTS], ['metacontroller-pre-4.16', PRE_416], ['tls', TLS]] as const) {
    t.equal(ccProblems(one<CompositeController>('CompositeController', render(dir))), '', label);
  }
  // The harness is live: Metacontroller would refuse each of these.
  const broken = (change: (c: CompositeController) => void) => {
    const copy = structuredClone(controller);
    change(copy);
    return ccProblems(copy);
  };
  t.match(broken((c) => void ((c.spec.hooks!.sync!.webhook as Record<string, unknown>).cabundle = {})), /additional properties/, 'a misspelt field');
  t.match(broken((c) => void ((c.spec.hooks!.sync!.webhook as Record<string, unknown>).caBundle = 'LS0tLS1CRUdJTi...')), /must be object/, 'a base64 caBundle, as webhook configurations have');
  t.match(broken((c) => void (c.spec.hooks!.sync!.webhook!.caBundle = { secretRef: { name: 'bucket-hook-tls' } })), /namespace/, 'a secretRef without its namespace');
  t.match(broken((c) => void (c.spec.hooks!.sync!.webhook!.timeout = '30 seconds')), /format "duration"/);
});

t.test('the TLS overlay: renders, validates, https hook URLs trusting the CA of a certificate for the Service\'s name', async (t) => {
  const tls = render(TLS);
  const byId = new Map(objects.map((o) => [id(o), o]));
  t.same(tls.map(id).sort(), [
    ...objects.map(id).filter((i) => !i.startsWith('CustomResourceDefinition/')),
    `Certificate/${NS}/bucket-hook-ca`,
    `Certificate/${NS}/bucket-hook-tls`,
    `Issuer/${NS}/bucket-hook-ca`,
    `Issuer/${NS}/bucket-hook-selfsigned`,
  ].sort(), 'the base install (minus the CRD, applied on its own) plus cert-manager\'s issuers and certificates');
  t.match(readFileSync(new URL('overlays/tls/kustomization.yaml', MANIFESTS_URL), 'utf8'), /kubectl apply -f manifests\/crd\.yaml/, 'it says how to apply the CRD');
  for (const o of tls) t.match(o.metadata.labels, { 'app.kubernetes.io/name': 'bucket-hook', 'app.kubernetes.io/part-of': 'bucket-hook' }, id(o));

  const certificates = tls.filter((o) => o.kind === 'Certificate').map((o) => new Certificate(o as unknown as ICertificate));
  const issuers = tls.filter((o) => o.kind === 'Issuer').map((o) => new Issuer(o as unknown as IIssuer));
  for (const model of [...certificates, ...issuers]) t.doesNotThrow(() => model.validate(), `${model.kind} ${model.metadata?.name} passes cert-manager's schema`);
  const brokenCert = structuredClone(tls.find((o) => o.kind === 'Certificate')!) as unknown as ICertificate;
  (brokenCert.spec as unknown as Record<string, unknown>).dnsNames = 'bucket-hook.bucket-system.svc';
  t.throws(() => new Certificate(brokenCert).validate(), /dnsNames/, 'the cert-manager validator is live');
  const tlsDeployment = new Deployment(one<IDeployment>('Deployment', tls));
  t.doesNotThrow(() => tlsDeployment.validate());

  // The chain: the serving certificate is signed by the CA issuer, whose key is the CA certificate's Secret.
  const specOf = (name: string) => {
    const spec = certificates.find((c) => c.metadata?.name === name)?.spec;
    if (!spec) throw new Error(`no Certificate ${name} with a spec`);
    return { spec };
  };
  const serving = specOf('bucket-hook-tls');
  const ca = specOf('bucket-hook-ca');
  const issuerNamed = (name: string | undefined) => issuers.find((i) => i.metadata?.name === name);
  for (const o of [...certificates, ...issuers]) t.equal(o.metadata?.namespace, NS, `${o.kind} ${o.metadata?.name} in ${NS}`);
  t.same(serving.spec.issuerRef, { group: 'cert-manager.io', kind: 'Issuer', name: 'bucket-hook-ca' });
  t.equal(issuerNamed(serving.spec.issuerRef.name)?.spec?.ca?.secretName, ca.spec.secretName, 'the CA issuer signs with the CA certificate\'s key');
  t.equal(ca.spec.isCA, true);
  t.ok(issuerNamed(ca.spec.issuerRef.name)?.spec?.selfSigned, 'the CA is self-signed');
  t.notOk(serving.spec.isCA);
  t.same(serving.spec.usages, ['server auth', 'digital signature']);
  t.equal(serving.spec.privateKey?.rotationPolicy, 'Always');

  // The serving certificate names the Service, and the hook URLs use one of its names.
  const serviceNames = [`${service.metadata?.name}.${service.metadata?.namespace}.svc`, `${service.metadata?.name}.${service.metadata?.namespace}.svc.cluster.local`];
  t.same(serving.spec.dnsNames, serviceNames, 'the Service\'s DNS names, nothing else');
  const tlsController = one<CompositeController>('CompositeController', tls);
  const hookPort = servicePort('hook', new Service(one<IService>('Service', tls)))?.port;
  for (const hook of ['sync', 'finalize', 'customize'] as const) {
    const webhook = tlsController.spec.hooks?.[hook]?.webhook;
    const url = new URL(webhook?.url ?? '');
    t.equal(url.protocol, 'https:', `${hook}: https`);
    t.equal(url.href, `https://${serviceNames[0]}:${hookPort}/${hook}`, `${hook}: the Service's hook port`);
    t.ok(serving.spec.dnsNames?.includes(url.hostname), `${hook}: the certificate is valid for ${url.hostname}`);
    t.same(webhook?.caBundle, { secretRef: { name: serving.spec.secretName, namespace: NS, key: 'ca.crt' } }, `${hook}: trusts the CA from the serving certificate's Secret`);
    t.same(webhook?.authorization, controller.spec.hooks?.[hook]?.webhook?.authorization, `${hook}: still sends the bearer token`);
    t.equal(webhook?.timeout, hook === 'customize' ? '10s' : '30s');
  }

  // The Deployment serves that Secret: mounted where TLS_CERT_FILE and TLS_KEY_FILE point.
  const tlsPod = tlsDeployment.spec?.template.spec;
  const tlsContainer = tlsPod?.containers[0];
  const env = envOf(tlsContainer);
  const volume = tlsPod?.volumes?.find((v) => v.secret?.secretName === serving.spec.secretName);
  const mount = tlsContainer?.volumeMounts?.find((m) => m.name === volume?.name);
  t.ok(volume && mount, 'the serving certificate\'s Secret is mounted');
  t.equal(volume?.secret?.optional, undefined, 'not optional: no pod serves plain HTTP for want of it');
  t.equal(volume?.secret?.defaultMode, 0o440);
  t.equal(mount?.readOnly, true);
  const fileOf = (key: string) => {
    const item = volume?.secret?.items?.find((i) => i.key === key);
    return item && `${mount?.mountPath}/${item.path}`;
  };
  t.equal(env.TLS_CERT_FILE, fileOf('tls.crt'), 'TLS_CERT_FILE is the mounted tls.crt');
  t.equal(env.TLS_KEY_FILE, fileOf('tls.key'), 'TLS_KEY_FILE is the mounted tls.key');
  t.same(volume?.secret?.items?.map((i) => i.key), ['tls.crt', 'tls.key'], 'only the certificate and key (no CA key, no ca.crt needed)');
  const config = parseConfig(env);
  t.same(config.tls, { certFile: env.TLS_CERT_FILE, keyFile: env.TLS_KEY_FILE, clientCaFile: undefined }, 'a configuration the hook accepts: HTTPS, no mTLS');
  t.equal(config.hookTokenFile, '/var/run/secrets/bucket-hook/token', 'the token is still required');
  t.equal(tlsContainer?.readinessProbe?.httpGet?.port, 'admin', 'probes stay on the plain-HTTP admin port');
  t.equal(tlsContainer?.readinessProbe?.httpGet?.scheme, undefined);

  // Everything else is exactly the base.
  const withoutTls = structuredClone(one<IDeployment>('Deployment', tls));
  const pod0 = withoutTls.spec!.template.spec!;
  pod0.volumes = pod0.volumes!.filter((v) => v.name !== volume?.name);
  pod0.containers[0]!.volumeMounts = pod0.containers[0]!.volumeMounts!.filter((m) => m.name !== volume?.name);
  pod0.containers[0]!.env = pod0.containers[0]!.env!.filter((e) => !e.name.startsWith('TLS_'));
  t.same(withoutTls, byId.get(`Deployment/${NS}/bucket-hook`), 'the Deployment: the base plus the volume, its mount and the two variables');
  const plainController = structuredClone(tlsController);
  for (const hook of ['sync', 'finalize', 'customize'] as const) {
    const webhook = plainController.spec.hooks![hook]!.webhook!;
    delete webhook.caBundle;
    webhook.url = webhook.url!.replace('https://', 'http://');
  }
  t.same(plainController, controller, 'the CompositeController: the base with https URLs and a caBundle');
  for (const o of tls.filter((o) => byId.has(id(o)) && o.kind !== 'Deployment' && o.kind !== 'CompositeController')) t.same(o, byId.get(id(o)), id(o));
});
