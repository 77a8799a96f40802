// Claim: pure. What the bucket that observe found is to this resource, and so what the pass does with
// it: answer without writing (a refusal, a name taken, the reservation before a create), create it,
// or converge it (ours, adopted, or observed read-only). It also says which claim on the name the
// status carries from here (a new one before a create, none once a claim is found older than the bucket).
import { ANNOTATION } from '../rules/annotations.js';
import type { S3Error } from '../../s3/port.js';
import { CLAIM_CLOCK_MARGIN_MS, newClaim, type ClaimCheck } from '../rules/claim.js';
import { kubeTime } from './conditions.js';
import type { ReconcilerDeps } from '../model/deps.js';
import { taggingField, withOrigin } from '../fields/tagging.js';
import { failureVerdict, nameTakenVerdict } from '../outcome/messages.js';
import type { Observation, Reading } from './observe.js';
import type { BucketClaim, BucketResource, BucketStatus } from '../model/resource.js';
import { mayAdopt, OPEN_TENANCY, requiredPrefix } from '../rules/tenancy.js';
import { otherCluster, ownerOf } from '../rules/ownership.js';
import { takeBack } from '../rules/take-back.js';
import type { Passed } from './gate.js';
import type { DesiredBucket } from '../model/types.js';
import { progressing, recoverable, terminal, terminalRechecked, type Verdict } from '../outcome/verdict.js';

export type Plan = (
  | /** Nothing to write: the verdict is the answer. `reported`: the status names the bucket (its ARN). */
    { kind: 'answer'; verdict: Verdict; reported: boolean }
    /** No bucket yet: create it with every field of the spec (origin "created"). */
  | { kind: 'create'; desired: DesiredBucket }
  /** An existing bucket this resource manages (or observes, read-only): bring it to `desired`. */
  | {
      kind: 'converge';
      desired: DesiredBucket;
      readings: Map<string, Reading>;
      adopted: boolean;
      /** Taken back from this uid after a restore or a cluster move (take-back.ts). */
      takenBackFrom?: string | undefined;
    }
) & {
  /** The claim on the name the answer carries (reported with the ARN only). */
  claim: BucketClaim | undefined;
};

export function claimStep(resource: BucketResource, passed: Passed, seen: Observation, deps: ReconcilerDeps): Plan {
  const { desired, checked } = passed;
  const bucket = desired.bucketName;
  const answer = (verdict: Verdict, reported: boolean, claim = passed.claim): Plan => ({ kind: 'answer', verdict, reported, claim });
  const presence = seen.presence;
  if (presence.kind === 'forbidden') return answer(nameTakenVerdict(bucket, 'HeadBucket answered 403 Forbidden'), false);
  if (presence.kind === 'elsewhere') {
    const where = presence.region ? `region ${presence.region}` : 'another region';
    return answer(
      terminal(
        'WrongRegion',
        `Bucket "${bucket}" exists in ${where}, not in ${desired.region} (HeadBucket answered 301). Set the annotation ${ANNOTATION.region} to the bucket's region, or choose another spec.name.`,
      ),
      false,
    );
  }
  if (presence.kind === 'absent') return absent(desired, seen, passed.claim, deps);

  const tags = seen.readings.get(taggingField.path);
  // Ownership unknown while the tags cannot be read (handled last below).
  const known = !tags || tags.ok;
  // A read-only resource observes a bucket without owning it: it reports no ARN, so that dropping the
  // read-only annotation later can never make the hook take over a bucket nobody adopted.
  if (known && checked.readOnly) return { kind: 'converge', desired: checked, readings: seen.readings, adopted: false, claim: passed.claim };
  if (known && seen.ownership === 'other-resource')
    return otherResource(resource, checked, tags?.ok ? (tags.value as Record<string, string>) : {}, seen, passed, deps);
  if (known && seen.ownership === 'ours') return { kind: 'converge', desired: checked, readings: seen.readings, adopted: false, claim: passed.claim };
  if (known) return unmarked(resource, checked, seen, passed, deps);
  // Keep reporting a bucket reported before (as a failed call does), or a passing 503 here would blank
  // the ARN (and its claim) and the next sync would disown an interrupted create.
  return answer(failureVerdict([{ path: taggingField.path, error: (tags as { error: S3Error }).error }], bucket), passed.reportedBefore);
}

/**
 * No bucket of that name. Before creating on a store that drops the tags sent with CreateBucket (Ceph
 * RGW), a claim on the name is recorded in the status first (signed by the hook: claim-proof.ts) and the
 * create happens at the next sync. A crash at any instant after that (SIGKILL between the create and the
 * PutBucketTagging, before the answer) leaves an unmarked bucket that the next sync recognises as this
 * resource's by that claim and the bucket's age (claim.ts). Costs one more sync (and its HeadBucket);
 * where tags land with the create (AWS) nothing changes.
 */
function absent(desired: DesiredBucket, seen: Observation, held: BucketClaim | undefined, deps: ReconcilerDeps): Plan {
  const { bucketName: bucket, region } = desired;
  if (desired.readOnly) {
    const verdict = recoverable(
      'NotFound',
      `Bucket "${bucket}" does not exist in ${region}; this resource is read-only (annotation ${ANNOTATION.readOnly}), so the hook will not create it. Create the bucket, or remove the annotation.`,
    );
    return { kind: 'answer', verdict, reported: false, claim: held };
  }
  if (desired.adoptionPolicy === 'adopt') {
    const verdict = recoverable(
      'AdoptionTargetNotFound',
      `No bucket "${bucket}" exists in ${region} to adopt (annotation ${ANNOTATION.adoptionPolicy}: adopt). Create it, or set the annotation to adopt-or-create to let the hook create it.`,
    );
    return { kind: 'answer', verdict, reported: false, claim: held };
  }
  const prefix = namePrefixVerdict(desired, deps);
  if (prefix) return { kind: 'answer', verdict: prefix, reported: false, claim: held };
  // Without a claim of its own in the status (a first sync, or one signed with another key), a store that
  // may drop the create's tags gets the reservation first.
  if (seen.createTagging !== 'honoured' && !held) {
    deps.log.info({ region }, 'bucket name claimed in the status; created at the next sync');
    const message = `Bucket "${bucket}" is being created in ${region}. This S3 endpoint does not keep the tags sent with CreateBucket, so the hook's claim on the name is recorded in this status first and the bucket is created at the next sync; an interruption in between cannot orphan it.`;
    return { kind: 'answer', verdict: progressing('Creating', message, 'next'), reported: true, claim: newClaim(desired, deps) };
  }
  // Where the tags go with the create (AWS) the claim is made here: it is answered with the bucket, so a
  // bucket whose tags are later removed out of band is still recognised as the one this resource created.
  return { kind: 'create', desired: withOrigin(desired, 'created'), claim: held ?? newClaim(desired, deps) };
}

/**
 * An existing bucket without (valid) ownership tags: it becomes this resource's only as the bucket of
 * this resource's own create, by a claim this hook signed for it and a bucket no older than the claim
 * (origin "created"), or by adoption under the admin's rules (origin "adopted", the Adopted event).
 */
function unmarked(resource: BucketResource, desired: DesiredBucket, seen: Observation, passed: Passed, deps: ReconcilerDeps): Plan {
  const held = passed.claim;
  const check = held && seen.created !== undefined ? claimCheck(held, seen.created) : undefined;
  let why: string | undefined;
  if (held && check) {
    if (check.kind === 'unlisted') return { kind: 'answer', verdict: unconfirmedClaimVerdict(held), reported: true, claim: held };
    if (check.kind === 'confirmed') {
      const prefix = namePrefixVerdict(desired, deps);
      if (prefix) return { kind: 'answer', verdict: prefix, reported: false, claim: held };
      deps.log.info({ claimed: held.time }, 'ownership tags missing on the bucket this resource created: tagging it');
      return { kind: 'converge', desired: withOrigin(desired, 'created'), readings: seen.readings, adopted: false, claim: held };
    }
    why = olderThanClaim(held, check.created);
    deps.log.warn({ claimed: held.time, created: check.created.toISOString() }, 'unmarked bucket older than the claim on its name: not ours');
  } else {
    why = unverifiedStatusNote(resource.status, passed.reportedBefore);
  }
  // A claim older than the bucket is dropped: the bucket is not the one it was made for.
  const claim = held && check ? undefined : held;
  const refusal = adoptionRefusal(desired, deps, why);
  if (refusal) return { kind: 'answer', verdict: refusal, reported: false, claim };
  deps.log.info({}, 'adopting existing bucket');
  return { kind: 'converge', desired: withOrigin(desired, 'adopted'), readings: seen.readings, adopted: true, claim };
}

/** While the claimed bucket is not listed: keep reporting it (and the claim), look again with backoff. */
function unconfirmedClaimVerdict(claim: BucketClaim): Verdict {
  return recoverable(
    'ClaimUnconfirmed',
    `Bucket "${claim.bucket}" exists without ownership tags; this resource claimed the name at ${claim.time} to create it, but S3's ListBuckets does not list the bucket (yet), so whether it is the bucket this resource created cannot be confirmed. Retried with backoff; nothing is written to it meanwhile. It needs s3:ListAllMyBuckets in the hook's IAM policy.`,
  );
}

/** Why a claim did not make the bucket the resource's, for the NotOwned message. */
function olderThanClaim(claim: BucketClaim, created: Date): string {
  return `it was created (${kubeTime(created)}) before this resource claimed the name (${claim.time}), so it is not the bucket this resource created`;
}

/** The admin's bucket-name rule for the namespace, checked where a name is claimed: at create and adoption. */
function namePrefixVerdict(desired: DesiredBucket, deps: ReconcilerDeps): Verdict | undefined {
  const prefix = requiredPrefix(desired.ref.namespace, deps.tenancy ?? OPEN_TENANCY);
  if (prefix === undefined || desired.bucketName.startsWith(prefix)) return undefined;
  return terminal(
    'InvalidSpec',
    `spec.name "${desired.bucketName}" must start with "${prefix}" in namespace ${desired.ref.namespace} (the cluster's bucket naming rule). Choose a name with that prefix; nothing was sent to S3 for it.`,
  );
}

/**
 * A bucket whose ownership tags name another Bucket resource: never managed or adopted from here, unless
 * this Bucket takes it back after a restore or a cluster move (take-back.ts).
 */
function otherResource(
  resource: BucketResource,
  desired: DesiredBucket,
  tags: Record<string, string>,
  seen: Observation,
  passed: Passed,
  deps: ReconcilerDeps,
): Plan {
  const owner = ownerOf(tags);
  const back = owner ? takeBack(owner, tags, desired.ref, resource, deps.tenancy ?? OPEN_TENANCY) : undefined;
  if (back?.kind !== 'take') {
    const cluster = owner && otherCluster(owner, desired.ref) ? owner.cluster : undefined;
    return { kind: 'answer', verdict: managedElsewhereVerdict(desired, cluster, back?.why), reported: false, claim: passed.claim };
  }
  deps.log.info({ from: back.from }, 'taking the bucket back: its tags name this namespace and name under another uid');
  return {
    kind: 'converge',
    desired: withOrigin(desired, back.origin),
    readings: seen.readings,
    adopted: false,
    takenBackFrom: back.from,
    claim: passed.claim,
  };
}

/**
 * `cluster`: the other cluster its tags name (CLUSTER_NAME), when they name one that is not this one's.
 * `note`: what the take-back rule says (take-back.ts).
 */
function managedElsewhereVerdict(desired: DesiredBucket, cluster?: string, note?: string): Verdict {
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
function adoptionRefusal(desired: DesiredBucket, deps: ReconcilerDeps, why?: string): Verdict | undefined {
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
    return terminal(
      'AdoptionNotAllowed',
      `Bucket "${bucket}" exists but Buckets in namespace ${desired.ref.namespace} may not adopt existing buckets (the cluster's adoption rule). Ask the cluster admin, or choose another spec.name.`,
    );
  }
  return namePrefixVerdict(desired, deps);
}

/** For the NotOwned message: a status that names the bucket without a claim this hook can verify. */
function unverifiedStatusNote(previous: BucketStatus | undefined, reportedBefore: boolean): string | undefined {
  if (!reportedBefore) return undefined;
  return previous?.claim
    ? "this resource's status names it, but its claim on the name was not signed by this hook for this resource (a claim made with another CLAIM_KEY_FILE, or before a restart without one, is not trusted either)"
    : "this resource's status names it, but a status alone proves nothing: it holds no claim made by this hook";
}

/** The claimed bucket's age (S3's creation date; null: not listed) against the claim. */
function claimCheck(claim: BucketClaim, created: Date | null): ClaimCheck {
  if (!created) return { kind: 'unlisted' };
  return created.getTime() >= Date.parse(claim.time) - CLAIM_CLOCK_MARGIN_MS ? { kind: 'confirmed' } : { kind: 'older', created };
}
