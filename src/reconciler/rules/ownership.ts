// Ownership without local state: a bucket is ours when its tags carry this resource's uid. The tags are
// read back from S3, where anyone with the account's rights may have written anything: ownership tags
// whose values are not Kubernetes names name no owner (kube-names.ts), so such a bucket counts as
// unmarked (never ours, never another resource's to protect, adoptable under the adoption rules).
import { OWNER_TAG, OWNER_TAG_PREFIX } from './annotations.js';
import { isNamespaceName, isObjectName, isUid } from './kube-names.js';
import type { Ownership, ResourceRef } from '../model/types.js';

/** How a bucket became its Bucket resource's (the origin tag). */
export type Origin = 'created' | 'adopted';

export function ownershipTags(ref: ResourceRef, origin?: Origin): Record<string, string> {
  const tags: Record<string, string> = { [OWNER_TAG.namespace]: ref.namespace, [OWNER_TAG.name]: ref.name, [OWNER_TAG.uid]: ref.uid };
  if (ref.cluster) tags[OWNER_TAG.cluster] = ref.cluster;
  if (origin) tags[OWNER_TAG.origin] = origin;
  return tags;
}

/** The Bucket resource the tags name, when they name one in well-formed Kubernetes names. */
export interface Owner {
  uid: string;
  namespace: string | undefined;
  name: string | undefined;
  /** The cluster tag (CLUSTER_NAME of the hook that marked it); undefined on buckets marked without one. */
  cluster: string | undefined;
}

export function ownerOf(tags: Record<string, string>): Owner | undefined {
  const uid = tags[OWNER_TAG.uid];
  const namespace = tags[OWNER_TAG.namespace];
  const name = tags[OWNER_TAG.name];
  const cluster = tags[OWNER_TAG.cluster];
  if (uid === undefined || !isUid(uid)) return undefined;
  if (namespace !== undefined && !isNamespaceName(namespace)) return undefined;
  if (name !== undefined && !isObjectName(name)) return undefined;
  // Written by CLUSTER_NAME's rule (a DNS label's characters); anything else names no cluster we could be.
  if (cluster !== undefined && !isObjectName(cluster)) return undefined;
  return { uid, namespace, name, cluster };
}

/** Tagged for another cluster: both this hook and the tags name one, and not the same. */
export function otherCluster(owner: Owner, ref: ResourceRef): boolean {
  return owner.cluster !== undefined && ref.cluster !== undefined && owner.cluster !== ref.cluster;
}

export function ownershipOf(tags: Record<string, string>, ref: ResourceRef): Ownership {
  const owner = ownerOf(tags);
  if (!owner) return 'unmarked';
  return owner.uid === ref.uid && !otherCluster(owner, ref) ? 'ours' : 'other-resource';
}

/** The origin tag's value; undefined when absent (marked before it existed) or not one of ours. */
export function originOf(tags: Record<string, string>): Origin | undefined {
  const origin = tags[OWNER_TAG.origin];
  return origin === 'created' || origin === 'adopted' ? origin : undefined;
}

export function isOwnershipTag(key: string): boolean {
  return key.startsWith(OWNER_TAG_PREFIX);
}
