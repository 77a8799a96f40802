// The real control plane for the bench: the control plane of test/cluster/control-plane.sh (CLUSTER_ENV),
// both RGWs (RGW_ENV_FILES) each behind a recording proxy, the project installed as the README says, the
// hook as `npm start` runs it (dist/, the start script's node flags) with its ServiceAccount's identity,
// the null hook, and Metacontroller's part: the stand-in with Metacontroller's flags, or Metacontroller itself
// when BENCH_METACONTROLLER names a binary of it (the Go module proxy refuses its module here, so the bench
// cannot build it; a user who has one, built from its repository or copied out of its image, points the bench at it).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  adminClient,
  clusterEnv,
  freePort,
  grantMetacontroller,
  install,
  kubectlOk,
  metacontrollerArgs,
  metacontrollerBinary,
  pointHooksAt,
  startMetacontroller,
  uninstall,
  type ClusterEnv,
  type MetacontrollerBinary,
  type RunningMetacontroller,
} from '../../cluster/support/cluster.js';
import type { KubeClient } from '../../cluster/support/kube-client.js';
import { startNode, startNullHook, startProgram, type ServerProcess } from '../processes.js';
import { RecordingProxy } from '../recording-proxy.js';
import { controlPlaneProcs, rgwProcs, type Proc } from './procs.js';

export interface Region {
  region: string;
  /** RGW itself, and the recording proxy the controllers are pointed at. */
  endpoint: string;
  proxy: RecordingProxy;
  accessKeyId: string;
  secretAccessKey: string;
  userId: string;
  /** test/rgw/rgw.sh's state dir (its PID files, ceph.conf). */
  dir: string;
}

export interface Bench {
  env: ClusterEnv;
  api: KubeClient;
  regions: Region[];
  hookToken: string;
  /** One claim key per bench run, as a Deployment mounts it from its Secret: every hook process of the run trusts the claims another signed. */
  claimKey: string;
  controlPlane: Proc[];
  close(): Promise<void>;
}

function readEnvFile(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** The control plane and RGWs test/run.sh started (CLUSTER_ENV, RGW_ENV_FILES=us-east-1's:eu-west-1's). */
export async function openBench(): Promise<Bench> {
  const env = clusterEnv();
  const files = (process.env.RGW_ENV_FILES ?? '').split(':').filter(Boolean);
  if (files.length === 0)
    throw new Error('the real control plane bench needs RGW_ENV_FILES (the env files of test/rgw/rgw.sh, us-east-1 first): run it through `npm run bench`');
  const regions: Region[] = [];
  for (const file of files) {
    const e = readEnvFile(file);
    regions.push({
      region: e.S3_TEST_REGION!,
      endpoint: e.S3_TEST_ENDPOINT!,
      proxy: await new RecordingProxy(e.S3_TEST_ENDPOINT!).start(),
      accessKeyId: e.S3_TEST_ACCESS_KEY!,
      secretAccessKey: e.S3_TEST_SECRET_KEY!,
      userId: e.S3_TEST_USER_ID!,
      dir: path.dirname(file),
    });
  }
  const api = adminClient(env);
  const hookToken = randomBytes(24).toString('hex');
  return {
    env,
    api,
    regions,
    hookToken,
    claimKey: randomBytes(32).toString('hex'),
    controlPlane: controlPlaneProcs(env.dir),
    async close() {
      api.close();
      for (const r of regions) await r.proxy.close();
    },
  };
}

export function regionProcs(region: Region): Proc[] {
  return rgwProcs(region.dir);
}

/** The README's install (kubectl apply -k manifests/, the token Secret, Metacontroller's RBAC), hooks pointed at `port`. */
export function installProject(b: Bench, port: number): void {
  install(b.env, { hookPort: port, hookToken: b.hookToken });
  grantMetacontroller(b.env);
}

export function uninstallProject(b: Bench): void {
  uninstall(b.env);
}

export function pointHooks(b: Bench, port: number): void {
  pointHooksAt(b.env, port, 'http');
}

export interface ClusterHook extends ServerProcess {
  port: number;
}

/** The hook as a Deployment runs it, against one region's recording proxy, with its ServiceAccount's token. */
export async function startClusterHook(
  b: Bench,
  region: Region,
  options: { driftSeconds: number; port?: number; cpuProfileDir?: string | undefined },
): Promise<ClusterHook> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bucket-hook-bench-hook-'));
  writeFileSync(path.join(dir, 'sa-token'), kubectlOk(b.env, ['-n', 'bucket-system', 'create', 'token', 'bucket-hook', '--duration=6h']).trim(), {
    mode: 0o600,
  });
  writeFileSync(path.join(dir, 'hook-token'), b.hookToken, { mode: 0o600 });
  writeFileSync(path.join(dir, 'claim-key'), b.claimKey, { mode: 0o600 });
  const port = options.port ?? (await freePort());
  const adminPort = await freePort();
  const hook = await startNode(
    'dist/src/main.js',
    {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: String(port),
      ADMIN_PORT: String(adminPort),
      HOST: '127.0.0.1',
      AWS_REGION: region.region,
      AWS_ENDPOINT_URL_S3: region.proxy.url,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: region.accessKeyId,
      AWS_SECRET_ACCESS_KEY: region.secretAccessKey,
      KUBE_API_URL: b.env.apiUrl,
      KUBE_TOKEN_FILE: path.join(dir, 'sa-token'),
      KUBE_CA_FILE: b.env.caFile,
      HOOK_TOKEN_FILE: path.join(dir, 'hook-token'),
      CLAIM_KEY_FILE: path.join(dir, 'claim-key'),
      POD_NAME: 'bucket-hook-bench',
      LOG_LEVEL: 'info',
      DRIFT_CHECK_INTERVAL_SECONDS: String(options.driftSeconds),
    },
    '/readyz',
    port,
    options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [],
    adminPort,
  );
  return {
    ...hook,
    port,
    async stop() {
      await hook.stop();
      // The tokens and the claim key were the process's only.
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startNull(): Promise<ClusterHook> {
  const hook = await startNullHook();
  return { ...hook, port: Number(new URL(hook.url).port) };
}

export interface StandInSettings {
  workers: number;
  qps: number;
  burst: number;
}

/** Metacontroller v4.17.2's defaults: --workers 5, --client-go-qps 5, --client-go-burst 10. */
export const METACONTROLLER_DEFAULTS: StandInSettings = { workers: 5, qps: 5, burst: 10 };

/** Metacontroller's flags for these settings, with its default discovery interval (30 s): the stand-in takes the same. */
function settingsFlags(s: StandInSettings): string[] {
  return ['--workers', String(s.workers), '--client-go-qps', String(s.qps), '--client-go-burst', String(s.burst), '--discovery-interval', '30s'];
}

/** The stand-in with these flags. */
export function startStandIn(b: Bench, s: StandInSettings): Promise<RunningMetacontroller> {
  return startMetacontroller(b.env, settingsFlags(s));
}

export function describeSettings(s: StandInSettings): string {
  return `--workers ${s.workers} --client-go-qps ${s.qps} --client-go-burst ${s.burst}`;
}

/** Metacontroller itself in place of the stand-in: BENCH_METACONTROLLER and BENCH_METACONTROLLER_CRDS. */
export function metacontrollerBinaryFromEnv(env: NodeJS.ProcessEnv = process.env): MetacontrollerBinary | undefined {
  return metacontrollerBinary(env, 'BENCH_METACONTROLLER');
}

/** Metacontroller's part in a run: the stand-in (its call log on standInPort) or Metacontroller itself (no call log). */
export interface BenchMetacontroller {
  pid: number;
  standInPort?: number;
  stop(): Promise<void>;
}

/** Metacontroller's part with these flags: the stand-in, or the binary with the same flags, as user "metacontroller", every port on loopback. */
export async function startMetacontrollerPart(b: Bench, s: StandInSettings, binary?: MetacontrollerBinary): Promise<BenchMetacontroller> {
  if (!binary) {
    const mc = await startStandIn(b, s);
    return { pid: mc.child.pid!, standInPort: mc.healthPort, stop: () => mc.stop() };
  }
  const health = await freePort();
  const args = metacontrollerArgs(b.env, health, settingsFlags(s));
  return startProgram(binary.binary, args, { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' }, `http://127.0.0.1:${health}/readyz`, 60_000);
}
