// The install as an admin runs it, checked by a real API server: `kubectl apply -k` of manifests/ and of
// each overlay, the CRDs Established, `kubectl explain`; the project's ACK-shaped corpus created for real
// (no controller running: only the API server's validation is under test); and RBAC: the hook's
// ServiceAccount can do exactly what it needs, nothing more.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { loadCorpus } from '../support/ack-corpus.js';
import { compositeControllerCrdYaml } from '../support/compositecontroller-crd.js';
import { clusterEnv, kubectl, kubectlOk } from './support/cluster.js';

const env = clusterEnv();
const SA = 'system:serviceaccount:bucket-system:bucket-hook';

t.before(() => {
  kubectlOk(env, ['apply', '-f', '-'], { input: compositeControllerCrdYaml() });
  kubectlOk(env, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/compositecontrollers.metacontroller.k8s.io']);
});
t.teardown(() => {
  kubectl(env, ['delete', '-k', 'manifests/', '--ignore-not-found', '--wait=false']);
  kubectl(env, ['delete', 'namespace', 'corpus', '--ignore-not-found', '--wait=false']);
});

t.test('kubectl apply -k manifests/: every object accepted, the CRDs Established', async (t) => {
  const out = kubectlOk(env, ['apply', '-k', 'manifests/']);
  for (const line of [
    'customresourcedefinition.apiextensions.k8s.io/buckets.s3.services.k8s.aws',
    'customresourcedefinition.apiextensions.k8s.io/iamroleselectors.services.k8s.aws',
    'namespace/bucket-system',
    'serviceaccount/bucket-hook',
    'clusterrole.rbac.authorization.k8s.io/bucket-hook-events',
    'clusterrolebinding.rbac.authorization.k8s.io/bucket-hook-events',
    'service/bucket-hook',
    'deployment.apps/bucket-hook',
    'poddisruptionbudget.policy/bucket-hook',
    'networkpolicy.networking.k8s.io/bucket-hook',
    'compositecontroller.metacontroller.k8s.io/bucket-hook',
  ]) {
    t.match(out, line, line);
  }
  const wait = kubectl(env, [
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/buckets.s3.services.k8s.aws',
    'crd/iamroleselectors.services.k8s.aws',
  ]);
  t.equal(wait.code, 0, wait.stderr);
  const crd = JSON.parse(kubectlOk(env, ['get', 'crd', 'buckets.s3.services.k8s.aws', '-o', 'json'])) as {
    spec: { versions: Array<{ subresources?: { status?: unknown } }> };
  };
  t.same(crd.spec.versions[0]?.subresources, { status: {} }, 'the status subresource Metacontroller requires');
  t.equal(kubectl(env, ['apply', '-k', 'manifests/', '--dry-run=server']).code, 0, 'applying again changes nothing and is accepted');
});

t.test('each overlay is accepted by the API server', async (t) => {
  for (const overlay of ['manifests/overlays/configmaps', 'manifests/overlays/metacontroller-pre-4.16']) {
    const res = kubectl(env, ['apply', '--dry-run=server', '-k', overlay]);
    t.equal(res.code, 0, `${overlay}: ${res.stderr}`);
    t.match(res.stdout, /compositecontroller.metacontroller.k8s.io\/bucket-hook (configured|unchanged) \(server dry run\)/);
  }
  // The tls overlay names cert-manager's kinds: with their CRDs installed (from cert-manager's Go module),
  // the API server accepts it; without them it names the missing kinds.
  const tls = kubectl(env, ['apply', '--dry-run=server', '-k', 'manifests/overlays/tls']);
  const certManager = certManagerCrds();
  if (certManager.length === 0) {
    t.match(
      tls.stderr,
      /no matches for kind "(Issuer|Certificate)" in version "cert-manager.io\/v1"/,
      'without cert-manager: its kinds are missing, nothing else',
    );
    t.comment("cert-manager's Go module could not be had: only the missing cert-manager kinds were checked for the tls overlay");
  } else {
    for (const file of certManager) kubectlOk(env, ['apply', '--server-side', '-f', file]);
    kubectlOk(env, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/certificates.cert-manager.io', 'crd/issuers.cert-manager.io']);
    const accepted = kubectl(env, ['apply', '--dry-run=server', '-k', 'manifests/overlays/tls']);
    t.equal(accepted.code, 0, `tls overlay with cert-manager's CRDs: ${accepted.stderr}`);
    t.match(accepted.stdout, /certificate.cert-manager.io\/bucket-hook-tls created \(server dry run\)/);
  }
});

t.test('kubectl explain documents the fields from the CRD', async (t) => {
  const out = kubectlOk(env, ['explain', 'bucket.spec.lifecycle']);
  t.match(out, /GROUP:\s+s3.services.k8s.aws/);
  t.match(out, /FIELD: lifecycle <Object>/);
  t.match(out, /rules\s+<\[\]Object>/);
  t.match(kubectlOk(env, ['explain', 'bucket.spec.name']), /3-63 lowercase letters, digits, dots and hyphens/);
});

t.test("the project's ACK-shaped corpus is accepted by the real API server", async (t) => {
  kubectlOk(env, ['create', 'namespace', 'corpus']);
  const corpus = loadCorpus();
  let created = 0;
  for (const entry of corpus) {
    for (const doc of entry.docs as Array<{ kind?: string; metadata?: { name?: string } }>) {
      if (doc.kind !== 'Bucket') continue;
      const res = kubectl(env, ['-n', 'corpus', 'create', '-f', '-'], { input: JSON.stringify(doc) });
      t.equal(res.code, 0, `${entry.file}: ${res.stderr.trim()}`);
      created++;
      kubectl(env, ['-n', 'corpus', 'delete', 'bucket', doc.metadata!.name!, '--wait=false']);
    }
  }
  t.ok(created >= 40, `${created} Buckets created`);
});

t.test("RBAC: the hook's ServiceAccount can record Events and nothing else", async (t) => {
  const list = kubectlOk(env, ['auth', 'can-i', '--list', `--as=${SA}`, '-n', 'team-a'])
    .trimEnd()
    .split('\n');
  // Columns by the header's offsets: Resources, Non-Resource URLs, Resource Names, Verbs.
  const header = list[0]!;
  const cut = ['Non-Resource URLs', 'Resource Names', 'Verbs'].map((h) => header.indexOf(h));
  const rules = list
    .slice(1)
    .map((l) => [l.slice(0, cut[0]), l.slice(cut[0], cut[1]), l.slice(cut[2])].map((x) => x.trim()))
    .map(([resource, url, verbs]) => `${resource || url} ${verbs}`)
    .sort();
  t.same(
    rules,
    [
      // What every authenticated identity gets from Kubernetes' own bootstrap roles (system:basic-user,
      // system:discovery, system:public-info-viewer): review its own access, read discovery and version.
      'events.events.k8s.io [create patch]',
      'selfsubjectreviews.authentication.k8s.io [create]',
      'selfsubjectaccessreviews.authorization.k8s.io [create]',
      'selfsubjectrulesreviews.authorization.k8s.io [create]',
      '[/.well-known/openid-configuration/] [get]',
      '[/.well-known/openid-configuration] [get]',
      '[/api/*] [get]',
      '[/api] [get]',
      '[/apis/*] [get]',
      '[/apis] [get]',
      '[/healthz] [get]',
      '[/healthz] [get]',
      '[/livez] [get]',
      '[/livez] [get]',
      '[/openapi/*] [get]',
      '[/openapi] [get]',
      '[/openid/v1/jwks/] [get]',
      '[/openid/v1/jwks] [get]',
      '[/readyz] [get]',
      '[/readyz] [get]',
      '[/version/] [get]',
      '[/version/] [get]',
      '[/version] [get]',
      '[/version] [get]',
    ].sort(),
    'exactly the events verbs beyond what every identity has',
  );
  for (const [verb, resource] of [
    ['get', 'buckets.s3.services.k8s.aws'],
    ['update', 'buckets.s3.services.k8s.aws/status'],
    ['create', 'configmaps'],
    ['get', 'secrets'],
    ['delete', 'events.events.k8s.io'],
    ['create', 'events'],
  ] as Array<[string, string]>) {
    const res = kubectl(env, ['auth', 'can-i', verb, resource, `--as=${SA}`, '-n', 'team-a']);
    t.equal(res.stdout.trim(), 'no', `${verb} ${resource}: no`);
  }
});

/** cert-manager's CRD files from its Go module (the module cache, fetched on demand), or none when it cannot be had. */
function certManagerCrds(): string[] {
  try {
    const dir = execFileSync('bash', ['test/cluster/build.sh', '--module-dir', 'github.com/cert-manager/cert-manager@v1.21.2'], { encoding: 'utf8' }).trim();
    return execFileSync('bash', ['-c', `ls ${dir}/deploy/crds/*.yaml 2>/dev/null || true`], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}
