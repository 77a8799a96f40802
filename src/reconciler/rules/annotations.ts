// The ACK annotations this hook honours, with ACK's names so existing manifests keep their meaning.
import { quoted } from '../outcome/echo.js';

export const ANNOTATION = {
  region: 'services.k8s.aws/region',
  deletionPolicy: 'services.k8s.aws/deletion-policy',
  adoptionPolicy: 'services.k8s.aws/adoption-policy',
  adoptionFields: 'services.k8s.aws/adoption-fields',
  readOnly: 'services.k8s.aws/read-only',
  /** This hook's own: seconds (or 30s, 10m, 1h) between full checks of this Bucket against S3. */
  driftCheckInterval: 's3.services.k8s.aws/drift-check-interval',
  /** This hook's own: any new value forces a full check now (like Flux's reconcile.fluxcd.io/requestedAt). */
  requestedAt: 's3.services.k8s.aws/requested-at',
  /**
   * This hook's own, opt-in: the name of a ConfigMap in the Bucket's namespace that the hook keeps (as a
   * Metacontroller child) with the bucket's coordinates, once the bucket is Ready (coordinates.ts).
   */
  coordinatesConfigMap: 's3.services.k8s.aws/coordinates-configmap',
  /**
   * ACK's (same name, same format): comma-separated spec fields (`spec.tagging,spec.lifecycle`) written at
   * create and then left alone: neither read nor compared, spec edits to them not pushed (ignore-drift.ts).
   */
  ignoreFieldDrift: 'services.k8s.aws/ignore-field-drift',
  /** This hook's own: "true" stops every S3 call for this Bucket, sync and finalize alike (pause.ts). */
  paused: 's3.services.k8s.aws/paused',
  /**
   * This hook's own, opt-in: "true" lets finalize delete the bucket's objects (every version, delete
   * markers, unfinished multipart uploads) before the bucket, with deletion policy delete only (emptying.ts).
   */
  emptyOnDelete: 's3.services.k8s.aws/empty-on-delete',
  /** This hook's own: "required" makes every S3 write wait for an approved plan (plan.ts); APPROVAL_NAMESPACES does it per namespace. */
  approval: 's3.services.k8s.aws/approval',
  /** This hook's own: the hash of status.plan to carry out, once; a plan that changed since is not approved by it (plan.ts). */
  approvedPlan: 's3.services.k8s.aws/approved-plan',
  /**
   * This hook's own: "true" takes back a bucket whose ownership tags name this namespace and name under
   * another uid (a restore, a cluster move), where the admin allows it (TAKE_BACK_NAMESPACES; take-back.ts).
   */
  takeBack: 's3.services.k8s.aws/take-back',
} as const;

/** S3's limit of tags on a bucket. */
export const MAX_TAGS = 50;

/** Prefix of the tags that mark a bucket as created (or adopted) by a Bucket resource. */
export const OWNER_TAG_PREFIX = 'services.k8s.aws/';
export const OWNER_TAG = {
  namespace: `${OWNER_TAG_PREFIX}namespace`,
  name: `${OWNER_TAG_PREFIX}name`,
  uid: `${OWNER_TAG_PREFIX}uid`,
  /**
   * This hook's own: "created" (the Bucket resource created the bucket) or "adopted" (it took over a
   * bucket that existed). Emptying on delete needs "created", or the admin's consent (tenancy.ts).
   * Buckets marked before the tag existed have none, and count as adopted.
   */
  origin: `${OWNER_TAG_PREFIX}origin`,
  /** This hook's own: the cluster (CLUSTER_NAME) whose Bucket resource owns the bucket; absent on buckets marked without one. */
  cluster: `${OWNER_TAG_PREFIX}cluster`,
} as const;

/** Where a condition names an annotation: metadata.annotations["KEY"]. */
export function annotationPath(key: string): string {
  return `metadata.annotations["${key}"]`;
}

/**
 * A true/false annotation (paused, read-only, empty-on-delete): true, false (unset or empty too), or what
 * is wrong with its value, for the condition. Case and surrounding spaces do not matter; anything else
 * is never read as either, so a typo cannot turn a safety off or on.
 */
export function booleanAnnotation(annotations: Record<string, string> | undefined, key: string): boolean | AnnotationProblem {
  const raw = annotations?.[key];
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  return { path: annotationPath(key), message: `must be "true" or "false" (got ${quoted(raw ?? '')})` };
}

/** A bad annotation value: where, and what is wrong (a condition says `${path} ${message}`). */
export interface AnnotationProblem {
  path: string;
  message: string;
}
