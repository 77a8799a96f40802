// `npm run cluster:up` / `npm run cluster:down`: the quick start's local cluster. Up builds what is missing,
// starts the control plane (test/cluster/control-plane.sh, state in .cluster/), Ceph RGW in us-east-1 (unless
// one runs already), installs the project as the README says (kubectl apply -k manifests/), and starts the
// hook and the Metacontroller stand-in in the background, each with its own identity; then prints how to use
// it. Down stops all of it by PID and removes what up started.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  clusterEnv,
  grantMetacontroller,
  install,
  installMetacontrollerCrdFile,
  kubectlOk,
  metacontrollerArgs,
  metacontrollerBinary,
  ROOT,
  type MetacontrollerBinary,
} from './support/cluster.js';

const DIR = join(ROOT, '.cluster');
const PIDS = join(DIR, 'pids');
const LOGS = join(DIR, 'logs');
const HOOK_PORT = Number(process.env.CLUSTER_HOOK_PORT ?? 18080);
const HOOK_ADMIN_PORT = HOOK_PORT + 1;
const MC_HEALTH_PORT = HOOK_PORT + 2;

function fail(message: string): never {
  process.stderr.write(`cluster: ${message}\n`);
  process.exit(2);
}

function run(command: string, args: string[], env: Record<string, string> = {}): string {
  const res = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (res.status !== 0) process.exit(res.status ?? 2);
  return res.stdout.trim();
}

function alive(name: string): boolean {
  const file = join(PIDS, `${name}.pid`);
  if (!existsSync(file)) return false;
  try {
    process.kill(Number(readFileSync(file, 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}

function stop(name: string): void {
  const file = join(PIDS, `${name}.pid`);
  if (!existsSync(file)) return;
  try {
    process.kill(-Number(readFileSync(file, 'utf8')), 'SIGTERM');
  } catch {
    // already gone
  }
  rmSync(file, { force: true });
}

/** A background process in its own session (a TypeScript file run by tsx, or `program`), its output in .cluster/logs, its PID kept for down. */
function background(name: string, args: string[], env: Record<string, string>, program?: string): void {
  const out = openSync(join(LOGS, `${name}.log`), 'a');
  const child = spawn(program ?? process.execPath, program ? args : ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', out, out],
    detached: true,
  });
  writeFileSync(join(PIDS, `${name}.pid`), String(child.pid));
  child.unref();
}

async function waitHealthy(name: string, url: string, seconds: number): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline) {
    if (!alive(name))
      fail(
        `${name} exited during start-up: see .cluster/logs/${name}.log (last line: ${readFileSync(join(LOGS, `${name}.log`), 'utf8')
          .trim()
          .split('\n')
          .pop()
          ?.slice(0, 300)})`,
      );
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  fail(`${name} did not become ready within ${seconds} s: see .cluster/logs/${name}.log`);
}

function portBusy(port: number): boolean {
  return spawnSync('bash', ['-c', `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null`]).status === 0;
}

async function up(): Promise<void> {
  let metacontroller: MetacontrollerBinary | undefined;
  try {
    metacontroller = metacontrollerBinary(process.env, 'CLUSTER_METACONTROLLER');
  } catch (err) {
    fail((err as Error).message);
  }
  if (alive('hook') && alive('metacontroller')) {
    process.stdout.write(`cluster: already up (npm run cluster:down first to start afresh)\n`);
    return usage();
  }
  for (const port of [HOOK_PORT, HOOK_ADMIN_PORT, MC_HEALTH_PORT]) {
    if (portBusy(port))
      fail(
        `port ${port} on 127.0.0.1 is in use: stop what listens there (ss -ltnp 'sport = :${port}') or set CLUSTER_HOOK_PORT to another free port (it uses that port and the next two)`,
      );
  }
  const envFile = run('bash', ['test/cluster/control-plane.sh', 'up'], { CLUSTER_DIR: DIR });
  process.env.CLUSTER_ENV = envFile;
  const env = clusterEnv();
  mkdirSync(PIDS, { recursive: true });
  mkdirSync(LOGS, { recursive: true });

  const rgwRunning = spawnSync('bash', ['test/rgw/rgw.sh', 'status'], { cwd: ROOT }).status === 0;
  if (!rgwRunning) {
    process.stderr.write('cluster: starting Ceph RGW (us-east-1, 127.0.0.1:7480)\n');
    run('bash', ['test/rgw/rgw.sh', 'start']);
    writeFileSync(join(DIR, 'rgw-started-by-cluster-up'), '');
  }
  const rgw = Object.fromEntries(
    readFileSync(run('bash', ['test/rgw/rgw.sh', 'status']).split('\n').pop()!, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

  const token = randomBytes(24).toString('hex');
  install(env, { hookPort: HOOK_PORT, hookToken: token });
  grantMetacontroller(env);
  writeFileSync(join(DIR, 'hook-token'), token, { mode: 0o600 });
  // The key the hook signs its claims with (the Deployment mounts it from the Secret bucket-hook-claim-key).
  if (!existsSync(join(DIR, 'claim-key'))) writeFileSync(join(DIR, 'claim-key'), randomBytes(32).toString('hex'), { mode: 0o600 });
  writeFileSync(join(DIR, 'hook-sa-token'), kubectlOk(env, ['-n', 'bucket-system', 'create', 'token', 'bucket-hook', '--duration=24h']).trim(), {
    mode: 0o600,
  });

  background('hook', ['src/main.ts'], {
    PORT: String(HOOK_PORT),
    ADMIN_PORT: String(HOOK_ADMIN_PORT),
    HOST: '127.0.0.1',
    AWS_REGION: rgw.S3_TEST_REGION!,
    AWS_ENDPOINT_URL_S3: rgw.S3_TEST_ENDPOINT!,
    AWS_ENDPOINT_URL_STS: rgw.S3_TEST_ENDPOINT!,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: rgw.S3_TEST_ACCESS_KEY!,
    AWS_SECRET_ACCESS_KEY: rgw.S3_TEST_SECRET_KEY!,
    HOOK_TOKEN_FILE: join(DIR, 'hook-token'),
    KUBE_API_URL: env.apiUrl,
    KUBE_TOKEN_FILE: join(DIR, 'hook-sa-token'),
    KUBE_CA_FILE: env.caFile,
    POD_NAME: 'bucket-hook-local',
    CLAIM_KEY_FILE: join(DIR, 'claim-key'),
  });
  await waitHealthy('hook', `http://127.0.0.1:${HOOK_ADMIN_PORT}/readyz`, 60);
  if (metacontroller) {
    // Metacontroller itself (CLUSTER_METACONTROLLER): its own CRDs, its binary as user "metacontroller".
    installMetacontrollerCrdFile(env, metacontroller);
    background('metacontroller', metacontrollerArgs(env, MC_HEALTH_PORT), {}, metacontroller.binary);
  } else
    background(
      'metacontroller',
      ['test/cluster/metacontroller/main.ts', '--kubeconfig', env.metacontrollerKubeconfig, '--health-probe-bind-address', `127.0.0.1:${MC_HEALTH_PORT}`],
      {},
    );
  writeFileSync(join(DIR, 'metacontroller.which'), metacontroller ? `Metacontroller (${metacontroller.binary})` : '');
  await waitHealthy('metacontroller', `http://127.0.0.1:${MC_HEALTH_PORT}/readyz`, 60);

  const bin = join(DIR, 'bin');
  mkdirSync(bin, { recursive: true });
  rmSync(join(bin, 'kubectl'), { force: true });
  symlinkSync(env.kubectl, join(bin, 'kubectl'));
  usage();
}

function usage(): void {
  const which = existsSync(join(DIR, 'metacontroller.which')) ? readFileSync(join(DIR, 'metacontroller.which'), 'utf8') : '';
  process.stdout.write(`
The local cluster is up: kube-apiserver ${clusterEnvSafe()}, the hook on 127.0.0.1:${HOOK_PORT} (metrics on :${HOOK_ADMIN_PORT}),
${which || "the Metacontroller stand-in (Metacontroller's Go module cannot be had here; see the README)"}, Ceph RGW on 127.0.0.1:7480.
Logs: .cluster/logs/. Use it with:

  export KUBECONFIG=$PWD/.cluster/kubeconfig PATH=$PWD/.cluster/bin:$PATH
  kubectl create namespace team-a
  kubectl apply -f manifests/samples/bucket.yaml
  kubectl get buckets -n team-a -w          # READY True within a few seconds; Ctrl-C
  kubectl describe bucket -n team-a artifacts
  kubectl delete -f manifests/samples/bucket.yaml

Stop everything with: npm run cluster:down
`);
}

function clusterEnvSafe(): string {
  try {
    process.env.CLUSTER_ENV ??= join(DIR, 'env');
    return clusterEnv().apiUrl;
  } catch {
    return '(not running)';
  }
}

function down(): void {
  stop('metacontroller');
  stop('hook');
  spawnSync('bash', ['test/cluster/control-plane.sh', 'down'], { cwd: ROOT, env: { ...process.env, CLUSTER_DIR: DIR }, stdio: 'inherit' });
  if (existsSync(join(DIR, 'rgw-started-by-cluster-up'))) {
    spawnSync('bash', ['test/rgw/rgw.sh', 'stop'], { cwd: ROOT, stdio: 'inherit' });
    rmSync(join(DIR, 'rgw-started-by-cluster-up'), { force: true });
  }
  process.stdout.write('cluster: down\n');
}

const command = process.argv[2];
if (command === 'up') await up();
else if (command === 'down') down();
else fail(`usage: npm run cluster:up | npm run cluster:down (got ${command ?? 'nothing'})`);
