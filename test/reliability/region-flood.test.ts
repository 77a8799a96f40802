// A tenant cannot exhaust the hook's memory with region names. Before, every distinct
// services.k8s.aws/region value made an S3 client that was kept forever: about 3,600 of them took the
// hook past its 128 MB heap cap. Now a value that is not a region name is InvalidSpec before any client
// exists, and region names that do pass are served from a bounded cache whose evicted clients are
// destroyed. Real SDK adapter and app, over a stand-in S3 endpoint on loopback (HeadBucket: 404).
import t from 'tap';
import { buildApp } from '../../src/http/app.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { MAX_CLIENTS, createSdkPortFactory } from '../../src/s3/sdk-adapter.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { startStandIn } from '../support/stand-in-s3.js';

const FLOOD = 3600;
// 3,600 syncs through the real app and SDK: well under a minute alone, but over tap's default two minutes
// on a loaded 2-core machine, where it was killed rather than failed. What it checks is memory, not time.
t.setTimeout(600_000);
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/** "aaa", "aab", ...: distinct lowercase words, so "zz-<word>-1" is a well-formed region name. */
const word = (n: number) => Array.from({ length: 3 }, (_, i) => String.fromCharCode(97 + (Math.floor(n / 26 ** i) % 26))).join('');

t.test(`${FLOOD} Buckets, each with its own region annotation`, async (t) => {
  const s3 = await startStandIn((r) => (r.method === 'HEAD' ? { status: 404 } : { status: 200 }));
  const factory = createSdkPortFactory({ endpoint: s3.endpoint, forcePathStyle: true, credentials, maxAttempts: 1 });
  const app = buildApp({
    logger: false,
    deps: {
      s3: factory,
      now: () => new Date('2026-11-24T10:00:00Z'),
      defaults: { region: 'us-east-1', deletionPolicy: 'delete' },
      resync: { driftCheckSeconds: 600, backoffMinSeconds: 5, backoffMaxSeconds: 300 },
    },
  });
  t.teardown(async () => {
    await app.close();
    factory.destroy();
    await s3.close();
  });
  const sync = async (i: number, region: string): Promise<HookResponse> => {
    const body = envelope(
      bucketResource({
        uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        name: `b${i}`,
        spec: { name: `flood-${i}` },
        annotations: { 'services.k8s.aws/region': region },
      }),
    );
    const res = await app.inject({ method: 'POST', url: '/sync', payload: body });
    if (res.statusCode !== 200) throw new Error(`${res.statusCode}: ${res.body}`);
    return res.json<HookResponse>();
  };
  const heapBefore = process.memoryUsage().heapUsed;

  const invalid = new Map<string, number>();
  for (let i = 0; i < FLOOD; i++) {
    const res = await sync(i, `flood-${i}`);
    const reason = res.status.conditions?.find((c) => c.type === 'ACK.Terminal')?.reason ?? 'none';
    invalid.set(reason, (invalid.get(reason) ?? 0) + 1);
  }
  t.same(Object.fromEntries(invalid), { InvalidSpec: FLOOD }, 'not region names: all InvalidSpec');
  t.equal(factory.size, 0, 'and not one S3 client made');
  t.equal(s3.seen.length, 0, 'nor one S3 request');

  const served = new Map<string, number>();
  let most = 0;
  for (let i = 0; i < FLOOD; i++) {
    const res = await sync(i, `zz-${word(i)}-1`);
    const reason = res.status.conditions?.find((c) => c.type === 'Ready')?.reason ?? 'none';
    served.set(reason, (served.get(reason) ?? 0) + 1);
    most = Math.max(most, factory.size);
  }
  t.equal(most, MAX_CLIENTS, 'never more clients than the bound');
  t.same(Object.fromEntries(served), { Creating: FLOOD }, 'region names: served (the stand-in says the bucket does not exist yet)');
  t.equal(factory.size, MAX_CLIENTS, `the cache holds ${MAX_CLIENTS} clients, the rest were evicted`);
  t.equal(s3.seen.filter((r) => r.method === 'HEAD').length, FLOOD, 'one HeadBucket each');
  global.gc?.();
  t.comment(
    `heap used: ${(heapBefore / 2 ** 20).toFixed(1)} MB before the floods, ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)} MB after ${2 * FLOOD} Buckets; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(1)} MB`,
  );
});
