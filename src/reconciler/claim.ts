// Claiming a bucket name: when an existing bucket may become this resource's, and which names a
// namespace may claim. Decisions over the status received, the desired state and the admin's rules; the
// one S3 read (the bucket's creation date) happens only where an unmarked bucket meets a valid claim.
import type { S3Port } from '../s3/port.js';
import { ANNOTATION } from './annotations.js';
import { PROCESS_CLAIM_KEY } from './claim-proof.js';
import type { ReconcilerDeps } from './deps.js';
import type { BucketClaim, BucketStatus } from './resource.js';
import { arnOf, kubeTime } from './status.js';
import { mayAdopt, OPEN_TENANCY, requiredPrefix } from './tenancy.js';
import type { DesiredBucket } from './types.js';
import { recoverable, terminal, terminalRechecked, type Verdict } from './verdict.js';

/**
 * The status already names this bucket (its ARN). Only for what is reported: a passing failure must not
 * blank the ARN. It proves nothing: anyone who may write buckets/status, and any holder of the hook's
 * token, can put any ARN there. What makes an unmarked bucket the resource's is a claim (heldClaim).
 */
export function reportedBefore(previous: BucketStatus | undefined, desired: DesiredBucket): boolean {
  return previous?.ackResourceMetadata?.arn === arnOf(desired.bucketName, desired.region);
}

/** The status's claim on this bucket, when this hook signed it for this very resource; else undefined. */
export function heldClaim(previous: BucketStatus | undefined, desired: DesiredBucket, deps: Pick<ReconcilerDeps, 'claimKey'>): BucketClaim | undefined {
  const claim = previous?.claim;
  if (!claim) return undefined;
  return (deps.claimKey ?? PROCESS_CLAIM_KEY).verify(claim, desired.ref, desired.bucketName) ? claim : undefined;
}

/** A new claim on the bucket name, made just before its create (or the reservation that precedes it). */
export function newClaim(desired: DesiredBucket, deps: Pick<ReconcilerDeps, 'claimKey' | 'now'>): BucketClaim {
  return (deps.claimKey ?? PROCESS_CLAIM_KEY).sign(desired.ref, desired.bucketName, kubeTime(deps.now()));
}

/**
 * How much older than its claim a bucket may look and still be the one the claim was made for: the
 * claim's time is the hook's clock (rounded down to the second), the creation date S3's.
 */
export const CLAIM_CLOCK_MARGIN_MS = 5_000;

export type ClaimCheck =
  /** Created after the claim was made: the bucket of the interrupted create (or of a create whose tags were removed since). */
  | { kind: 'confirmed' }
  /** Created before the claim: another bucket that happens to have the name. */
  | { kind: 'older'; created: Date }
  /** S3 does not list it (ListBuckets may lag behind a create on AWS): nothing can be concluded yet. */
  | { kind: 'unlisted' };

/** The claimed bucket's age against the claim: one ListBuckets (or a few pages on stores that ignore its Prefix). */
export async function checkClaimedBucket(claim: BucketClaim, port: S3Port, signal?: AbortSignal): Promise<ClaimCheck> {
  const created = await port.bucketCreationDate(claim.bucket, signal);
  if (!created) return { kind: 'unlisted' };
  return created.getTime() >= Date.parse(claim.time) - CLAIM_CLOCK_MARGIN_MS ? { kind: 'confirmed' } : { kind: 'older', created };
}

/** While the claimed bucket is not listed: keep reporting it (and the claim), look again with backoff. */
export function unconfirmedClaimVerdict(claim: BucketClaim): Verdict {
  return recoverable(
    'ClaimUnconfirmed',
    `Bucket "${claim.bucket}" exists without ownership tags; this resource claimed the name at ${claim.time} to create it, but S3's ListBuckets does not list the bucket (yet), so whether it is the bucket this resource created cannot be confirmed. Retried with backoff; nothing is written to it meanwhile. It needs s3:ListAllMyBuckets in the hook's IAM policy.`,
  );
}

/** Why a claim did not make the bucket the resource's, for the NotOwned message. */
export function olderThanClaim(claim: BucketClaim, created: Date): string {
  return `it was created (${kubeTime(created)}) before this resource claimed the name (${claim.time}), so it is not the bucket this resource created`;
}

/** The admin's bucket-name rule for the namespace, checked where a name is claimed: at create and adoption. */
export function namePrefixVerdict(desired: DesiredBucket, deps: ReconcilerDeps): Verdict | undefined {
  const prefix = requiredPrefix(desired.ref.namespace, deps.tenancy ?? OPEN_TENANCY);
  if (prefix === undefined || desired.bucketName.startsWith(prefix)) return undefined;
  return terminal('InvalidSpec', `spec.name "${desired.bucketName}" must start with "${prefix}" in namespace ${desired.ref.namespace} (the cluster's bucket naming rule). Choose a name with that prefix; nothing was sent to S3 for it.`);
}

/** A bucket whose ownership tags name another Bucket resource: never managed or adopted from here. */
/**
 * `cluster`: the other cluster its tags name (CLUSTER_NAME), when they name one that is not this one's.
 * `note`: what the take-back rule says (take-back.ts).
 */
export function managedElsewhereVerdict(desired: DesiredBucket, cluster?: string, note?: string): Verdict {
  const where = cluster ? `another Bucket resource in cluster "${cluster}"` : 'another Bucket resource';
  // Re-checked with backoff (as NotOwned): the other resource may release it (deletion-policy retain).
  return terminalRechecked(
    'ManagedElsewhere',
    `Bucket "${desired.bucketName}" is managed by ${where} (its ownership tags say so), so this one can neither manage nor adopt it. Choose another spec.name. To hand the bucket over, its owners set the annotation ${ANNOTATION.deletionPolicy}: retain and delete their Bucket resource, which releases it; then it can be adopted here.${note ? ` ${note}` : ''}`,
  );
}

/**
 * Why an existing bucket that is not marked as this resource's may not be adopted, or undefined when the
 * adoption rules allow it: the annotation, ADOPTION_NAMESPACES, BUCKET_NAME_PREFIX. `why` says what else
 * was looked at (a status without a valid claim, a claim older than the bucket). The messages name no
 * other tenant.
 */
export function adoptionRefusal(desired: DesiredBucket, deps: ReconcilerDeps, why?: string): Verdict | undefined {
  const bucket = desired.bucketName;
  if (desired.adoptionPolicy === 'none') {
    // Terminal for the user, but re-checked with backoff: a second hook replica that created this very
    // bucket a moment ago may not have tagged it yet (RGW ignores tags sent with CreateBucket).
    return terminalRechecked(
      'NotOwned',
      `Bucket "${bucket}" already exists in this account but was not created by this resource (it carries no valid ownership tags${why ? `; ${why}` : ''}). To manage it from here, add the annotation ${ANNOTATION.adoptionPolicy}: adopt; or choose another spec.name.`,
    );
  }
  if (!mayAdopt(desired.ref.namespace, deps.tenancy ?? OPEN_TENANCY)) {
    return terminal('AdoptionNotAllowed', `Bucket "${bucket}" exists but Buckets in namespace ${desired.ref.namespace} may not adopt existing buckets (the cluster's adoption rule). Ask the cluster admin, or choose another spec.name.`);
  }
  return namePrefixVerdict(desired, deps);
}

/** For the NotOwned message: a status that names the bucket without a claim this hook can verify. */
export function unverifiedStatusNote(previous: BucketStatus | undefined, desired: DesiredBucket): string | undefined {
  if (!reportedBefore(previous, desired)) return undefined;
  return previous?.claim
    ? "this resource's status names it, but its claim on the name was not signed by this hook for this resource (a claim made with another CLAIM_KEY_FILE, or before a restart without one, is not trusted either)"
    : "this resource's status names it, but a status alone proves nothing: it holds no claim made by this hook";
}
