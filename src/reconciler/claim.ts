// Claiming a bucket name: when an existing bucket may become this resource's, and which names a
// namespace may claim. Pure decisions over the status received, the desired state and the admin's rules.
import { ANNOTATION } from './annotations.js';
import type { ReconcilerDeps } from './deps.js';
import type { BucketStatus } from './resource.js';
import { arnOf } from './status.js';
import { mayAdopt, OPEN_TENANCY, requiredPrefix } from './tenancy.js';
import type { DesiredBucket } from './types.js';
import { terminal, terminalRechecked, type Verdict } from './verdict.js';

/**
 * The resource already reported this very bucket (its ARN is in the status): tags wiped out of band do
 * not disown it. Nor does an interrupted create: stores such as Ceph RGW ignore the tags sent with
 * CreateBucket, so until the PutBucketTagging right after it succeeds the new bucket is unmarked; when
 * that put fails (or the create's answer is lost) the status already names the bucket, and requiring it
 * to say Synced too (as before) turned a passing 503 into a permanent NotOwned.
 */
export function reportedBefore(previous: BucketStatus | undefined, desired: DesiredBucket): boolean {
  return previous?.ackResourceMetadata?.arn === arnOf(desired.bucketName, desired.region);
}

/** The admin's bucket-name rule for the namespace, checked where a name is claimed: at create and adoption. */
export function namePrefixVerdict(desired: DesiredBucket, deps: ReconcilerDeps): Verdict | undefined {
  const prefix = requiredPrefix(desired.ref.namespace, deps.tenancy ?? OPEN_TENANCY);
  if (prefix === undefined || desired.bucketName.startsWith(prefix)) return undefined;
  return terminal('InvalidSpec', `spec.name "${desired.bucketName}" must start with "${prefix}" in namespace ${desired.ref.namespace} (the cluster's bucket naming rule). Choose a name with that prefix; nothing was sent to S3 for it.`);
}

/**
 * Why an existing bucket that is not marked as this resource's may not become it, or undefined when it
 * may (re-tagging an interrupted create, or an allowed adoption). The messages name no other tenant.
 */
export function ownershipRefusal(ownership: 'unmarked' | 'other-resource', previous: BucketStatus | undefined, desired: DesiredBucket, deps: ReconcilerDeps): Verdict | undefined {
  const bucket = desired.bucketName;
  // Re-checked with backoff (as NotOwned): the other resource may release it (deletion-policy retain).
  if (ownership === 'other-resource') {
    return terminalRechecked(
      'ManagedElsewhere',
      `Bucket "${bucket}" is managed by another Bucket resource (its ownership tags say so), so this one can neither manage nor adopt it. Choose another spec.name. To hand the bucket over, its owners set the annotation ${ANNOTATION.deletionPolicy}: retain and delete their Bucket resource, which releases it; then it can be adopted here.`,
    );
  }
  if (reportedBefore(previous, desired)) return undefined;
  if (desired.adoptionPolicy === 'none') {
    // Terminal for the user, but re-checked with backoff: a second hook replica that created this very
    // bucket a moment ago may not have tagged it yet (RGW ignores tags sent with CreateBucket).
    return terminalRechecked(
      'NotOwned',
      `Bucket "${bucket}" already exists in this account but was not created by this resource (it carries no ownership tags). To manage it from here, add the annotation ${ANNOTATION.adoptionPolicy}: adopt; or choose another spec.name.`,
    );
  }
  if (!mayAdopt(desired.ref.namespace, deps.tenancy ?? OPEN_TENANCY)) {
    return terminal('AdoptionNotAllowed', `Bucket "${bucket}" exists but Buckets in namespace ${desired.ref.namespace} may not adopt existing buckets (the cluster's adoption rule). Ask the cluster admin, or choose another spec.name.`);
  }
  return namePrefixVerdict(desired, deps);
}
