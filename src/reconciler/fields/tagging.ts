// spec.tagging plus the ownership tags. Compared as maps (order does not matter). Tags under "aws:"
// belong to AWS and are neither compared nor written. When spec.tagging is omitted, the user's tags are
// unmanaged: only the ownership tags are added, everything else on the bucket is kept.
// Not read-only, the tags are always read: they say who owns the bucket.
import type { Tag } from '../../s3/port.js';
import { isOwnershipTag, ownershipTags } from '../ownership.js';
import type { DesiredSpec, Field } from '../types.js';

export interface DesiredTags {
  /** undefined: user tags unmanaged (keep whatever is there). */
  user: Tag[] | undefined;
  owner: Record<string, string>;
}

type TagMap = Record<string, string>;

function isSystemTag(key: string): boolean {
  return key.startsWith('aws:');
}

/** The full tag set to have on the bucket, given what is there now. */
export function targetTags(desired: DesiredTags, observed: TagMap): Tag[] {
  const kept = desired.user ?? Object.entries(observed).filter(([k]) => !isOwnershipTag(k) && !isSystemTag(k)).map(([key, value]) => ({ key, value }));
  return [...kept, ...Object.entries(desired.owner).map(([key, value]) => ({ key, value }))];
}

function sameMap(a: TagMap, b: TagMap): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

function writable(tags: TagMap): TagMap {
  return Object.fromEntries(Object.entries(tags).filter(([k]) => !isSystemTag(k)));
}

export const taggingField: Field<DesiredTags, TagMap> = {
  path: 'spec.tagging',
  // Read-only resources never claim a bucket: only the user's tags, if any, are compared.
  desired: (d: DesiredSpec) => (d.readOnly ? (d.tags ? { user: d.tags, owner: {} } : undefined) : { user: d.tags, owner: ownershipTags(d.ref) }),
  read: (ctx) => ctx.port.getBucketTags(ctx.bucket, ctx.signal),
  inSync: (desired, observed) => {
    const want = Object.fromEntries(targetTags(desired, observed).map((t) => [t.key, t.value]));
    return sameMap(want, writable(observed));
  },
  write: (ctx, desired, observed) => ctx.port.putBucketTags(ctx.bucket, targetTags(desired, observed), ctx.signal),
};
