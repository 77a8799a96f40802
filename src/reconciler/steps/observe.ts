// Observe: read-only. Existence first (HeadBucket), then, in one parallel round trip, the tags (which
// also say who owns the bucket) and every field the spec manages. Nothing the spec leaves out is read.
// One more read only where the claim step needs it: the creation date of a bucket without ownership
// tags while the status holds this hook's claim on its name (claim.ts).
// A bucket the last check found and that this hook claimed (a drift check, a deletion) is most likely
// still there and ours: its tags are read first instead of HeadBucket, since they say both (tagsFirst).
import { isS3Error, type CreateTagging, type Presence, type S3Port } from '../../s3/port.js';
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

/** What the tags read first said: the bucket is there with these tags, or it is not there. */
export type FirstLook = { presence: { kind: 'present' }; tags: Record<string, string> } | { presence: { kind: 'absent' } };

/**
 * GetBucketTagging in place of HeadBucket, for a bucket this hook claimed and reported: an answer says
 * that it exists and whose it is, NoSuchBucket that it does not (HeadBucket's 404). Anything else (403:
 * another account's bucket or a missing permission; 301: another region; no answer) says nothing sure:
 * undefined, and the caller asks HeadBucket as it would have. Saves one call when the bucket is there,
 * costs none when it is gone, one more only when the claimed bucket became unreachable.
 */
export async function tagsFirst(port: S3Port, bucket: string, signal?: AbortSignal): Promise<FirstLook | undefined> {
  try {
    return { presence: { kind: 'present' }, tags: await port.getBucketTags(bucket, signal) };
  } catch (err) {
    if (!isS3Error(err)) throw err;
    return err.code === 'NoSuchBucket' ? { presence: { kind: 'absent' } } : undefined;
  }
}

/** Whether a bucket is there and, when it is, its tags: what finalize decides on. */
export type TaggedPresence = Exclude<Presence, { kind: 'present' }> | { kind: 'present'; tags: Record<string, string> };

/** `claimed` (this hook's claim held and the bucket reported): the tags first (tagsFirst); else HeadBucket, then the tags of a bucket that is there. */
export async function presenceWithTags(port: S3Port, bucket: string, claimed: boolean, signal?: AbortSignal): Promise<TaggedPresence> {
  const first = claimed ? await tagsFirst(port, bucket, signal) : undefined;
  if (first) return 'tags' in first ? { kind: 'present', tags: first.tags } : first.presence;
  const presence = await port.headBucket(bucket, signal);
  return presence.kind === 'present' ? { kind: 'present', tags: await port.getBucketTags(bucket, signal) } : presence;
}

/** `claim` and `reported`: the status holds this hook's claim on the name and names the bucket (tagsFirst). */
export async function observe(
  desired: DesiredBucket,
  port: S3Port,
  claim: BucketClaim | undefined,
  signal?: AbortSignal,
  reported = false,
): Promise<Observation> {
  const tagsManaged = desired.managed.some((m) => m.field === taggingField);
  const first = claim && reported && tagsManaged ? await tagsFirst(port, desired.bucketName, signal) : undefined;
  const presence = first?.presence ?? (await port.headBucket(desired.bucketName, signal));
  if (presence.kind !== 'present')
    return { presence, readings: new Map(), ownership: 'unmarked', ...(presence.kind === 'absent' ? { createTagging: port.createTagging() } : {}) };
  const readings =
    first && 'tags' in first
      ? withReading(
          await readFields(
            desired.managed.filter((m) => m.field !== taggingField),
            port,
            desired,
            signal,
          ),
          desired,
          first.tags,
        )
      : await readFields(desired.managed, port, desired, signal);
  const tags = readings.get(taggingField.path);
  const ownership = ownershipOf(tags?.ok ? (tags.value as Record<string, string>) : {}, desired.ref);
  if (!claim || desired.readOnly || !tags?.ok || ownership !== 'unmarked') return { presence, readings, ownership };
  return { presence, readings, ownership, created: (await port.bucketCreationDate(claim.bucket, signal)) ?? null };
}

/** The readings in the order of `desired.managed`, the tags read first among them. */
function withReading(rest: Map<string, Reading>, desired: DesiredBucket, tags: Record<string, string>): Map<string, Reading> {
  return new Map(
    desired.managed.map(({ field }): [string, Reading] => [field.path, field === taggingField ? { ok: true, value: tags } : rest.get(field.path)!]),
  );
}
