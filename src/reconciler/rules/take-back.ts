// Taking a bucket back after a restore or a cluster move: pure. A restored or migrated cluster recreates
// the same Bucket resources under new uids, so their buckets' ownership tags name the old uid and read as
// another resource's (ManagedElsewhere) for good. A Bucket may take such a bucket back, explicitly: the
// annotation s3.services.k8s.aws/take-back: "true", in a namespace the admin allows (TAKE_BACK_NAMESPACES),
// and only a bucket whose tags name the same namespace and name, and no other cluster (CLUSTER_NAME).
// A bucket tagged for another namespace, name or cluster is never taken this way.
import { ANNOTATION } from './annotations.js';
import { otherCluster, originOf, type Origin, type Owner } from './ownership.js';
import type { BucketResource } from '../model/resource.js';
import { mayTakeBack, type TenancyRules } from './tenancy.js';
import type { ResourceRef } from '../model/types.js';

export type TakeBack =
  /** Tag it as this resource's, keeping how the bucket first became a Bucket resource's. */
  | { kind: 'take'; from: string; origin: Origin }
  /** Stays another resource's; `why` says what a person asking to take it back should know. */
  | { kind: 'refused'; why: string | undefined };

export function takeBack(owner: Owner, tags: Record<string, string>, ref: ResourceRef, resource: BucketResource, rules: TenancyRules): TakeBack {
  const value = resource.metadata.annotations?.[ANNOTATION.takeBack]?.trim();
  const sameObject = owner.namespace === ref.namespace && owner.name === ref.name;
  const elsewhere = otherCluster(owner, ref);
  if (value === undefined) {
    // Only where it could help: the same namespace and name in this cluster (a restore, a move).
    const hint =
      sameObject && !elsewhere
        ? `If this Bucket is that resource restored or moved to this cluster (same namespace and name, a new uid), annotate it ${ANNOTATION.takeBack}=true to take the bucket back (the admin must list namespace ${ref.namespace} in TAKE_BACK_NAMESPACES).`
        : undefined;
    return { kind: 'refused', why: hint };
  }
  if (value !== 'true')
    return { kind: 'refused', why: `The annotation ${ANNOTATION.takeBack} is ${JSON.stringify(value.slice(0, 40))}; the only value is "true".` };
  if (elsewhere)
    return { kind: 'refused', why: `The annotation ${ANNOTATION.takeBack} does not apply: the bucket belongs to another cluster, which is never taken from.` };
  if (!sameObject)
    return {
      kind: 'refused',
      why: `The annotation ${ANNOTATION.takeBack} does not apply: only a bucket tagged for this same namespace and name is taken back.`,
    };
  if (!mayTakeBack(ref.namespace, rules))
    return {
      kind: 'refused',
      why: `The annotation ${ANNOTATION.takeBack} is not allowed in namespace ${ref.namespace}: the cluster admin lists the namespaces that may take buckets back in TAKE_BACK_NAMESPACES.`,
    };
  return { kind: 'take', from: owner.uid, origin: originOf(tags) ?? 'adopted' };
}
