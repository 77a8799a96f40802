// Gate: the first step of a sync, and every answer given without S3. In order: the zero-cost answer
// (quick.ts), a paused Bucket (pause.ts), an invalid spec, a Bucket being deleted that was handed to
// sync, and an identity the IAMRoleSelectors leave unclear (roles.ts). What passes is the desired state,
// and the claim on the name the status holds when this hook signed it (claim.ts).
import { statusClaim } from '../rules/claim.js';
import type { ReconcilerDeps } from '../model/deps.js';
import { resolveDesired } from '../rules/desired.js';
import { pausedSync } from '../rules/pause.js';
import { checkInputs, type CheckInputs } from '../rules/quick.js';
import type { BucketClaim } from '../model/resource.js';
import { identityKey, roleRefusal } from '../rules/roles.js';
import type { Answer, HookCall } from './status.js';
import type { DesiredBucket } from '../model/types.js';
import { terminal } from '../outcome/verdict.js';

export interface Passed {
  /** The spec resolved: what a create writes (every field it names). */
  desired: DesiredBucket;
  /** What an existing bucket is checked against: the fields whose drift is ignored left out (ignore-drift.ts). */
  checked: DesiredBucket;
  /** The status's claim on the name, when this hook signed it for this resource and bucket. */
  claim: BucketClaim | undefined;
  /** The status received names this bucket (its ARN): a passing failure keeps reporting it. */
  reportedBefore: boolean;
  /** What an in-sync check records, and the drift interval. */
  inputs: CheckInputs;
}

export type Gate = { answer: Answer } | Passed;

/** `quick`: the zero-cost answer may be given (not for a dry run, which always looks at S3). */
export function gate(call: HookCall, deps: ReconcilerDeps, quick: boolean): Gate {
  const resource = call.parent;
  const inputs = checkInputs(resource, deps.now(), {
    region: deps.defaults.region,
    driftCheckSeconds: deps.resync.driftCheckSeconds,
    identity: identityKey(deps.role),
  });
  if (quick && inputs.quick !== undefined) {
    deps.log.debug({ resyncAfterSeconds: inputs.quick }, 'inputs unchanged since a recent full check: answered without S3');
    return { answer: { unchanged: true, resyncAfterSeconds: inputs.quick } };
  }
  // Paused (annotation s3.services.k8s.aws/paused): no S3 call at all, the status kept (pause.ts).
  const paused = pausedSync(resource);
  if (paused) return { answer: { verdict: paused, kept: 'paused' } };
  const resolved = resolveDesired(resource, deps.defaults);
  if (!resolved.ok) {
    const { path, message } = resolved.problem;
    return { answer: { verdict: terminal('InvalidSpec', `${path} ${message}. Fix the Bucket resource; nothing was sent to S3.`), subject: undefined, inputs } };
  }
  const { desired, checked } = resolved;
  if (resource.metadata.deletionTimestamp) {
    // Being deleted but handed to sync (no finalize hook configured): never create or change anything.
    deps.log.info({}, 'resource is being deleted; sync leaves S3 alone');
    return { answer: { unchanged: true, observedGeneration: desired.ref.generation } };
  }
  // A claim in the status counts only when this hook signed it for this resource and bucket (claim.ts).
  const { claim, reportedBefore } = statusClaim(resource.status, desired, deps);
  // No identity to reconcile with (two IAMRoleSelectors match, or one names no role): nothing goes to S3.
  const refusal = roleRefusal(deps.role);
  if (refusal)
    return { answer: { verdict: refusal, subject: { bucket: desired.bucketName, region: desired.region, reported: reportedBefore, claim }, inputs } };
  return { desired, checked, claim, reportedBefore, inputs };
}
