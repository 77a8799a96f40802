// Turns a verdict into the hook response: full status, no children, and when to call again.
import type { ReconcilerDeps } from './deps.js';
import type { BucketClaim, BucketResource, HookResponse, ResourceMetadata } from './resource.js';
import { driftInterval, lastCheck } from './quick.js';
import { identityKey } from './roles.js';
import { arnOf, buildStatus, resyncAfter } from './status.js';
import type { Verdict } from './verdict.js';

export interface Subject {
  bucket: string;
  region: string;
  /** True when the bucket exists and is ours (or observed read-only): its ARN and location are reported. */
  reported: boolean;
  /** The claim on the name (claim.ts): answered with the ARN, never without it. */
  claim?: BucketClaim | undefined;
}

export function metadataFor(subject: Subject | undefined, deps: ReconcilerDeps): ResourceMetadata | undefined {
  if (!subject) return undefined;
  const metadata: ResourceMetadata = { region: subject.region };
  if (subject.reported) metadata.arn = arnOf(subject.bucket, subject.region);
  if (deps.accountId) metadata.ownerAccountID = deps.accountId;
  return metadata;
}

export function respond(resource: BucketResource, deps: ReconcilerDeps, verdict: Verdict, subject: Subject | undefined, finalized?: boolean): HookResponse {
  const now = deps.now();
  const checked = finalized === undefined && verdict.synced.status === 'True';
  const status = buildStatus({
    previous: resource.status,
    verdict,
    generation: resource.metadata.generation ?? 0,
    now,
    metadata: metadataFor(subject, deps),
    location: subject?.reported ? `/${subject.bucket}` : undefined,
    claim: subject?.reported ? subject.claim : undefined,
    // Only an in-sync full check is recorded: failures keep a stable status (no churn while retrying).
    lastCheck: checked ? lastCheck(resource, now, deps.defaults.region, identityKey(deps.role)) : undefined,
  });
  const response: HookResponse = { status, children: [] };
  const settings = { ...deps.resync, driftCheckSeconds: driftInterval(resource, deps.resync.driftCheckSeconds) };
  const after = resyncAfter(verdict, status, now, settings);
  if (after !== undefined) response.resyncAfterSeconds = after;
  if (finalized !== undefined) response.finalized = finalized;
  return response;
}
