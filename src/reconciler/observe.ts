// Observe: read-only. Existence first (HeadBucket), then, in one parallel round trip, the tags (which
// also say who owns the bucket) and every field the spec manages. Nothing the spec leaves out is read.
import { isS3Error, type Presence, type S3Error, type S3Port } from '../s3/port.js';
import type { AnyField, DesiredBucket } from './types.js';

export type Reading = { ok: true; value: unknown } | { ok: false; error: S3Error };

export interface Observation {
  presence: Presence;
  /** Only when present: field path -> what S3 reported (or why it could not be read). */
  readings: Map<string, Reading>;
}

/** The managed fields for this desired state, in apply order. */
export function managedFields(desired: DesiredBucket): AnyField[] {
  return desired.managed.map((m) => m.field);
}

async function read(field: AnyField, port: S3Port, desired: DesiredBucket, signal: AbortSignal | undefined): Promise<Reading> {
  try {
    return { ok: true, value: await field.read({ port, bucket: desired.bucketName, ref: desired.ref, signal }) };
  } catch (err) {
    // The port fails with S3Errors only: anything else is a bug, and no reading.
    if (!isS3Error(err)) throw err;
    return { ok: false, error: err };
  }
}

/** Every managed field, read in parallel: one round trip. */
export async function readFields(desired: DesiredBucket, port: S3Port, signal?: AbortSignal): Promise<Map<string, Reading>> {
  const fields = managedFields(desired);
  const results = await Promise.all(fields.map((f) => read(f, port, desired, signal)));
  return new Map(fields.map((f, i): [string, Reading] => [f.path, results[i]!]));
}

export async function observe(desired: DesiredBucket, port: S3Port, signal?: AbortSignal): Promise<Observation> {
  const presence = await port.headBucket(desired.bucketName, signal);
  if (presence.kind !== 'present') return { presence, readings: new Map() };
  return { presence, readings: await readFields(desired, port, signal) };
}
