// Reading managed fields: in parallel, one round trip, each reading or the S3Error that stood in for it.
// Observe reads every managed field of an existing bucket; apply, after its own create, only those
// whose answer the hook cannot know.
import { isS3Error, type S3Error, type S3Port } from '../../s3/port.js';
import type { DesiredBucket, FieldContext, ManagedField } from '../model/types.js';

export type Reading = { ok: true; value: unknown } | { ok: false; error: S3Error };

/** Field path -> reading, for `managed`. */
export async function readFields(
  managed: readonly ManagedField[],
  port: S3Port,
  desired: DesiredBucket,
  signal: AbortSignal | undefined,
): Promise<Map<string, Reading>> {
  const ctx: FieldContext = { port, bucket: desired.bucketName, ref: desired.ref, signal };
  const results = await Promise.all(
    managed.map(async ({ field }): Promise<Reading> => {
      try {
        return { ok: true, value: await field.read(ctx) };
      } catch (err) {
        // The port fails with S3Errors only: anything else is a bug, and no reading.
        if (!isS3Error(err)) throw err;
        return { ok: false, error: err };
      }
    }),
  );
  return new Map(managed.map((m, i): [string, Reading] => [m.field.path, results[i]!]));
}
