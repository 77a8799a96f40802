// spec.tagging plus the ownership tags. Compared as maps (order does not matter). Tags under "aws:"
// belong to AWS and are neither compared nor written. Tags under the prefixes other tools own
// (FOREIGN_TAG_PREFIXES, say an organisation's "org:") are neither compared nor removed: every write
// carries them as S3 holds them. When spec.tagging is omitted, the user's tags are unmanaged: only the
// ownership tags are added, everything else on the bucket is kept.
// Not read-only, the tags are always read: they say who owns the bucket. The origin tag (created or
// adopted) is written when the bucket becomes the resource's (withOrigin) and kept as S3 holds it after:
// a bucket marked before the tag existed keeps none, since how it became the resource's is unknown. The
// cluster tag is CLUSTER_NAME's; a hook without one keeps the tag a bucket carries.
import type { Tag } from '../../s3/port.js';
import { MAX_TAGS, OWNER_TAG } from '../rules/annotations.js';
import { isObjectName } from '../rules/kube-names.js';
import { isOwnershipTag, originOf, ownershipTags, type Origin } from '../rules/ownership.js';
import type { DesiredBucket, DesiredSpec, Field } from '../model/types.js';

export interface DesiredTags {
  /** undefined: user tags unmanaged (keep whatever is there). */
  user: Tag[] | undefined;
  owner: Record<string, string>;
  /** Set only in the pass that makes the bucket the resource's (create, adoption); else the observed one is kept. */
  origin?: Origin | undefined;
  /** Key prefixes other tools own: their tags are kept as they are (FOREIGN_TAG_PREFIXES). */
  foreign?: readonly string[] | undefined;
}

type TagMap = Record<string, string>;

function isSystemTag(key: string): boolean {
  return key.startsWith('aws:');
}

function isForeignTag(key: string, foreign: readonly string[] | undefined): boolean {
  return foreign !== undefined && foreign.some((prefix) => key.startsWith(prefix)) && !isOwnershipTag(key) && !isSystemTag(key);
}

/** The full tag set to have on the bucket, given what is there now. */
export function targetTags(desired: DesiredTags, observed: TagMap): Tag[] {
  const entries = Object.entries(observed);
  const kept =
    desired.user ?? entries.filter(([k]) => !isOwnershipTag(k) && !isSystemTag(k) && !isForeignTag(k, desired.foreign)).map(([key, value]) => ({ key, value }));
  const foreign = entries.filter(([k]) => isForeignTag(k, desired.foreign)).map(([key, value]) => ({ key, value }));
  const owner = { ...desired.owner };
  // A read-only resource writes no ownership tag, the origin and the cluster included.
  const marks = Object.keys(owner).length > 0;
  const origin = marks ? (desired.origin ?? originOf(observed)) : undefined;
  if (origin) owner[OWNER_TAG.origin] = origin;
  // A hook without CLUSTER_NAME keeps the cluster a bucket was tagged for: it has none to write instead,
  // and without the tag a hook of any cluster could take the bucket back. Not where it would make the set
  // more than S3 takes (that hook reserves no room for it).
  const cluster = marks && owner[OWNER_TAG.cluster] === undefined ? observed[OWNER_TAG.cluster] : undefined;
  if (cluster !== undefined && isObjectName(cluster) && kept.length + foreign.length + Object.keys(owner).length < MAX_TAGS) owner[OWNER_TAG.cluster] = cluster;
  return [...kept, ...foreign, ...Object.entries(owner).map(([key, value]) => ({ key, value }))];
}

/** The desired state with the origin tag to write: the pass that creates or adopts the bucket. */
export function withOrigin(desired: DesiredBucket, origin: Origin): DesiredBucket {
  const managed = desired.managed.map((m) => (m.field === taggingField ? { field: m.field, value: { ...(m.value as DesiredTags), origin } } : m));
  return { ...desired, managed };
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
  desired: (d: DesiredSpec) => {
    const foreign = d.foreignTagPrefixes?.length ? { foreign: d.foreignTagPrefixes } : {};
    if (d.readOnly) return d.tags ? { user: d.tags, owner: {}, ...foreign } : undefined;
    return { user: d.tags, owner: ownershipTags(d.ref), ...foreign };
  },
  read: (ctx) => ctx.port.getBucketTags(ctx.bucket, ctx.signal),
  inSync: (desired, observed) => {
    const want = Object.fromEntries(targetTags(desired, observed).map((t) => [t.key, t.value]));
    return sameMap(want, writable(observed));
  },
  write: (ctx, desired, observed) => ctx.port.putBucketTags(ctx.bucket, targetTags(desired, observed), ctx.signal),
  // Right after the create: the tags sent where the endpoint keeps them, none where it drops or refuses
  // them; read (and so learned) where that is not known yet.
  created: (desired, _spec, tagging) => {
    if (tagging === 'unknown') return undefined;
    return { value: tagging === 'honoured' ? Object.fromEntries(targetTags(desired, {}).map((t) => [t.key, t.value])) : {} };
  },
};
