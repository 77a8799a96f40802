// The real S3 server (Ceph RGW, started by test/rgw/rgw.sh) for integration tests: its address and two
// accounts, raw SDK clients to arrange and inspect S3 behind the hook's back, and the hook's own app
// wired to it through the real SDK adapter with a request counter.
import { randomBytes } from 'node:crypto';
import { DeleteBucketCommand, DeleteObjectCommand, HeadBucketCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { buildApp } from '../../src/http/app.js';
import { createMetrics, type HookMetrics } from '../../src/http/metrics.js';
import { createSdkPortFactory } from '../../src/s3/sdk-adapter.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import type { ClaimKey } from '../../src/reconciler/rules/claim-proof.js';
import type { TenancyRules } from '../../src/reconciler/rules/tenancy.js';
import type { DriftLoopSettings } from '../../src/reconciler/rules/drift-loop.js';
import { bucketResource, envelope, type BucketInput } from './envelope.js';

export interface RgwEnv {
  endpoint: string;
  region: string;
  hook: { accessKeyId: string; secretAccessKey: string };
  other: { accessKeyId: string; secretAccessKey: string };
}

export function rgwEnv(): RgwEnv {
  const e = process.env;
  const need = ['S3_TEST_ENDPOINT', 'S3_TEST_REGION', 'S3_TEST_ACCESS_KEY', 'S3_TEST_SECRET_KEY', 'S3_TEST_OTHER_ACCESS_KEY', 'S3_TEST_OTHER_SECRET_KEY'];
  const missing = need.filter((k) => !e[k]);
  if (missing.length > 0) {
    throw new Error(
      `integration tests need the local Ceph RGW: run them through \`npm test\` (test/run.sh starts it), or \`bash test/rgw/rgw.sh start\` and source its env file. Missing: ${missing.join(', ')}`,
    );
  }
  return {
    endpoint: e.S3_TEST_ENDPOINT!,
    region: e.S3_TEST_REGION!,
    hook: { accessKeyId: e.S3_TEST_ACCESS_KEY!, secretAccessKey: e.S3_TEST_SECRET_KEY! },
    other: { accessKeyId: e.S3_TEST_OTHER_ACCESS_KEY!, secretAccessKey: e.S3_TEST_OTHER_SECRET_KEY! },
  };
}

export function rawClient(env: RgwEnv, who: 'hook' | 'other'): S3Client {
  return new S3Client({ region: env.region, endpoint: env.endpoint, forcePathStyle: true, credentials: env[who] });
}

export function uniqueBucket(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Counts S3 requests by operation, as the SDK sent them (retries included). */
export class CallCounter {
  readonly calls: string[] = [];
  record = (operation: string): void => void this.calls.push(operation);
  reset(): void {
    this.calls.length = 0;
  }
  writes(): string[] {
    return this.calls.filter((c) => !/^(Head|Get|List)/.test(c));
  }
}

/** The hook's app over RGW, as main.ts wires it: the adapter's onRequest feeds both the counter and the app's metrics. */
export interface HookAppOptions {
  deletionPolicy?: 'delete' | 'retain';
  now?: () => Date;
  metrics?: HookMetrics;
  /** The admin's rules (ADOPTION_NAMESPACES, BUCKET_NAME_PREFIX, ...); default open, as the hook's. */
  tenancy?: TenancyRules;
  /** The key claims are signed with (CLAIM_KEY_FILE); default this process's. */
  claimKey?: ClaimKey;
  /** DRIFT_LOOP_CORRECTIONS and DRIFT_LOOP_WINDOW_SECONDS; default the hook's (5 within an hour). */
  driftLoop?: DriftLoopSettings;
  /** APPROVAL_NAMESPACES; default none. */
  approvalNamespaces?: 'all' | readonly string[];
  /** CLUSTER_NAME; default none. */
  clusterName?: string;
}

export function hookApp(env: RgwEnv, counter: CallCounter, options: HookAppOptions = {}) {
  const metrics = options.metrics ?? createMetrics({ processMetrics: false });
  const onRequest = (operation: string, result: string): void => {
    counter.record(operation);
    metrics.s3Request(operation, result);
  };
  const s3 = createSdkPortFactory({ endpoint: env.endpoint, forcePathStyle: true, credentials: env.hook, onRequest });
  const app = buildApp({
    logger: false,
    metrics,
    deps: {
      s3,
      now: options.now ?? (() => new Date()),
      defaults: {
        region: env.region,
        deletionPolicy: options.deletionPolicy ?? 'delete',
        ...(options.clusterName ? { clusterName: options.clusterName } : {}),
      },
      resync: { driftCheckSeconds: 600, backoffMinSeconds: 5, backoffMaxSeconds: 300 },
      ...(options.tenancy ? { tenancy: options.tenancy } : {}),
      ...(options.claimKey ? { claimKey: options.claimKey } : {}),
      ...(options.driftLoop ? { driftLoop: options.driftLoop } : {}),
      ...(options.approvalNamespaces ? { approvalNamespaces: options.approvalNamespaces } : {}),
    },
  });
  app.addHook('onClose', () => s3.destroy());
  return app;
}

/** A sync answer that only recorded the bucket's name (stores that drop tags sent with CreateBucket). */
export function isReservation(response: HookResponse): boolean {
  return response.status.conditions?.some((c) => c.type === 'Ready' && c.reason === 'Creating') ?? false;
}

/**
 * What Metacontroller does after a sync that changed the status: it syncs again with the status written.
 * Here only for the reservation step before a create, at most twice, so a test reads the settled answer.
 */
export async function settle(
  call: (status: HookResponse['status'] | undefined) => Promise<HookResponse>,
  status?: HookResponse['status'],
): Promise<HookResponse> {
  let response = await call(status);
  for (let step = 0; step < 2 && isReservation(response); step++) response = await call(response.status);
  return response;
}

/** HeadBucket: true when the bucket exists, false on 404. */
export async function bucketExists(client: S3Client, bucket: string): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
}

/** Test clean-up only: removes every object version, then the bucket (ignores a missing bucket). */
export async function removeBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    const versions = await client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    for (const v of [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: v.Key!, VersionId: v.VersionId }));
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if ((err as { name?: string }).name !== 'NoSuchBucket') throw err;
  }
}

/**
 * The setup the RGW suites share: the hook app (real SDK adapter, calls counted), a raw client per RGW
 * user (`mine`: the hook's account, `theirs`: another account), `post` for hook calls that must answer
 * 200, and `track` for buckets to remove when the suite ends.
 */
export function rgwHarness(test: { teardown(fn: () => Promise<void>): void }, options: HookAppOptions = {}) {
  const env = rgwEnv();
  const mine = rawClient(env, 'hook');
  const theirs = rawClient(env, 'other');
  const counter = new CallCounter();
  const app = hookApp(env, counter, options);
  const cleanup: Array<() => Promise<void>> = [];
  test.teardown(async () => {
    for (const c of cleanup) await c();
    await app.close();
    mine.destroy();
    theirs.destroy();
  });
  const once = async (input: BucketInput, finalizing: boolean): Promise<HookResponse> => {
    const res = await app.inject({ method: 'POST', url: finalizing ? '/finalize' : '/sync', payload: envelope(bucketResource(input), finalizing) });
    if (res.statusCode !== 200) throw new Error(`hook answered ${res.statusCode}: ${res.body}`);
    return res.json<HookResponse>();
  };
  /** One hook call; a sync that answers the reservation before a create is followed, as Metacontroller would. */
  const post = (input: BucketInput, finalizing = false): Promise<HookResponse> =>
    finalizing ? once(input, true) : settle((status) => once(status ? { ...input, status } : input, false), input.status);
  const track = (bucket: string, client: S3Client = mine): void => {
    cleanup.push(() => removeBucket(client, bucket));
  };
  return { env, mine, theirs, counter, app, post, once, track };
}
