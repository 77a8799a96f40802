// ListBuckets for `npm run import` (src/cli/import.ts), with the CLI user's credentials: the hook itself
// never lists the account's buckets (it needs no s3:ListAllMyBuckets; it finds a bucket by HeadBucket).
// Asks S3 for the prefix and filters again here (stores such as Ceph RGW may ignore Prefix), following
// continuation tokens. Fails with an S3Error only, as the port does.
import { ListBucketsCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { classify } from './errors.js';
import { IMPORT_OPERATIONS } from './operations.js';

export interface BucketListing {
  name: string;
  /** The bucket's region where S3 says it (AWS does; RGW does not). */
  region: string | undefined;
}

export interface ListerOptions {
  region: string;
  endpoint?: string | undefined;
  forcePathStyle: boolean;
  credentials?: S3ClientConfig['credentials'];
}

/** At most this many pages of 10,000 buckets: far more than an account holds. */
const MAX_PAGES = 100;

export async function listBuckets(options: ListerOptions, prefix: string, signal?: AbortSignal): Promise<BucketListing[]> {
  const client = new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  try {
    const found: BucketListing[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await client.send(new ListBucketsCommand({ Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }), { abortSignal: signal });
      for (const b of out.Buckets ?? []) if (b.Name?.startsWith(prefix)) found.push({ name: b.Name, region: b.BucketRegion ?? undefined });
      token = out.ContinuationToken;
      if (!token) break;
    }
    return found.sort((a, b) => (a.name < b.name ? -1 : 1));
  } catch (err) {
    throw classify(IMPORT_OPERATIONS.listBuckets, err);
  } finally {
    client.destroy();
  }
}
