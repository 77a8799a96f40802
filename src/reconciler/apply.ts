// Apply: one idempotent write per differing field, in FIELDS order. A failing write does not stop the
// others: every field gets its chance and every failure is reported.
import { isS3Error, type S3Port } from '../s3/port.js';
import type { Delta, FieldFailure } from './diff.js';
import type { DesiredBucket } from './types.js';

export interface ApplyResult {
  applied: string[];
  failed: FieldFailure[];
}

export async function apply(desired: DesiredBucket, delta: Delta, port: S3Port, signal?: AbortSignal): Promise<ApplyResult> {
  const result: ApplyResult = { applied: [], failed: [] };
  const ctx = { port, bucket: desired.bucketName, ref: desired.ref, signal };
  for (const change of delta.changes) {
    try {
      await change.field.write(ctx, change.desired, change.observed);
      result.applied.push(change.field.path);
    } catch (err) {
      // The port fails with S3Errors only: anything else is a bug, and ends the sync.
      if (!isS3Error(err)) throw err;
      result.failed.push({ path: change.field.path, error: err });
      // A cut-short request means the deadline is spent: stop here, the next sync continues.
      if (signal?.aborted) break;
    }
  }
  return result;
}
