// Observe: read-only. Existence first (HeadBucket), then, in one parallel round trip, the tags (which
// also say who owns the bucket) and every field the spec manages. Nothing the spec leaves out is read.
// One more read only where the claim step needs it: the creation date of a bucket without ownership
// tags while the status holds this hook's claim on its name (claim.ts).
import type { CreateTagging, Presence, S3Port } from '../../s3/port.js';
import { readFields, type Reading } from '../fields/read.js';
import { taggingField } from '../fields/tagging.js';
import { ownershipOf } from '../rules/ownership.js';
import type { BucketClaim } from '../model/resource.js';
import type { DesiredBucket, Ownership } from '../model/types.js';

export type { Reading } from '../fields/read.js';

export interface Observation {
  presence: Presence;
  /** Only when present: field path -> what S3 reported (or why it could not be read). */
  readings: Map<string, Reading>;
  /** Only when present: whose the bucket's tags say it is (unmarked when they could not be read). */
  ownership: Ownership;
  /** Only for an unmarked bucket while the status holds a valid claim: when S3 says it was created (null: not listed). */
  created?: Date | null | undefined;
  /** Only when absent: what the endpoint does with the tags sent with CreateBucket (learned per process). */
  createTagging?: CreateTagging | undefined;
}

export async function observe(desired: DesiredBucket, port: S3Port, claim: BucketClaim | undefined, signal?: AbortSignal): Promise<Observation> {
  const presence = await port.headBucket(desired.bucketName, signal);
  if (presence.kind !== 'present')
    return { presence, readings: new Map(), ownership: 'unmarked', ...(presence.kind === 'absent' ? { createTagging: port.createTagging() } : {}) };
  const readings = await readFields(desired.managed, port, desired, signal);
  const tags = readings.get(taggingField.path);
  const ownership = ownershipOf(tags?.ok ? (tags.value as Record<string, string>) : {}, desired.ref);
  if (!claim || desired.readOnly || !tags?.ok || ownership !== 'unmarked') return { presence, readings, ownership };
  return { presence, readings, ownership, created: (await port.bucketCreationDate(claim.bucket, signal)) ?? null };
}
