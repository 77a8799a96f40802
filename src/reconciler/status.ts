// Status: pure. Builds the full status Metacontroller will write. Stable by construction: a condition
// keeps its lastTransitionTime unless its status or reason really changed, and nothing else carries a
// time, so a quiet sync returns exactly the status it received and Metacontroller writes nothing.
import { CONDITION, type BucketStatus, type Condition, type LastCheck, type ResourceMetadata } from './resource.js';
import type { ConditionContent, Verdict } from './verdict.js';

export interface StatusInput {
  previous: BucketStatus | undefined;
  verdict: Verdict;
  generation: number;
  now: Date;
  /** ARN etc.; omitted when the bucket is not ours (for instance a taken name). */
  metadata: ResourceMetadata | undefined;
  location: string | undefined;
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
    message: content.message,
    lastTransitionTime: unchanged ? before.lastTransitionTime : kubeTime(now),
  };
}

export function buildStatus(input: StatusInput): BucketStatus {
  const { verdict, now } = input;
  const previous = input.previous?.conditions ?? [];
  const conditions = [condition(CONDITION.ready, verdict.ready, previous, now), condition(CONDITION.synced, verdict.synced, previous, now)];
  if (verdict.terminal) conditions.push(condition(CONDITION.terminal, { status: 'True', ...verdict.terminal }, previous, now));
  if (verdict.recoverable) conditions.push(condition(CONDITION.recoverable, { status: 'True', ...verdict.recoverable }, previous, now));
  const status: BucketStatus = {};
  if (input.metadata) status.ackResourceMetadata = input.metadata;
  status.conditions = conditions;
  if (input.location) status.location = input.location;
  status.observedGeneration = input.generation;
  if (input.lastCheck) status.lastCheck = input.lastCheck;
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
  // Measured from the Recoverable condition, or from a Terminal one that is re-checked (NotOwned).
  const since = (status.conditions?.find((c) => c.type === CONDITION.recoverable) ?? status.conditions?.find((c) => c.type === CONDITION.terminal))?.lastTransitionTime;
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
