// Health as the tools compute it, for every reason in the README's status table (the shared table in
// test/support/gitops-health-cases.ts, each status produced by the real sync or finalize core): each answer
// stored as a real Bucket's status on the real API server, written through /status as Metacontroller writes
// it (observedGeneration = the generation handed to the hook), the Buckets being deleted first given a
// finalizer and deleted; then what `kubectl get buckets -o json` returns judged by
// - kstatus's Compute, the library itself (sigs.k8s.io/cli-utils v0.37.2: test/cluster/go/kstatus), and
// - Argo CD's own rule for *.services.k8s.aws kinds (resource_customizations/_.services.k8s.aws/_/health.lua,
//   read from Argo CD's Go module at run time, never copied here), run with gopher-lua as Argo CD runs it,
//   and Argo CD's "Pending deletion" for objects being deleted (test/cluster/go/luahealth).
// Only the CRDs are installed: no controller runs, so what is judged is exactly what the test wrote.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { BucketStatus, HookResponse } from '../../src/reconciler/model/resource.js';
import { FINALIZER, type BucketInput } from '../support/envelope.js';
import { HEALTH_CASES, readmeReasons } from '../support/gitops-health-cases.js';
import { argoHealth, argoRule } from '../support/gitops-health-rules.js';
import { clusterEnv, deleteCrds, kubectl, kubectlOk, ROOT } from './support/cluster.js';
import type { KubeObject } from './support/kube-client.js';

// Argo CD's rule for ACK kinds first shipped in v3.6.0 (argoproj/argo-cd#29016); v3.6.x needs Go 1.27,
// so Go downloads and verifies the module but does not extract it: luahealth reads its zip.
const ARGO_CD = 'github.com/argoproj/argo-cd/v3@v3.6.2';
const GITOPS_ENGINE = 'github.com/argoproj/argo-cd/gitops-engine/v3@v3.6.2';
const ACK_RULE_DIR = '_.services.k8s.aws/_';
const ACK_RULE = `${ACK_RULE_DIR}/health.lua`;

const env = clusterEnv();
// Downloading Argo CD's module (about 60 MB) on a cold machine.
t.setTimeout(600_000);

interface Bucket extends KubeObject {
  spec: Record<string, unknown>;
  status?: BucketStatus;
}
interface Judgement {
  name: string;
  status: string;
  message: string;
}
interface ArgoJudgement extends Judgement {
  script: string;
  rule: { status: string; message: string } | null;
}

function jsonLines<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

/** A program of ours fed JSON on stdin; its JSON lines, or an error with what it said. */
function run<T>(program: string, args: string[], input: string): T[] {
  const res = spawnSync(program, args, { input, encoding: 'utf8', timeout: 60_000 });
  if (res.status !== 0) throw new Error(`${program} ${args.join(' ')} exited with ${res.status}: ${res.stderr || String(res.error)}`);
  return jsonLines<T>(res.stdout);
}

type ArgoModules = { argoCd: string; gitopsEngine: string } | { refused: string };
let argoModulesFound: ArgoModules | undefined;
/** Argo CD's modules from Go's module cache (downloaded when missing), or why they cannot be had. */
function argoModules(): ArgoModules {
  if (argoModulesFound) return argoModulesFound;
  try {
    const zip = (spec: string): string =>
      execFileSync('bash', ['test/cluster/build.sh', '--module-zip', spec], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 540_000,
      }).trim();
    argoModulesFound = { argoCd: zip(ARGO_CD), gitopsEngine: zip(GITOPS_ENGINE) };
  } catch (err) {
    argoModulesFound = { refused: String((err as { stderr?: string }).stderr || err).trim() };
  }
  return argoModulesFound;
}

function luahealthPath(): string {
  return env.luahealth ?? execFileSync('bash', ['test/cluster/build.sh', '--path', 'luahealth'], { cwd: ROOT, encoding: 'utf8', timeout: 540_000 }).trim();
}

const kubeName = (reason: string): string => reason.toLowerCase();
const conditionOf = (status: BucketStatus | undefined, type: string) => status?.conditions?.find((c) => c.type === type);

const crdsBefore = kubectl(env, ['get', 'crd', 'buckets.s3.services.k8s.aws']).code === 0;
const ns = `health-${randomBytes(3).toString('hex')}`;

t.teardown(() => {
  const left = kubectl(env, ['-n', ns, 'get', 'buckets', '-o', 'name']).stdout.split('\n').filter(Boolean);
  for (const bucket of left) kubectl(env, ['-n', ns, 'patch', bucket, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  // Waits for both to go: the next file of the suite installs the CRDs again.
  kubectl(env, ['delete', 'namespace', ns, '--ignore-not-found', '--timeout=120s']);
  if (!crdsBefore) deleteCrds(env);
});

t.test('every reason of the README: its status stored by the API server, judged by kstatus and by Argo CD', async (t) => {
  t.same(Object.keys(HEALTH_CASES).sort(), readmeReasons().sort(), "the table covers exactly the README's reasons");
  kubectlOk(env, ['apply', '-f', 'manifests/crd.yaml', '-f', 'manifests/iamroleselector-crd.yaml']);
  kubectlOk(env, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/buckets.s3.services.k8s.aws', 'crd/iamroleselectors.services.k8s.aws']);
  kubectlOk(env, ['create', 'namespace', ns]);

  // The hook's answers, and the Buckets they answered, created as a user would (with the finalizer
  // Metacontroller adds); those the finalize hook answered are deleted, and wait on the finalizer.
  const answers = new Map<string, { input: BucketInput; response: HookResponse }>();
  for (const [reason, c] of Object.entries(HEALTH_CASES)) answers.set(reason, await c.make());
  const manifests = [...answers].map(([reason, { input }]) => ({
    apiVersion: 's3.services.k8s.aws/v1alpha1',
    kind: 'Bucket',
    metadata: { name: kubeName(reason), namespace: ns, annotations: input.annotations ?? {}, finalizers: [FINALIZER] },
    spec: input.spec,
  }));
  kubectlOk(env, ['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }) });
  const deleting = [...answers].filter(([, a]) => a.input.deletionTimestamp).map(([reason]) => kubeName(reason));
  const terminating = Object.entries(HEALTH_CASES)
    .filter(([, c]) => c.kstatus === 'Terminating')
    .map(([reason]) => kubeName(reason));
  t.same(deleting, terminating, 'the Buckets the finalize hook answered are the ones expected Terminating');
  kubectlOk(env, ['-n', ns, 'delete', 'bucket', ...deleting, '--wait=false']);

  // Metacontroller's write: the answer's status, observedGeneration = the generation it handed over.
  const stored = JSON.parse(kubectlOk(env, ['-n', ns, 'get', 'buckets', '-o', 'json'])) as { items: Bucket[] };
  const expected = new Map<string, BucketStatus>();
  const withStatus = stored.items.map((bucket) => {
    const reason = [...answers.keys()].find((r) => kubeName(r) === bucket.metadata.name)!;
    const status = JSON.parse(JSON.stringify({ ...answers.get(reason)!.response.status, observedGeneration: bucket.metadata.generation })) as BucketStatus;
    expected.set(bucket.metadata.name, status);
    return { ...bucket, status };
  });
  kubectlOk(env, ['replace', '--subresource=status', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: withStatus }) });

  const listed = kubectlOk(env, ['-n', ns, 'get', 'buckets', '-o', 'json']);
  const buckets = new Map((JSON.parse(listed) as { items: Bucket[] }).items.map((b) => [b.metadata.name, b]));
  const kstatus = new Map(run<Judgement>(env.kstatus, [], listed).map((j) => [j.name, j]));

  const modules = argoModules();
  let argo: Map<string, ArgoJudgement> | undefined;
  if ('refused' in modules) {
    t.comment(
      `Argo CD's module could not be had (${modules.refused}): Argo CD's health is judged by the rule restated in test/support/gitops-health-rules.ts, not by Argo CD's own`,
    );
    t.pass("FALLBACK: Argo CD's rule restated in our code, not run from Argo CD's module");
  } else {
    argo = new Map(run<ArgoJudgement>(luahealthPath(), ['--argo-cd', modules.argoCd, '--gitops-engine', modules.gitopsEngine], listed).map((j) => [j.name, j]));
    t.comment(`Argo CD's rule ${ACK_RULE} from ${ARGO_CD}, run with gopher-lua v1.1.2`);
  }

  for (const [reason, c] of Object.entries(HEALTH_CASES)) {
    await t.test(`${reason}: kstatus ${c.kstatus}, Argo CD ${c.argo}`, async (t) => {
      const name = kubeName(reason);
      const bucket = buckets.get(name)!;
      const status = bucket.status;
      t.strictSame(status, expected.get(name), 'the API server kept the status as written: the CRD prunes none of its fields');
      t.ok(
        status?.conditions?.some((x) => x.reason === reason),
        `the stored status carries reason ${reason}`,
      );
      const beingDeleted = deleting.includes(name);
      t.equal(Boolean(bucket.metadata.deletionTimestamp), beingDeleted, beingDeleted ? 'deletionTimestamp set, the finalizer holds it' : 'not being deleted');
      t.equal(status?.observedGeneration, bucket.metadata.generation, 'observedGeneration is the generation');

      const k = kstatus.get(name)!;
      t.equal(k.status, c.kstatus, `kstatus: ${k.message}`);
      const decidedBy = c.kstatus === 'Failed' ? conditionOf(status, 'Stalled') : (conditionOf(status, 'Reconciling') ?? conditionOf(status, 'Ready'));
      const kMessage = { Terminating: 'Resource scheduled for deletion', Current: 'Resource is Ready' }[c.kstatus as string] ?? decidedBy?.message;
      t.equal(k.message, kMessage, "kstatus's message");

      if (!argo) {
        t.equal(argoRule(status), c.argoRule ?? c.argo, 'the rule for ACK kinds (restated)');
        t.equal(argoHealth(bucket), c.argo, 'what Argo CD shows (restated)');
        return;
      }
      const a = argo.get(name)!;
      t.equal(a.script, ACK_RULE, 'Argo CD picks its rule for ACK kinds');
      const ruleMessage = { Degraded: conditionOf(status, 'ACK.Terminal')?.message, Progressing: conditionOf(status, 'Ready')?.message, Healthy: '' }[
        c.argoRule ?? c.argo
      ];
      t.strictSame(a.rule, { status: c.argoRule ?? c.argo, message: ruleMessage }, 'what the rule returns');
      t.equal(a.status, c.argo, `what Argo CD shows: ${a.message}`);
      t.equal(a.message, beingDeleted ? `Pending deletion; blocked by finalizers: ${FINALIZER}` : ruleMessage, "Argo CD's message");
    });
  }
});

t.test("Argo CD's own test cases for its rule pass in our Lua VM: the rule runs as Argo CD runs it", async (t) => {
  const modules = argoModules();
  if ('refused' in modules) {
    t.comment(`Argo CD's module could not be had (${modules.refused})`);
    t.pass("FALLBACK: Argo CD's rule restated in our code: nothing of Argo CD's to run");
    return;
  }
  const cases = run<{ input: string; script: string; expected: unknown; rule: unknown }>(
    luahealthPath(),
    ['--argo-cd', modules.argoCd, '--rule-tests', ACK_RULE_DIR],
    '',
  );
  t.ok(cases.length >= 4, `${cases.length} cases in ${ACK_RULE_DIR}/health_test.yaml`);
  for (const c of cases) {
    t.equal(c.script, ACK_RULE, `${c.input}: the rule chosen`);
    t.strictSame(c.rule, c.expected, `${c.input}: as Argo CD's test expects`);
  }
});

t.test('a spec change not yet observed: kstatus InProgress, while Argo CD keeps the Ready it reads', async (t) => {
  const name = kubeName('Available');
  kubectlOk(env, ['-n', ns, 'patch', 'bucket', name, '--type=merge', '-p', '{"spec":{"versioning":{"status":"Suspended"}}}']);
  const listed = kubectlOk(env, ['-n', ns, 'get', 'bucket', name, '-o', 'json']);
  const bucket = JSON.parse(listed) as Bucket;
  t.equal(bucket.metadata.generation, 2, 'the spec change made generation 2');
  t.equal(bucket.status?.observedGeneration, 1, 'the status still says 1 (no hook has answered)');
  const [k] = run<Judgement>(env.kstatus, [], listed);
  t.equal(k?.status, 'InProgress', 'kstatus: the spec change is not yet observed');
  t.equal(k?.message, 'Bucket generation is 2, but latest observed generation is 1', "kstatus's message");
  const modules = argoModules();
  if ('refused' in modules) {
    t.pass("FALLBACK: Argo CD's rule restated in our code");
    t.equal(argoHealth(bucket), 'Healthy', 'the restated rule reads the conditions only');
    return;
  }
  const [a] = run<ArgoJudgement>(luahealthPath(), ['--argo-cd', modules.argoCd], listed);
  t.equal(a?.status, 'Healthy', "Argo CD's rule reads the conditions only: Healthy until the hook answers");
});
