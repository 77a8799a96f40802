// ListBuckets, in two uses: `npm run import` (src/cli/import.ts) lists the account's buckets whose names
// start with a prefix, with the CLI user's credentials; the hook asks for one bucket's creation date, only
// where an unmarked bucket meets a claim on its name (reconciler/claim.ts; the adapter's
// bucketCreationDate). Asks S3 for the prefix and filters again here (stores such as Ceph RGW may ignore
// Prefix), following continuation tokens. Fails with an S3Error only, as the port does.
import { ListBucketsCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { classify } from './errors.js';
import { LIST_BUCKETS_OPERATION } from './operations.js';
import type { Send } from './sdk-config-table.js';

export interface BucketListing {
  name: string;
  /** The bucket's region where S3 says it (AWS does; RGW does not). */
  region: string | undefined;
  /** When S3 says it was created (AWS may move it later on some changes to the bucket; never earlier). */
  created: Date | undefined;
}

export interface ListerOptions {
  region: string;
  endpoint?: string | undefined;
  forcePathStyle: boolean;
  credentials?: S3ClientConfig['credentials'];
}

/** At most this many pages of 10,000 buckets: far more than an account holds. */
const MAX_PAGES = 100;

/** Every bucket whose name starts with `prefix`, sorted by name. Rejects with what `send` throws. */
export async function bucketsWithPrefix(send: Send, prefix: string): Promise<BucketListing[]> {
  const found: BucketListing[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await send(new ListBucketsCommand({ Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    for (const b of out.Buckets ?? [])
      if (b.Name?.startsWith(prefix)) found.push({ name: b.Name, region: b.BucketRegion ?? undefined, created: b.CreationDate });
    token = out.ContinuationToken;
    if (!token) break;
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : 1));
}

export async function listBuckets(options: ListerOptions, prefix: string, signal?: AbortSignal): Promise<BucketListing[]> {
  const client = new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  try {
    return await bucketsWithPrefix((command) => client.send(command, { abortSignal: signal }), prefix);
  } catch (err) {
    throw classify(LIST_BUCKETS_OPERATION, err);
  } finally {
    client.destroy();
  }
}
