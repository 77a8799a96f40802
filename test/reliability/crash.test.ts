// SIGKILL at random instants while Buckets are being created against Ceph RGW. The hook runs as its own
// process (src/main.ts, as deployed), behind a 30 ms round trip so that the window between CreateBucket
// and the PutBucketTagging after it (RGW drops the tags sent with the create) is wide enough for kills
// to land in it. Metacontroller is imitated by the driver (ignoreStatusChanges as the manifest sets it).
// Every Bucket must converge to Ready, no Bucket may end NotOwned, and finalize must delete every bucket.
// Every incarnation of the hook reads the same CLAIM_KEY_FILE, as the replicas of a Deployment share the
// claim key's Secret: a claim one process recorded before its create is trusted by the next.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetBucketTaggingCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import t from 'tap';
import { startLatencyProxy } from '../bench/latency-proxy.js';
import { freePort } from '../bench/processes.js';
import { MetacontrollerDriver, keyOf, type BucketObject } from '../support/metacontroller-driver.js';
import { rawClient, removeBucket, rgwEnv, uniqueBucket } from '../support/rgw.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUCKETS = Number(process.env.CRASH_BUCKETS ?? 30);
const KILLS = Number(process.env.CRASH_KILLS ?? 8);
const SEED = Number(process.env.CRASH_SEED ?? 20261201);

/** mulberry32: a seeded generator, so a failing run can be repeated with the seed it prints. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const env = rgwEnv();
const mine = rawClient(env, 'hook');
const claimKeyFile = path.join(mkdtempSync(path.join(tmpdir(), 'crash-claim-')), 'key');
writeFileSync(claimKeyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Hook {
  child: ChildProcess;
  exited: Promise<void>;
}

async function startHook(port: number, adminPort: number, endpoint: string): Promise<Hook> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      AWS_REGION: env.region,
      AWS_ENDPOINT_URL_S3: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: env.hook.accessKeyId,
      AWS_SECRET_ACCESS_KEY: env.hook.secretAccessKey,
      PORT: String(port),
      ADMIN_PORT: String(adminPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      CLAIM_KEY_FILE: claimKeyFile,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`hook exited (${child.exitCode}): ${stderr}`);
    try {
      if ((await fetch(`http://127.0.0.1:${adminPort}/readyz`, { signal: AbortSignal.timeout(500) })).ok) return { child, exited };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`hook not ready: ${stderr}`);
}

async function unmarked(names: string[]): Promise<number> {
  const listed = new Set(((await mine.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name));
  let n = 0;
  for (const name of names.filter((x) => listed.has(x))) {
    const tags = await mine.send(new GetBucketTaggingCommand({ Bucket: name })).then(
      (out) => out.TagSet ?? [],
      () => [],
    );
    if (!tags.some((tag) => tag.Key === 'services.k8s.aws/uid')) n++;
  }
  return n;
}

const reasonOf = (o: BucketObject | undefined, type: string) =>
  (o?.status?.conditions as Array<{ type: string; status: string; reason: string }> | undefined)?.find((c) => c.type === type);
const isReady = (o: BucketObject | undefined) => reasonOf(o, 'Ready')?.status === 'True' && o?.status?.observedGeneration === o?.metadata.generation;

// The whole file, not only its test: tap's 30 s default per file ends a run on a loaded machine first.
t.setTimeout(420_000);

t.test(`${BUCKETS} Buckets created while the hook is SIGKILLed ${KILLS} times at random instants (seed ${SEED})`, async (t) => {
  t.setTimeout(420_000);
  const next = random(SEED);
  const proxy = await startLatencyProxy(env.endpoint, 30);
  const port = await freePort();
  const adminPort = await freePort();
  let hook = await startHook(port, adminPort, proxy.endpoint);
  const driver = new MetacontrollerDriver({
    syncUrl: `http://127.0.0.1:${port}/sync`,
    timeoutMs: 5000,
    ignoreStatusChanges: true,
    timeScale: 0.05,
    backoffCapMs: 20_000,
    retryQps: Infinity,
  });
  const prefix = uniqueBucket('crash');
  const names = Array.from({ length: BUCKETS }, (_, i) => `${prefix}-${i}`);
  t.teardown(async () => {
    await driver.close();
    hook.child.kill('SIGKILL');
    await hook.exited;
    await proxy.close();
    for (const name of names) await removeBucket(mine, name).catch(() => undefined);
    mine.destroy();
    rmSync(path.dirname(claimKeyFile), { recursive: true, force: true });
  });

  const keys = names.map((name, i) =>
    keyOf('team-a', driver.apply({ namespace: 'team-a', name: `crash-${i}`, spec: { name, versioning: { status: 'Enabled' } } }).metadata.name),
  );
  const running = driver.run({ until: (d) => d.idle() && keys.every((k) => isReady(d.get(k))), maxMs: 240_000 });

  const unmarkedAtKill: number[] = [];
  for (let kill = 0; kill < KILLS; kill++) {
    await sleep(40 + Math.floor(next() * 400));
    hook.child.kill('SIGKILL');
    await hook.exited;
    unmarkedAtKill.push(await unmarked(names));
    hook = await startHook(port, adminPort, proxy.endpoint);
  }
  const created = await running;
  t.comment(`unmarked buckets found right after each kill (crash between CreateBucket and its tagging): ${JSON.stringify(unmarkedAtKill)}`);
  t.equal(created.reason, 'until', 'every Bucket reached Ready');
  const notReady = keys.filter((k) => !isReady(driver.get(k))).map((k) => `${k}: ${reasonOf(driver.get(k), 'Ready')?.reason}`);
  t.same(notReady, [], 'none left behind (NotOwned would be an orphan)');
  const tags = await Promise.all(names.map(async (name) => (await mine.send(new GetBucketTaggingCommand({ Bucket: name }))).TagSet ?? []));
  t.ok(
    tags.every((set) => set.some((tag) => tag.Key === 'services.k8s.aws/uid')),
    'every bucket carries its ownership tags',
  );

  for (const key of keys) driver.delete(key);
  const deleted = await driver.run({ until: (d) => d.size === 0 && d.idle(), maxMs: 120_000 });
  t.equal(deleted.reason, 'until', 'every Bucket finalized');
  const left = ((await mine.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name ?? '').filter((n) => n.startsWith(prefix));
  t.same(left, [], 'finalize deleted every bucket');
  t.same(driver.stats.violations, [], 'no contract violation');
});
