// Claiming a bucket name: when an existing bucket may become this resource's, and which names a
// namespace may claim. Decisions over the status received, the desired state and the admin's rules; the
// one S3 read (the bucket's creation date, observe.ts) happens only where an unmarked bucket meets a valid claim.
import { PROCESS_CLAIM_KEY } from './claim-proof.js';
import type { ReconcilerDeps } from '../model/deps.js';
import type { BucketClaim, BucketStatus } from '../model/resource.js';
import { kubeTime } from '../steps/conditions.js';
import { arnOf } from '../model/arn.js';
import type { DesiredBucket } from '../model/types.js';

/**
 * The status already names this bucket (its ARN). Only for what is reported: a passing failure must not
 * blank the ARN. It proves nothing: anyone who may write buckets/status, and any holder of the hook's
 * token, can put any ARN there. What makes an unmarked bucket the resource's is a claim (heldClaim).
 */
export function reportedBefore(previous: BucketStatus | undefined, desired: Pick<DesiredBucket, 'bucketName' | 'region'>): boolean {
  return previous?.ackResourceMetadata?.arn === arnOf(desired.bucketName, desired.region);
}

/** The status's claim on this bucket, when this hook signed it for this very resource; else undefined. */
export function heldClaim(
  previous: BucketStatus | undefined,
  desired: Pick<DesiredBucket, 'bucketName' | 'ref'>,
  deps: Pick<ReconcilerDeps, 'claimKey'>,
): BucketClaim | undefined {
  const claim = previous?.claim;
  if (!claim) return undefined;
  return (deps.claimKey ?? PROCESS_CLAIM_KEY).verify(claim, desired.ref, desired.bucketName) ? claim : undefined;
}

/** What the status received says about this bucket: its claim (when valid) and whether it reported it. */
export function statusClaim(
  previous: BucketStatus | undefined,
  desired: DesiredBucket,
  deps: Pick<ReconcilerDeps, 'claimKey'>,
): { claim: BucketClaim | undefined; reportedBefore: boolean } {
  return { claim: heldClaim(previous, desired, deps), reportedBefore: reportedBefore(previous, desired) };
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
