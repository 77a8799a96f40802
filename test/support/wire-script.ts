// The same S3 work sent through two clients, for comparing them on the wire: every kind of call the hook's
// S3 port makes (HEAD, PUT with an XML, JSON or header body, checksummed bodies, GET with list queries and
// escaped markers, POST DeleteObjects, DELETE), through the port itself (src/s3/sdk-adapter.ts), so what is
// compared is what the hook sends. Each step's outcome is kept too: the same answers must read the same.
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { CreateTaggingMemo } from '../../src/s3/create-tagging.js';
import { COLLECTION_NAMES, CONFIG_NAMES, S3Error, type S3Port } from '../../src/s3/port.js';
import { SdkS3Port } from '../../src/s3/sdk-adapter.js';
import { tunedSettings, USER_AGENT_TOKEN } from '../../src/s3/sdk-client-config.js';
import { stockSender, tunedSender, type PortSender } from '../../src/s3/sdk-senders.js';

export interface Step {
  step: string;
  /** "ok <result>" or "error <code>". */
  outcome: string;
}

export interface PortUnderTest {
  port: S3Port;
  sender: PortSender;
}

type Settings = Omit<S3ClientConfig, 'requestHandler' | 'cacheMiddleware'>;

/**
 * A stock S3Client, with the same public settings as the tuned one (tunedSettings: checksums where
 * required, no S3 Express sessions) and the hook's user-agent token, so that only the tricks that lean on
 * the SDK's internals differ between the two.
 */
export function stockPort(settings: Settings): PortUnderTest {
  const sender = stockSender(new S3Client({ ...tunedSettings(), ...settings, customUserAgent: USER_AGENT_TOKEN }));
  return { port: new SdkS3Port(sender, new CreateTaggingMemo('unknown')), sender };
}

/** The hook's own sender: the pool, the trimmed stack, the keep-alive handler (sdk-senders.ts). */
export function tunedPort(settings: Settings): PortUnderTest {
  const sender = tunedSender({ config: settings });
  return { port: new SdkS3Port(sender, new CreateTaggingMemo('unknown')), sender };
}

const POLICY = (bucket: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'wire', Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket', Resource: `arn:aws:s3:::${bucket}` }],
  });

function describe(value: unknown): string {
  if (value instanceof Date) return 'a date';
  return JSON.stringify(value) ?? 'undefined';
}

/** Removes what a script that failed half-way may have left: every version in the bucket, then the bucket. */
export async function cleanUp(port: S3Port, bucket: string): Promise<void> {
  const page = await port.listObjectVersions(bucket, undefined).catch(() => undefined);
  if (page && page.versions.length > 0) await port.deleteObjectVersions(bucket, page.versions).catch(() => undefined);
  await port.deleteBucket(bucket).catch(() => undefined);
}

/** Runs the script on `bucket` (created, configured, read, emptied of nothing, deleted); never throws. */
export async function runScript(port: S3Port, bucket: string, region: string): Promise<Step[]> {
  const steps: Step[] = [];
  const step = async (name: string, run: () => Promise<unknown>): Promise<void> => {
    try {
      steps.push({ step: name, outcome: `ok ${describe(await run())}` });
    } catch (err) {
      steps.push({ step: name, outcome: err instanceof S3Error ? `error ${err.code}` : `threw ${String(err)}` });
    }
  };
  await step('HeadBucket (absent)', () => port.headBucket(bucket));
  await step('CreateBucket', () =>
    port.createBucket({
      bucket,
      locationConstraint: region === 'us-east-1' ? undefined : region,
      tags: [{ key: 'wire test', value: 'a/b c' }],
      extras: { objectOwnership: 'BucketOwnerEnforced' },
    }),
  );
  await step('HeadBucket', () => port.headBucket(bucket));
  await step('ListBuckets (creation date)', () => port.bucketCreationDate(bucket));
  await step('PutBucketTagging', () =>
    port.putBucketTags(bucket, [
      { key: 'team', value: 'x y+z' },
      { key: 'é', value: '' },
    ]),
  );
  await step('GetBucketTagging', () => port.getBucketTags(bucket));
  await step('PutBucketVersioning', () => port.putConfig('versioning', bucket, { status: 'Enabled' }));
  await step('PutBucketPolicy', () => port.putConfig('policy', bucket, POLICY(bucket)));
  await step('PutPublicAccessBlock', () =>
    port.putConfig('publicAccessBlock', bucket, { blockPublicACLs: true, ignorePublicACLs: false, blockPublicPolicy: true, restrictPublicBuckets: false }),
  );
  await step('PutBucketCors', () =>
    port.putConfig('cors', bucket, { corsRules: [{ allowedMethods: ['GET'], allowedOrigins: ['https://example.com'], maxAgeSeconds: 60 }] }),
  );
  for (const name of CONFIG_NAMES) await step(`get ${name}`, () => port.getConfig(name, bucket));
  for (const name of COLLECTION_NAMES) await step(`list ${name}`, () => port.listCollection(name, bucket));
  await step('DeleteBucketPolicy', () => port.deleteConfig('policy', bucket));
  await step('DeleteBucketCors', () => port.deleteConfig('cors', bucket));
  await step('ListObjectVersions', () => port.listObjectVersions(bucket, undefined));
  await step('ListObjectVersions (from a marker)', () => port.listObjectVersions(bucket, { key: "a b/c'd*(e)~", id: undefined }));
  // With version ids: in a versioned bucket a delete without one would leave a delete marker behind.
  await step('DeleteObjects', () =>
    port.deleteObjectVersions(bucket, [
      { key: 'gone & <away>', versionId: 'null' },
      { key: 'ünïcode/key', versionId: 'null' },
    ]),
  );
  await step('ListMultipartUploads', () => port.listMultipartUploads(bucket, { key: 'k=1&2', id: 'upload' }));
  await step('AbortMultipartUpload', () => port.abortMultipartUpload(bucket, { key: 'no such/upload', uploadId: 'nope' }));
  await step('DeleteBucketTagging', () => port.deleteBucketTags(bucket));
  await step('DeleteBucket', () => port.deleteBucket(bucket));
  return steps;
}
