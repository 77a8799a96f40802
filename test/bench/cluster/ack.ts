// The peer: ACK's own S3 controller (github.com/aws-controllers-k8s/s3-controller v1.14.0, built by
// test/cluster/build.sh's ack component), run out of a cluster against the same API server and RGW. Its
// Bucket CRD has our CRD's group and kind, so it runs after the project is uninstalled, with its CRDs from
// its module's config/crd. At start it asks STS GetCallerIdentity (RGW 16.2 answers 405): a loopback
// stand-in answers that one call (--aws-identity-endpoint-url). S3 goes through the recording proxy.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { ROOT, kubectl, kubectlOk, freePort, type ClusterEnv } from '../../cluster/support/cluster.js';
import type { KubeObject } from '../../cluster/support/kube-client.js';
import { log } from '../report.js';
import { startStsStandIn, type StsStandIn } from '../sts-stand-in.js';
import type { Region } from './setup.js';

export const ACK_MODULE = 'github.com/aws-controllers-k8s/s3-controller@v1.14.0';

function build(args: string[]): string {
  return execFileSync('bash', ['test/cluster/build.sh', ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 3_600_000 })
    .trim()
    .split('\n')
    .at(-1)!;
}

/** Builds ACK's controller when missing (cold: ~7 min of CPU) and finds its module's files; one sentence when it cannot. */
export function ackBuild(): { binary: string; moduleDir: string } {
  return { binary: build(['--path', 'ack-s3-controller']), moduleDir: build(['--module-dir', ACK_MODULE]) };
}

export function installAckCrds(env: ClusterEnv, moduleDir: string): void {
  kubectlOk(env, ['apply', '-k', `${moduleDir}/config/crd`]);
  kubectlOk(env, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/buckets.s3.services.k8s.aws']);
}

export function uninstallAckCrds(env: ClusterEnv, moduleDir: string): void {
  kubectl(env, ['delete', '-k', `${moduleDir}/config/crd`, '--ignore-not-found', '--timeout=120s']);
}

export interface RunningAck {
  pid: number;
  sts: StsStandIn;
  output(): string;
  stop(): Promise<void>;
}

export interface AckSettings {
  /** --reconcile-default-resync-seconds (ACK's default: 10 h). */
  resyncSeconds: number;
  /** --reconcile-default-max-concurrent-syncs (ACK's default: 1). */
  concurrency: number;
}

/**
 * ACK's controller with the flags for an S3-compatible endpoint. `--resource-tags=` (none): ACK v1.14.0
 * sends a bucket's tags, its default resource tags included, inside CreateBucketConfiguration, and RGW
 * 16.2 refuses such a CreateBucket (400 InvalidArgument).
 */
export async function startAck(env: ClusterEnv, binary: string, region: Region, s: AckSettings): Promise<RunningAck> {
  const sts = await startStsStandIn('000000000000', `arn:aws:iam::000000000000:user/${region.userId}`);
  const [metrics, health] = [await freePort(), await freePort()];
  const args = [
    '--aws-region',
    region.region,
    '--aws-endpoint-url',
    region.proxy.url,
    '--aws-identity-endpoint-url',
    sts.url,
    '--allow-unsafe-aws-endpoint-urls',
    '--aws-endpoint-use-path-style',
    '--enable-carm=false',
    '--resource-tags=',
    '--metrics-addr',
    `127.0.0.1:${metrics}`,
    '--healthz-addr',
    `127.0.0.1:${health}`,
    '--reconcile-default-resync-seconds',
    String(s.resyncSeconds),
    '--reconcile-default-max-concurrent-syncs',
    String(s.concurrency),
  ];
  const child: ChildProcess = spawn(binary, args, {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      KUBECONFIG: env.kubeconfig,
      AWS_ACCESS_KEY_ID: region.accessKeyId,
      AWS_SECRET_ACCESS_KEY: region.secretAccessKey,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (c: Buffer): void => {
    output = (output + c.toString()).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 120_000;
  while (!output.includes('"msg":"Starting workers"')) {
    if (child.exitCode !== null) throw new Error(`ACK's s3-controller exited with ${child.exitCode} at start: ${output.slice(-1500)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`ACK's s3-controller did not start its workers within 120 s: ${output.slice(-1500)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`ACK s3-controller: pid ${child.pid}, STS stand-in asked ${sts.actions.join(', ')}`);
  return {
    pid: child.pid!,
    sts,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await sts.close();
    },
  };
}

/** ACK's Ready: its Ready condition True (it sets no observedGeneration). */
export function ackReady(o: KubeObject): boolean {
  const conditions = (o.status as { conditions?: Array<{ type?: string; status?: string }> } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}
