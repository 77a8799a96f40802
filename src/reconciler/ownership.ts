// Ownership without local state: a bucket is ours when its tags carry this resource's uid.
import { OWNER_TAG, OWNER_TAG_PREFIX } from './annotations.js';
import type { Ownership, ResourceRef } from './types.js';

export function ownershipTags(ref: ResourceRef): Record<string, string> {
  return { [OWNER_TAG.namespace]: ref.namespace, [OWNER_TAG.name]: ref.name, [OWNER_TAG.uid]: ref.uid };
}

export function ownershipOf(tags: Record<string, string>, ref: ResourceRef): Ownership {
  const uid = tags[OWNER_TAG.uid];
  if (uid === undefined) return 'unmarked';
  return uid === ref.uid ? 'ours' : 'other-resource';
}

export function isOwnershipTag(key: string): boolean {
  return key.startsWith(OWNER_TAG_PREFIX);
}
