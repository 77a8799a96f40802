// A dry-run decorator over any S3 port: reads go to S3 for real, writes are recorded in a plan instead
// of being sent. The reconciler cannot tell the difference, so the plan is exactly the ordered list of
// writes a real call would make. Buckets "created" in the plan are virtual: reading them answers what a
// fresh bucket answers (present, no tags, nothing configured), so the plan continues past the create.
// Like any port, it fails with S3Errors only: the inner port's pass through, anything else is classified.
import { classify } from './errors.js';
import { COLLECTION_OPERATIONS, CONFIG_OPERATIONS, EMPTYING_OPERATIONS, LIST_BUCKETS_OPERATION } from './operations.js';
import type { S3Port, S3PortFactory } from './port.js';

export interface PlannedWrite {
  /** The S3 API operation, e.g. "PutBucketVersioning". */
  operation: string;
  bucket: string;
  /** What the call would carry, in the port's (ACK spec) shape. */
  input: unknown;
}

export interface DryRun {
  /** Use in place of the real factory. */
  factory: S3PortFactory;
  /** The writes recorded so far, in call order. */
  plan: PlannedWrite[];
}

/** Runs one call of the port: whatever fails leaves as an S3Error (one from the inner port as it is). */
async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw classify(operation, err);
  }
}

export function dryRun(inner: S3PortFactory): DryRun {
  const plan: PlannedWrite[] = [];
  // Bucket names are global, so one set serves every region.
  const created = new Set<string>();
  const deleted = new Set<string>();
  const record = (operation: string, bucket: string, input: unknown): Promise<void> =>
    guarded(operation, () => {
      plan.push({ operation, bucket, input: structuredClone(input) });
      return Promise.resolve();
    });

  const wrap = (real: S3Port): S3Port => ({
    headBucket: (bucket, signal) =>
      guarded('HeadBucket', async () => {
        if (deleted.has(bucket)) return { kind: 'absent' };
        if (created.has(bucket)) return { kind: 'present' };
        return real.headBucket(bucket, signal);
      }),
    // A bucket planned in this dry run does not exist: S3 lists nothing for it.
    bucketCreationDate: (bucket, signal) =>
      guarded(LIST_BUCKETS_OPERATION, async () => (created.has(bucket) ? undefined : real.bucketCreationDate(bucket, signal))),
    getBucketTags: (bucket, signal) => guarded('GetBucketTagging', async () => (created.has(bucket) ? {} : real.getBucketTags(bucket, signal))),
    getConfig: (name, bucket, signal) =>
      guarded(CONFIG_OPERATIONS[name].read, async () => (created.has(bucket) ? undefined : real.getConfig(name, bucket, signal))),
    listCollection: (name, bucket, signal) =>
      guarded(COLLECTION_OPERATIONS[name].read, async () => (created.has(bucket) ? [] : real.listCollection(name, bucket, signal))),

    // As the real endpoint: a dry run plans exactly what a real call would do, reservation step included.
    createTagging: () => real.createTagging(),
    learnCreateTagging: () => undefined,
    createBucket: ({ bucket, ...input }) => {
      created.add(bucket);
      deleted.delete(bucket);
      return record('CreateBucket', bucket, input);
    },
    deleteBucket: (bucket) => {
      created.delete(bucket);
      deleted.add(bucket);
      return record('DeleteBucket', bucket, {});
    },
    putBucketTags: (bucket, tags) => record('PutBucketTagging', bucket, { tags }),
    deleteBucketTags: (bucket) => record('DeleteBucketTagging', bucket, {}),
    putConfig: (name, bucket, value) => record(CONFIG_OPERATIONS[name].write, bucket, value),
    deleteConfig: (name, bucket) => record(CONFIG_OPERATIONS[name].remove, bucket, {}),
    putCollectionItem: (name, bucket, item) => record(COLLECTION_OPERATIONS[name].write, bucket, item),
    deleteCollectionItem: (name, bucket, id) => record(COLLECTION_OPERATIONS[name].remove, bucket, { id }),
    // Emptying: the listings are real (a planned bucket is empty), each DeleteObjects and abort is planned
    // and taken as done, so the plan goes on through every page to the DeleteBucket it would end with.
    listObjectVersions: (bucket, from, signal) =>
      guarded(EMPTYING_OPERATIONS.listVersions, async () =>
        created.has(bucket) ? { versions: [], next: undefined } : real.listObjectVersions(bucket, from, signal),
      ),
    listMultipartUploads: (bucket, from, signal) =>
      guarded(EMPTYING_OPERATIONS.listUploads, async () =>
        created.has(bucket) ? { uploads: [], next: undefined } : real.listMultipartUploads(bucket, from, signal),
      ),
    deleteObjectVersions: (bucket, versions) => record(EMPTYING_OPERATIONS.deleteVersions, bucket, { versions }).then(() => []),
    abortMultipartUpload: (bucket, upload) => record(EMPTYING_OPERATIONS.abortUpload, bucket, upload),
  });

  const ports = new Map<string, S3Port>();
  const factory: S3PortFactory = (region) => {
    let port = ports.get(region);
    if (!port) {
      port = wrap(inner(region));
      ports.set(region, port);
    }
    return port;
  };
  return { factory, plan };
}
