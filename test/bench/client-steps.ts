// What each of the S3 client's optimisations buys, one step on top of the other (docs/performance.md,
// "What each optimisation bought"): `npx tsx test/bench/client-steps.ts [rounds]` with the RGW env
// sourced. CPU per sequential GetBucketVersioning of each step's client, the floor client last; rounds of
// 400 calls after a warm-up, each round starting with the next step (whoever runs right after another
// pays for its garbage), medians. Prints a Markdown table.
import { CreateBucketCommand, DeleteBucketCommand, GetBucketVersioningCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { directSigV4, leanSerde, reuseSigners, staticUserAgent, tunedSettings, UNUSED_MIDDLEWARE } from '../../src/s3/sdk-client-config.js';
import { tunedClientConfig } from '../support/tuned-client.js';
import { S3ClientPool } from '../../src/s3/sdk-client-pool.js';
import { rgwEnv, uniqueBucket } from '../support/rgw.js';
import { FloorS3Client } from './floor-client.js';
import { median } from './report.js';
const env = rgwEnv();
const bucket = uniqueBucket('bench-steps');
const base = { region: env.region, endpoint: env.endpoint, forcePathStyle: true, credentials: env.hook };
type Step = (c: S3Client) => void;
const old3: Step = (c) => {
  for (const n of UNUSED_MIDDLEWARE.slice(0, 3)) c.middlewareStack.remove(n);
};
const more4: Step = (c) => {
  for (const n of UNUSED_MIDDLEWARE.slice(3)) c.middlewareStack.remove(n);
};
const client = (...steps: Step[]) => {
  const c = new S3Client({ ...base, ...tunedClientConfig() });
  steps.forEach((s) => s(c));
  return c;
};
const pooled = (...steps: Step[]) => new S3ClientPool({ config: { ...base, ...tunedSettings() }, setup: (c) => steps.forEach((s) => s(c)) });
const stock = new S3Client(base);
const sig = () => new AbortController().signal;
const send = (c: S3Client) => () => c.send(new GetBucketVersioningCommand({ Bucket: bucket }), { abortSignal: sig() });
const sendP = (p: S3ClientPool) => () => p.send(new GetBucketVersioningCommand({ Bucket: bucket }), sig());
const floor = new FloorS3Client(env.endpoint, env.region, env.hook);
const runs: Array<[string, () => Promise<unknown>]> = [
  ['A stock client', send(stock)],
  ['B + config, own handler, 3 no-op middleware off (the start of issue 16)', send(client(old3))],
  ['C + 4 more no-op middleware off', send(client(old3, more4))],
  ['D + user agent once per client', send(client(old3, more4, staticUserAgent))],
  ['E + one signer per scheme', send(client(old3, more4, staticUserAgent, reuseSigners))],
  ['F + client pool (cached middleware)', sendP(pooled(old3, more4, staticUserAgent, reuseSigners))],
  ['G + SigV4 chosen directly', sendP(pooled(old3, more4, staticUserAgent, reuseSigners, directSigV4))],
  ['H + serde over a view of the config, not a copy (shipped)', sendP(pooled(old3, more4, staticUserAgent, reuseSigners, directSigV4, leanSerde))],
  ['floor', () => floor.get(bucket, 'versioning', 'Status')],
];
await stock.send(new CreateBucketCommand({ Bucket: bucket }));
await stock.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
const res: number[][] = runs.map(() => []);
for (const [, run] of runs) for (let i = 0; i < 300; i++) await run();
const rounds = Number(process.argv[2] ?? 10),
  calls = 400;
for (let round = 0; round < rounds; round++)
  for (let j = 0; j < runs.length; j++) {
    const k = (j + round) % runs.length;
    const run = runs[k]![1];
    const c0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) await run();
    const u = process.cpuUsage(c0);
    res[k]!.push((u.user + u.system) / 1000 / calls);
  }
const fl = median(res[runs.length - 1]!);
let prev = 0;
for (let k = 0; k < runs.length; k++) {
  const m = median(res[k]!);
  console.log(
    `| ${runs[k]![0]} | ${m.toFixed(3)} ms | ${(m / fl).toFixed(2)}x | ${k > 0 && k < runs.length - 1 ? `${(((m - prev) / prev) * 100).toFixed(0)}%` : ''} |`,
  );
  prev = m;
}
await stock.send(new DeleteBucketCommand({ Bucket: bucket }));
process.exit(0);
