// Status: pure. Builds the full status Metacontroller will write. Stable by construction: a condition
// keeps its lastTransitionTime unless its status or reason really changed, and the only other time is
// lastCheck.time, set by a full check that found the bucket in sync (once per drift interval). So a
// repeated failure, and every zero-cost answer (quick.ts), return exactly the status received and
// Metacontroller writes nothing.
import { boundedMessage } from './echo.js';
import { CONDITION, type BucketClaim, type BucketStatus, type Condition, type LastCheck, type ResourceMetadata } from './resource.js';
import type { ConditionContent, Verdict } from './verdict.js';

export interface StatusInput {
  previous: BucketStatus | undefined;
  verdict: Verdict;
  generation: number;
  now: Date;
  /** ARN etc.; omitted when the bucket is not ours (for instance a taken name). */
  metadata: ResourceMetadata | undefined;
  location: string | undefined;
  /** The claim on the bucket name (claim-proof.ts), kept while the bucket is reported; omitted otherwise. */
  claim?: BucketClaim | undefined;
  /** Set only after a full check that found the bucket in sync (see quick.ts). */
  lastCheck?: LastCheck | undefined;
}

/** Kubernetes times have second precision. */
export function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function condition(type: string, content: ConditionContent, previous: Condition[], now: Date): Condition {
  const before = previous.find((c) => c.type === type);
  const unchanged = before && before.status === content.status && before.reason === content.reason;
  return {
    type,
    status: content.status,
    reason: content.reason,
    message: boundedMessage(content.message),
    lastTransitionTime: unchanged ? before.lastTransitionTime : kubeTime(now),
  };
}

export function buildStatus(input: StatusInput): BucketStatus {
  const { verdict, now } = input;
  const previous = input.previous?.conditions ?? [];
  // The order is read by GitOps tools: Argo CD's check for ACK kinds walks the list and stops at the
  // first match (ACK.Terminal=True: Degraded; Ready=False: Progressing; Ready=True: Healthy), so
  // ACK.Terminal comes first and Ready last, as ACK lists them. kstatus (Flux, kubectl-style waits)
  // reads Stalled=True as Failed and Reconciling=True as InProgress, and nothing else.
  const conditions: Condition[] = [];
  if (verdict.terminal) conditions.push(condition(CONDITION.terminal, { status: 'True', ...verdict.terminal }, previous, now));
  if (verdict.recoverable) conditions.push(condition(CONDITION.recoverable, { status: 'True', ...verdict.recoverable }, previous, now));
  conditions.push(condition(CONDITION.synced, verdict.synced, previous, now));
  if (verdict.terminal) conditions.push(condition(CONDITION.stalled, { status: 'True', ...verdict.terminal }, previous, now));
  else if (verdict.ready.status !== 'True') conditions.push(condition(CONDITION.reconciling, { status: 'True', reason: verdict.ready.reason, message: verdict.ready.message }, previous, now));
  conditions.push(condition(CONDITION.ready, verdict.ready, previous, now));
  const status: BucketStatus = {};
  if (input.metadata) status.ackResourceMetadata = input.metadata;
  if (input.claim) status.claim = input.claim;
  status.conditions = conditions;
  if (input.location) status.location = input.location;
  status.observedGeneration = input.generation;
  if (input.lastCheck) status.lastCheck = input.lastCheck;
  // Emptying's running count (empty-on-delete) lives as long as the deletion: every answer keeps it (a
  // paused deletion, a failed call, the deadline's answer); an emptying pass sets the new count over it.
  if (input.previous?.emptying) status.emptying = input.previous.emptying;
  // The hook's memories (drift-loop.ts, plan.ts) outlive any one answer; a pass that learns more sets them over these.
  if (input.previous?.driftCorrections) status.driftCorrections = input.previous.driftCorrections;
  if (input.previous?.appliedPlan) status.appliedPlan = input.previous.appliedPlan;
  return status;
}

export interface ResyncSettings {
  driftCheckSeconds: number;
  backoffMinSeconds: number;
  backoffMaxSeconds: number;
}

/**
 * Seconds until Metacontroller should call again. Backoff without local state: wait as long as the
 * problem has already lasted (so waits double), measured from the Recoverable condition's
 * lastTransitionTime, clamped to [min, max].
 */
export function resyncAfter(verdict: Verdict, status: BucketStatus, now: Date, settings: ResyncSettings): number | undefined {
  if (verdict.resync === 'none') return undefined;
  if (verdict.resync === 'drift') return settings.driftCheckSeconds;
  // Metacontroller syncs again on the status write anyway; this covers an unchanged status.
  if (verdict.resync === 'soon') return 1;
  // Measured from the condition that names the problem: Recoverable, or the Terminal one of a verdict
  // that is re-checked (verdict.ts, terminalRechecked).
  const problem = verdict.recoverable ? CONDITION.recoverable : CONDITION.terminal;
  const since = status.conditions?.find((c) => c.type === problem)?.lastTransitionTime;
  const elapsed = since ? Math.max(0, (now.getTime() - Date.parse(since)) / 1000) : 0;
  return Math.round(Math.min(settings.backoffMaxSeconds, Math.max(settings.backoffMinSeconds, elapsed)));
}

export function arnOf(bucket: string, region: string): string {
  return `arn:${partitionOf(region)}:s3:::${bucket}`;
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}
