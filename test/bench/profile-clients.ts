// Where one S3 call's CPU goes, per client: `npx tsx test/bench/profile-clients.ts [calls] [dir]` with
// the RGW env sourced. Sequential GetBucketVersioning by the stock SDK client, the hook's S3 port over
// a stock client (before issue 16), the port as createSdkPortFactory makes it (after) and the floor, each warmed up and then profiled with
// the inspector (V8's sampling profiler, 100 us); prints CPU per call and the self time per package or
// node module of each profile, and writes the .cpuprofile files (open them in Chrome's DevTools).
import { writeFileSync, mkdirSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { CreateBucketCommand, DeleteBucketCommand, GetBucketVersioningCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTaggingMemo } from '../../src/s3/create-tagging.js';
import { createSdkPortFactory, SdkS3Port } from '../../src/s3/sdk-adapter.js';
import { stockSender } from '../../src/s3/sdk-senders.js';
import { rgwEnv, uniqueBucket } from '../support/rgw.js';
import { FloorS3Client } from './floor-client.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per package (node_modules/<pkg>), node: module, the project's files, or V8's own entries. */
function byPackage(profile: Profile): Array<[string, number]> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const { url, functionName } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') return;
    const dt = profile.timeDeltas[i] ?? 0;
    busy += dt;
    let key: string;
    if (!url) key = functionName === 'writeLatin1String' || functionName === 'writeUtf8String' ? '(socket write: the kernel sends to loopback)' : functionName;
    else if (url.includes('node_modules/')) {
      const parts = url.split('node_modules/').pop()!.split('/');
      key = parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
    } else if (url.startsWith('node:')) key = url.replace(/^node:(internal\/)?/, 'node:').replace(/\/.*$/, '');
    else key = path.relative(process.cwd(), url.replace(/^file:\/\//, ''));
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  return [...self].map(([k, v]): [string, number] => [k, v / busy]).sort((a, b) => b[1] - a[1]);
}

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 2000);
  const dir = process.argv[3] ?? '/tmp/bucket-hook-profiles';
  mkdirSync(dir, { recursive: true });
  const env = rgwEnv();
  const bucket = uniqueBucket('bench-profile');
  const stock = new S3Client({ region: env.region, endpoint: env.endpoint, forcePathStyle: true, credentials: env.hook });
  const factory = createSdkPortFactory({ endpoint: env.endpoint, forcePathStyle: true, credentials: env.hook, onRequest: () => undefined });
  const port = factory(env.region);
  // Before: the same port over a stock client (no tuned config, NodeHttpHandler, the full stack).
  const stockPort = new SdkS3Port(stockSender(stock), new CreateTaggingMemo('unknown'));
  const floor = new FloorS3Client(env.endpoint, env.region, env.hook);
  await stock.send(new CreateBucketCommand({ Bucket: bucket }));
  await stock.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  const clients: Record<string, () => Promise<unknown>> = {
    stock: () => stock.send(new GetBucketVersioningCommand({ Bucket: bucket })),
    'hook port, stock client (before)': () => stockPort.getConfig('versioning', bucket),
    'hook port (createSdkPortFactory, after)': () => port.getConfig('versioning', bucket),
    floor: () => floor.get(bucket, 'versioning', 'Status'),
  };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  try {
    for (const [name, run] of Object.entries(clients)) {
      for (let i = 0; i < 500; i++) await run();
      await session.post('Profiler.start');
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < calls; i++) await run();
      const cpu = process.cpuUsage(cpu0);
      const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
      const file = path.join(dir, `${name.replace(/\W+/g, '-')}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      console.log(`\n${name}: ${((cpu.user + cpu.system) / 1000 / calls).toFixed(3)} ms CPU per call (profiler on), ${file}`);
      for (const [key, share] of byPackage(profile).slice(0, 10)) console.log(`  ${(share * 100).toFixed(1).padStart(5)}%  ${key}`);
    }
  } finally {
    session.disconnect();
    floor.close();
    factory.destroy();
    await stock.send(new DeleteBucketCommand({ Bucket: bucket }));
    stock.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
