// The cluster suite's access to the local control plane (test/cluster/control-plane.sh, started by
// test/run.sh or `npm run cluster:up`): kubectl as a user runs it, an admin API client, the install of the
// project's manifests, the hook as a process with its ServiceAccount's identity, the Metacontroller
// stand-in with its own, and waits that watch the API server instead of sleeping.
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHookProcess, type HookProcess } from '../../support/hook-process.js';
import { tsChild } from '../../support/ts-child.js';
import { compositeControllerCrdYaml } from '../../support/compositecontroller-crd.js';
import { KubeClient, resourcePath, type JsonObject, type KubeObject } from './kube-client.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Children this test process started: killed if it ends early (tap's timeout, Ctrl-C), never left running. */
const children = new Set<ChildProcess>();
const killChildren = (): void => {
  for (const c of children) c.kill('SIGKILL');
};
process.once('exit', killChildren);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    killChildren();
    process.exit(1);
  });
}

export interface ClusterEnv {
  kubeconfig: string;
  kubectl: string;
  kstatus: string;
  /** Absent from the env file of a control plane started before luahealth was built with it. */
  luahealth: string | undefined;
  apiUrl: string;
  caFile: string;
  adminToken: string;
  metacontrollerKubeconfig: string;
  dir: string;
}

/** The control plane named by CLUSTER_ENV (an env file of control-plane.sh); one sentence when there is none. */
export function clusterEnv(): ClusterEnv {
  const file = process.env.CLUSTER_ENV;
  if (!file)
    throw new Error(
      'the cluster suite needs the local control plane: run it through `npm test` (test/run.sh starts it), or start it with `bash test/cluster/control-plane.sh up` and set CLUSTER_ENV to the env file it prints',
    );
  const values = Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return {
    kubeconfig: values.KUBECONFIG!,
    kubectl: values.KUBECTL!,
    kstatus: values.KSTATUS!,
    luahealth: values.LUAHEALTH,
    apiUrl: values.CLUSTER_API_URL!,
    caFile: values.CLUSTER_CA_FILE!,
    adminToken: values.CLUSTER_ADMIN_TOKEN!,
    metacontrollerKubeconfig: values.CLUSTER_METACONTROLLER_KUBECONFIG!,
    dir: values.CLUSTER_DIR!,
  };
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** kubectl as a user types it (the admin's kubeconfig unless `as` impersonates). Never throws: tests assert the result. */
export function kubectl(env: ClusterEnv, args: string[], options: { input?: string; as?: string } = {}): KubectlResult {
  const res = spawnSync(env.kubectl, [...(options.as ? [`--as=${options.as}`] : []), ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', KUBECONFIG: env.kubeconfig },
    input: options.input,
    encoding: 'utf8',
    cwd: ROOT,
    timeout: 120_000,
  });
  return { code: res.status ?? -1, stdout: res.stdout ?? '', stderr: res.stderr ?? String(res.error ?? '') };
}

/** kubectl that must succeed: its stdout, or an error with its stderr. */
export function kubectlOk(env: ClusterEnv, args: string[], options: { input?: string; as?: string } = {}): string {
  const res = kubectl(env, args, options);
  if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${res.code}): ${res.stderr.trim()}`);
  return res.stdout;
}

export function adminClient(env: ClusterEnv): KubeClient {
  return new KubeClient({ server: env.apiUrl, token: env.adminToken, ca: readFileSync(env.caFile, 'utf8'), qps: Infinity });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Waits until `predicate` holds for the object at `path`, watching it (no polling): resolves with the object,
 * rejects after `timeoutMs` with `what` and the object's last state.
 */
export async function waitForObject<T extends KubeObject = KubeObject>(
  client: KubeClient,
  path: string,
  predicate: (o: T | undefined) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T | undefined> {
  const collection = path.slice(0, path.lastIndexOf('/'));
  const name = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
  const abort = new AbortController();
  let last: T | undefined;
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    for (;;) {
      const res = await client.request<T>('GET', path);
      last = res.status === 200 ? res.body : undefined;
      if (predicate(last)) return last;
      if (abort.signal.aborted) break;
      let done = false;
      const rv =
        res.status === 200
          ? res.body.metadata.resourceVersion
          : (await client.must<{ metadata: { resourceVersion: string } }>('GET', collection)).metadata.resourceVersion;
      await client
        .watch(
          `${collection}?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`,
          rv,
          (event) => {
            if (done || event.type === 'BOOKMARK' || event.type === 'ERROR') return;
            last = event.type === 'DELETED' ? undefined : (event.object as T);
            if (predicate(last)) {
              done = true;
              abort.abort();
            }
          },
          abort.signal,
        )
        .catch(() => undefined);
      if (done) return last;
      if (abort.signal.aborted) break;
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last state: ${JSON.stringify(last?.status ?? last ?? 'gone').slice(0, 1500)}`);
}

/** Waits until `predicate` holds for the items of a collection (a list, then its watch: no polling). */
export async function waitForCollection(
  client: KubeClient,
  path: string,
  predicate: (items: KubeObject[]) => boolean,
  timeoutMs: number,
  what: string,
): Promise<KubeObject[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const items = new Map<string, KubeObject>();
  try {
    const list = await client.must<{ metadata: { resourceVersion: string }; items: KubeObject[] }>('GET', path);
    for (const o of list.items) items.set(o.metadata.uid, o);
    if (predicate([...items.values()])) return [...items.values()];
    let done = false;
    while (!done && !abort.signal.aborted) {
      await client
        .watch(
          path,
          list.metadata.resourceVersion,
          (event) => {
            if (done || event.type === 'BOOKMARK' || event.type === 'ERROR') return;
            if (event.type === 'DELETED') items.delete(event.object.metadata.uid);
            else items.set(event.object.metadata.uid, event.object);
            list.metadata.resourceVersion = event.object.metadata.resourceVersion;
            if (predicate([...items.values()])) {
              done = true;
              abort.abort();
            }
          },
          abort.signal,
        )
        .catch(() => undefined);
    }
    if (done) return [...items.values()];
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

export function bucketPath(namespace: string, name?: string, subresource?: string): string {
  return resourcePath('s3.services.k8s.aws/v1alpha1', 'buckets', namespace, name, subresource);
}

export function condition(o: KubeObject | undefined, type: string): { status?: string; reason?: string; message?: string } | undefined {
  const conditions = ((o as { status?: { conditions?: Array<{ type: string }> } } | undefined)?.status?.conditions ?? []) as Array<{
    type: string;
    status?: string;
    reason?: string;
    message?: string;
  }>;
  return conditions.find((c) => c.type === type);
}

/** Ready=True at the object's current generation (what `kubectl wait --for=condition=Ready` and kstatus call Current). */
export function isReady(o: KubeObject | undefined): boolean {
  const status = (o as { status?: { observedGeneration?: number } } | undefined)?.status;
  return condition(o, 'Ready')?.status === 'True' && status?.observedGeneration === o?.metadata.generation;
}

// ---- the install -------------------------------------------------------------------------------

export interface InstallOptions {
  /** A kustomization directory relative to the clone (default manifests/). */
  kustomization?: string;
  hookPort: number;
  /** The bearer token Metacontroller sends and the hook requires (written to the Secret). */
  hookToken?: string;
  /** https:// for the tls variant. */
  scheme?: 'http' | 'https';
}

/** The README's install: the CompositeController CRD (Metacontroller's, ours here), the namespace, the token Secret, `kubectl apply -k`, then the hook URLs pointed at the local hook process. */
export function install(env: ClusterEnv, options: InstallOptions): void {
  kubectlOk(env, ['apply', '-f', '-'], { input: compositeControllerCrdYaml() });
  kubectlOk(env, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/compositecontrollers.metacontroller.k8s.io']);
  kubectlOk(env, ['apply', '-f', 'manifests/base/namespace.yaml']);
  if (options.hookToken !== undefined) {
    kubectlOk(env, ['-n', 'bucket-system', 'delete', 'secret', 'bucket-hook-token', '--ignore-not-found']);
    kubectlOk(env, ['-n', 'bucket-system', 'create', 'secret', 'generic', 'bucket-hook-token', `--from-literal=token=${options.hookToken}`]);
  }
  const dir = options.kustomization ?? 'manifests/';
  if (dir !== 'manifests/') kubectlOk(env, ['apply', '-f', 'manifests/crd.yaml', '-f', 'manifests/iamroleselector-crd.yaml']);
  kubectlOk(env, ['apply', '-k', dir]);
  kubectlOk(env, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/buckets.s3.services.k8s.aws', 'crd/iamroleselectors.services.k8s.aws']);
  pointHooksAt(env, options.hookPort, options.scheme ?? 'http');
}

/** The one difference from a cluster: the hook is a local process, not the Service bucket-hook.bucket-system.svc. */
export function pointHooksAt(env: ClusterEnv, port: number, scheme: 'http' | 'https'): void {
  const patch = ['sync', 'finalize', 'customize'].map((h) => ({
    op: 'replace',
    path: `/spec/hooks/${h}/webhook/url`,
    value: `${scheme}://127.0.0.1:${port}/${h}`,
  }));
  kubectlOk(env, ['patch', 'compositecontroller', 'bucket-hook', '--type=json', '-p', JSON.stringify(patch)]);
}

/** Removes what install() made, and every Bucket (their finalizers first, so nothing waits on a hook that is gone). */
export function uninstall(env: ClusterEnv, dir = 'manifests/'): void {
  const buckets = kubectl(env, ['get', 'buckets', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}']);
  for (const line of buckets.stdout.split('\n').filter(Boolean)) {
    const [ns, name] = line.split('/') as [string, string];
    kubectl(env, ['-n', ns, 'patch', 'bucket', name, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    kubectl(env, ['-n', ns, 'delete', 'bucket', name, '--wait=false', '--ignore-not-found']);
  }
  // Waits for the namespace to go (the namespace controller empties it first): the next install recreates it.
  kubectl(env, ['delete', '-k', dir, '--ignore-not-found', '--timeout=120s']);
  // The overlays do not include the CRDs (install() applied them on their own): the next file starts clean.
  deleteCrds(env);
}

/** The project's CRDs (manifests/crd.yaml, manifests/iamroleselector-crd.yaml). */
export const PROJECT_CRDS: readonly string[] = ['buckets.s3.services.k8s.aws', 'iamroleselectors.services.k8s.aws'];

/**
 * Deletes CRDs and waits until the API server has removed them, for the suite's next file installs them
 * again: `kubectl apply` over a CRD still terminating leaves it to vanish under that file, and Helm refuses
 * to install over it. The API server takes under a second as a rule; one run took 135 s (its CRD finalizer
 * found the CRD's storage still initialising and retried late), past the 120 s the files waited then.
 */
export function deleteCrds(env: ClusterEnv, names: readonly string[] = PROJECT_CRDS): void {
  kubectl(env, ['delete', 'crd', ...names, '--ignore-not-found', '--wait=false']);
  const gone = kubectl(env, ['wait', '--for=delete', ...names.map((n) => `crd/${n}`), '--timeout=600s']);
  if (gone.code !== 0) throw new Error(`the CRDs ${names.join(', ')} were still there 600 s after their deletion: ${gone.stderr.trim()}`);
}

// ---- the hook and Metacontroller as processes ---------------------------------------------------

export interface S3Target {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RunningHook {
  process: HookProcess;
  port: number;
  adminPort: number;
  tokenFile: string;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** One claim key per test process (random): every hook it starts signs and verifies with it. */
const CLAIM_KEY = randomBytes(32).toString('hex');

/** The hook as it runs in a pod: its ServiceAccount's token from the TokenRequest API, the API server's CA, KUBE_API_URL. */
export async function startHook(
  env: ClusterEnv,
  options: { port: number; adminPort?: number; s3: S3Target; hookToken?: string; extraEnv?: Record<string, string> },
): Promise<RunningHook> {
  const dir = mkdtempSync(join(tmpdir(), 'bucket-hook-cluster-hook-'));
  const saToken = kubectlOk(env, ['-n', 'bucket-system', 'create', 'token', 'bucket-hook', '--duration=2h']).trim();
  writeFileSync(join(dir, 'sa-token'), saToken, { mode: 0o600 });
  const tokenFile = join(dir, 'hook-token');
  if (options.hookToken !== undefined) writeFileSync(tokenFile, options.hookToken, { mode: 0o600 });
  // The claim key, as the Deployment mounts it from its Secret: the same for every hook process of a
  // suite, so a hook restarted after a crash trusts the claims the killed one signed.
  const claimKeyFile = join(dir, 'claim-key');
  writeFileSync(claimKeyFile, CLAIM_KEY, { mode: 0o600 });
  const adminPort = options.adminPort ?? (await freePort());
  const hook = startHookProcess({
    PORT: String(options.port),
    ADMIN_PORT: String(adminPort),
    HOST: '127.0.0.1',
    AWS_REGION: options.s3.region,
    AWS_ENDPOINT_URL_S3: options.s3.endpoint,
    AWS_ENDPOINT_URL_STS: options.s3.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: options.s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: options.s3.secretAccessKey,
    KUBE_API_URL: env.apiUrl,
    KUBE_TOKEN_FILE: join(dir, 'sa-token'),
    KUBE_CA_FILE: env.caFile,
    POD_NAME: 'bucket-hook-local',
    CLAIM_KEY_FILE: claimKeyFile,
    LOG_LEVEL: 'info',
    ...(options.hookToken !== undefined ? { HOOK_TOKEN_FILE: tokenFile } : {}),
    ...(options.extraEnv ?? {}),
  });
  children.add(hook.child);
  void hook.exited.then(() => children.delete(hook.child));
  await hook.ready;
  return {
    process: hook,
    port: options.port,
    adminPort,
    tokenFile,
    stop: async () => {
      hook.stop();
      await hook.exited;
    },
    kill: async () => {
      hook.kill();
      await hook.exited;
    },
  };
}

export interface RunningMetacontroller {
  child: ChildProcess;
  healthPort: number;
  output(): string;
  calls(): Promise<
    Array<{ key: string; hook: string; triggers: string[]; generation: number; code: string; ms: number; violations: Array<{ kind: string; detail: string }> }>
  >;
  stats(): Promise<JsonObject>;
  /** Resolves with the calls once one matches (the stand-in's /calls, asked every 100 ms); rejects after timeoutMs naming `what`. */
  waitForCall(predicate: (call: MetacontrollerCall) => boolean, timeoutMs: number, what: string): Promise<MetacontrollerCall[]>;
  stop(): Promise<void>;
}

export type MetacontrollerCall = Awaited<ReturnType<RunningMetacontroller['calls']>>[number];

/** The Metacontroller stand-in (test/cluster/metacontroller/main.ts) as a process, with its own identity (user "metacontroller"). */
export async function startMetacontroller(env: ClusterEnv, args: string[] = []): Promise<RunningMetacontroller> {
  const healthPort = await freePort();
  const loader = tsChild();
  const child = spawn(
    process.execPath,
    [
      ...loader.nodeArgs,
      'test/cluster/metacontroller/main.ts',
      '--kubeconfig',
      env.metacontrollerKubeconfig,
      '--health-probe-bind-address',
      `127.0.0.1:${healthPort}`,
      '--discovery-interval',
      '1s',
      ...args,
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...loader.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  children.add(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exited.then(() => children.delete(child));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('"msg":"metacontroller stand-in started"')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`the Metacontroller stand-in exited with ${code}: ${output.slice(-2000)}`)));
  });
  const get = async <T>(path: string): Promise<T> => (await (await fetch(`http://127.0.0.1:${healthPort}${path}`)).json()) as T;
  return {
    child,
    healthPort,
    output: () => output,
    calls: () => get('/calls'),
    stats: () => get('/stats'),
    waitForCall: async (predicate, timeoutMs, what) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const calls = await get<MetacontrollerCall[]>('/calls');
        if (calls.some(predicate)) return calls;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what} (${calls.length} hook calls so far)`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * What Metacontroller's own install (manifests/production at v4.17.2, which the README tells admins to apply)
 * grants its ServiceAccount: every verb on every resource, cluster-wide. Given here to the stand-in's user.
 */
export function grantMetacontroller(env: ClusterEnv): void {
  const rbac = [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'metacontroller' },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'metacontroller' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'metacontroller' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'metacontroller' }],
    },
  ];
  kubectlOk(env, ['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rbac }) });
}

/** Metacontroller itself, to run in place of the stand-in: its binary and the CRD manifest of the same version. */
export interface MetacontrollerBinary {
  binary: string;
  crds: string;
}

/**
 * `<name>` (a Metacontroller binary) and `<name>_CRDS` (its CRD manifest) from the environment, checked: unset,
 * undefined (the stand-in); set wrong, an Error whose message says in one sentence what to set.
 */
export function metacontrollerBinary(env: NodeJS.ProcessEnv, name: string): MetacontrollerBinary | undefined {
  const binary = env[name] ?? '';
  const crds = env[`${name}_CRDS`] ?? '';
  if (binary === '') {
    if (crds !== '') throw new Error(`${name}_CRDS is set without ${name}: set both (a Metacontroller binary and its CRD manifest) or neither`);
    return undefined;
  }
  try {
    accessSync(binary, constants.X_OK);
    if (!statSync(binary).isFile()) throw new Error('not a file');
  } catch {
    throw new Error(
      `${name}=${binary} is not an executable file: point it at a Metacontroller binary (go build ./pkg/cmd/metacontroller in its repository) or unset it to use the stand-in`,
    );
  }
  if (crds === '')
    throw new Error(
      `${name} needs ${name}_CRDS: the CRD manifest of the same Metacontroller (manifests/production/metacontroller-crds-v1.yaml in its repository)`,
    );
  try {
    if (!statSync(crds).isFile()) throw new Error('not a file');
  } catch {
    throw new Error(`${name}_CRDS=${crds} is not a readable file: point it at manifests/production/metacontroller-crds-v1.yaml of the same Metacontroller`);
  }
  return { binary, crds };
}

/** Metacontroller's own CRDs: its CompositeController CRD replaces the project's (written from its types), and its other two are added. */
export function installMetacontrollerCrdFile(env: ClusterEnv, mc: MetacontrollerBinary): void {
  kubectlOk(env, ['apply', '-f', mc.crds]);
}

export function uninstallMetacontrollerCrdFile(env: ClusterEnv, mc: MetacontrollerBinary): void {
  kubectlOk(env, ['delete', '-f', mc.crds, '--ignore-not-found', '--timeout=120s']);
}

/** Metacontroller's flags for a loopback run as user "metacontroller": health on `healthPort`, no metrics or pprof listener. */
export function metacontrollerArgs(env: ClusterEnv, healthPort: number, extra: string[] = []): string[] {
  return [
    '--kubeconfig',
    env.metacontrollerKubeconfig,
    '--health-probe-bind-address',
    `127.0.0.1:${healthPort}`,
    '--metrics-address',
    '0',
    '--pprof-address',
    '0',
    ...extra,
  ];
}

export function objectPath(o: KubeObject): string {
  return resourcePath(o.apiVersion, `${o.kind.toLowerCase()}s`, o.metadata.namespace, o.metadata.name);
}
