// Status: pure. Every answer the hook gives, sync or finalize, full, zero-cost, paused or cut short by
// its deadline, is built here, by `status()`: the conditions (conditions.ts keeps their times), the
// coordinates ConfigMap and its condition (coordinates.ts), ACK's IAMRoleSelected (roles.ts), lastCheck
// and resyncAfterSeconds. Stable by construction: the only time besides the conditions' is
// lastCheck.time, set by a full check that found the bucket in sync (once per drift interval). So a
// repeated failure, and every zero-cost answer (quick.ts), return exactly the status received and
// Metacontroller writes nothing.
import { conditionsOf, resyncAfter, type ConditionSet, type Stated } from './conditions.js';
import { coordinatesPart, type S3Addressing } from '../rules/coordinates.js';
import type { ReconcilerDeps } from '../model/deps.js';
import type { CheckInputs } from '../rules/quick.js';
import {
  CONDITION,
  type BucketClaim,
  type BucketResource,
  type BucketStatus,
  type DriftCorrections,
  type EmptyingProgress,
  type HookResponse,
  type Observed,
  type ResourceMetadata,
} from '../model/resource.js';
import { roleCondition } from '../rules/roles.js';
import type { Verdict } from '../outcome/verdict.js';
import { arnOf } from '../model/arn.js';

/** One hook call as the core sees it: the parent as received (its status is the previous one) and what came with it. */
export interface HookCall {
  hook: 'sync' | 'finalize';
  parent: BucketResource;
  /** The request's children and related objects (the coordinates ConfigMap, when the Bucket opted in). */
  observed?: Observed | undefined;
}

/** The bucket an answer is about. */
export interface Subject {
  bucket: string;
  region: string;
  /** True when the bucket exists and is ours (or observed read-only): its ARN and location are reported. */
  reported: boolean;
  /** The claim on the name (claim.ts): answered with the ARN, never without it. */
  claim?: BucketClaim | undefined;
}

/** What one pass ends with: the verdict and what the status reports. */
export type Answer =
  /**
   * A check (sync or finalize): the status reports what it found. `subject` undefined: no bucket to name
   * (an invalid spec). `inputs`: a sync's check inputs (quick.ts), which an in-sync check records.
   */
  | {
      verdict: Verdict;
      subject: Subject | undefined;
      inputs?: CheckInputs | undefined;
      finalized?: boolean | undefined;
      emptying?: EmptyingProgress | undefined;
      /** The drift-loop memory this pass made (drift-loop.ts); null: none to keep; undefined: the received one stands. */
      driftCorrections?: DriftCorrections | null | undefined;
    }
  /**
   * No S3 call (paused) or an outcome nobody knows (the deadline): what the status reported stays (ARN,
   * location, claim): paused, a plan waiting for approval (approval.ts), the deadline. Paused keeps the
   * last check and asks for no resync.
   */
  | { verdict: Verdict; kept: 'paused' | 'plan' | 'overrun'; finalized?: boolean | undefined }
  /** The status received, as it is (the zero-cost answer; a sync handed a Bucket being deleted). */
  | { unchanged: true; resyncAfterSeconds?: number | undefined; observedGeneration?: number | undefined };

const AWS_ADDRESSING: S3Addressing = { endpoint: undefined, forcePathStyle: false };

type StatusDeps = Pick<ReconcilerDeps, 'now' | 'defaults' | 'resync' | 'accountId' | 'role' | 'addressing'>;

/** The hook's answer to Metacontroller. */
export function status(call: HookCall, deps: StatusDeps, answer: Answer): HookResponse {
  const now = deps.now();
  const body = 'unchanged' in answer ? unchanged(call, answer) : built(call, deps, answer);
  // The coordinates ConfigMap goes once finalized: set before the request's parts are added.
  if (!('unchanged' in answer) && answer.finalized !== undefined) body.response.finalized = answer.finalized;
  const response = withRequestParts(call, deps, body.response, body.response.status.ackResourceMetadata, body.ready, body.conditions, now);
  if ('unchanged' in answer) return response;
  const inputs = 'inputs' in answer ? answer.inputs : undefined;
  // Paused: no resyncAfterSeconds: nothing to do until the annotation changes (which syncs at once) or Metacontroller's own resync.
  const after =
    'kept' in answer && answer.kept === 'paused'
      ? undefined
      : resyncAfter(answer.verdict, response.status, now, { ...deps.resync, driftCheckSeconds: inputs?.driftCheckSeconds ?? deps.resync.driftCheckSeconds });
  if (after !== undefined) response.resyncAfterSeconds = after;
  return response;
}

interface Body {
  response: HookResponse;
  ready: boolean;
  conditions: ConditionSet['base'];
}

/** The status received, as it is. */
function unchanged(call: HookCall, answer: Extract<Answer, { unchanged: true }>): Body {
  const previous = call.parent.status;
  const kept = answer.observedGeneration === undefined ? (previous ?? {}) : { ...previous, observedGeneration: answer.observedGeneration };
  const response: HookResponse =
    answer.resyncAfterSeconds === undefined ? { status: kept, children: [] } : { status: kept, children: [], resyncAfterSeconds: answer.resyncAfterSeconds };
  return { response, ready: kept.conditions?.find((c) => c.type === CONDITION.ready)?.status === 'True', conditions: kept.conditions };
}

/** The status a verdict gives. */
function built(call: HookCall, deps: StatusDeps, answer: Exclude<Answer, { unchanged: true }>): Body {
  const { parent } = call;
  const previous = parent.status;
  const { verdict } = answer;
  const kept = 'kept' in answer ? answer.kept : undefined;
  const subject = 'subject' in answer ? answer.subject : undefined;
  const inputs = 'inputs' in answer ? answer.inputs : undefined;
  const reported = subject?.reported === true;
  const status: BucketStatus = {};
  let metadata: ResourceMetadata | undefined = previous?.ackResourceMetadata;
  if (!kept)
    metadata = subject
      ? {
          region: subject.region,
          ...(reported ? { arn: arnOf(subject.bucket, subject.region) } : {}),
          ...(deps.accountId ? { ownerAccountID: deps.accountId } : {}),
        }
      : undefined;
  if (metadata) status.ackResourceMetadata = metadata;
  const claim = kept ? previous?.claim : reported ? subject?.claim : undefined;
  if (claim) status.claim = claim;
  status.conditions = [];
  const location = kept ? previous?.location : reported ? `/${subject.bucket}` : undefined;
  if (location) status.location = location;
  status.observedGeneration = parent.metadata.generation ?? 0;
  // Only an in-sync full check is recorded: failures keep a stable status (no churn while retrying).
  // The last full check is still the last one while paused: kept, so nothing churns.
  const lastCheck =
    verdict.synced.status === 'True' && answer.finalized === undefined ? inputs?.lastCheck : kept === 'paused' ? previous?.lastCheck : undefined;
  if (lastCheck) status.lastCheck = lastCheck;
  // Emptying's running count (empty-on-delete) lives as long as the deletion: every answer keeps it (a
  // paused deletion, a failed call, the deadline's answer); an emptying pass sets the new count over it.
  const emptying = ('emptying' in answer ? answer.emptying : undefined) ?? previous?.emptying;
  if (emptying) status.emptying = emptying;
  // The hook's memories (drift-loop.ts, plan.ts) outlive any one answer; a pass that learns more sets them over these.
  const corrections = 'driftCorrections' in answer && answer.driftCorrections !== undefined ? answer.driftCorrections : previous?.driftCorrections;
  if (corrections) status.driftCorrections = corrections;
  if (previous?.appliedPlan) status.appliedPlan = previous.appliedPlan;
  return { response: { status, children: [] }, ready: verdict.ready.status === 'True', conditions: stated(verdict) };
}

/**
 * The response with every condition (`base`: the pass's, or the received ones kept) and the parts that
 * depend on the request: the coordinates ConfigMap (child and ConfigMapReady), then ACK's
 * IAMRoleSelected. The response itself when they change nothing.
 */
export function withRequestParts(
  call: HookCall,
  deps: Pick<StatusDeps, 'role' | 'addressing'>,
  response: HookResponse,
  reported: ResourceMetadata | undefined,
  ready: boolean,
  base: ConditionSet['base'],
  now: Date,
): HookResponse {
  const part = coordinatesPart(
    call.parent,
    reported,
    ready,
    call.observed ?? {},
    deps.addressing ?? AWS_ADDRESSING,
    call.hook === 'finalize',
    response.finalized,
  );
  const configMap = part.condition === 'none' ? undefined : part.condition;
  const conditions = conditionsOf(
    {
      base,
      extra: [
        [CONDITION.configMap, configMap],
        [CONDITION.roleSelected, roleCondition(deps.role)],
      ],
    },
    call.parent.status?.conditions ?? [],
    now,
  );
  const before = response.status.conditions;
  const same =
    conditions === before ||
    (conditions !== undefined && before !== undefined && conditions.length === before.length && conditions.every((c, i) => c === before[i]));
  if (same && part.children.length === 0 && response.children.length === 0) return response;
  return { ...response, status: same ? response.status : { ...response.status, conditions }, children: part.children };
}

/**
 * The pass's conditions, in ACK's order (conditions.ts). kstatus (Flux, kubectl-style waits) reads
 * Stalled=True as Failed and Reconciling=True as InProgress, and nothing else.
 */
function stated(verdict: Verdict): Stated[] {
  const list: Stated[] = [];
  if (verdict.terminal) list.push([CONDITION.terminal, { status: 'True', ...verdict.terminal }]);
  if (verdict.recoverable) list.push([CONDITION.recoverable, { status: 'True', ...verdict.recoverable }]);
  list.push([CONDITION.synced, verdict.synced]);
  if (verdict.terminal) list.push([CONDITION.stalled, { status: 'True', ...verdict.terminal }]);
  else if (verdict.ready.status !== 'True')
    list.push([CONDITION.reconciling, { status: 'True', reason: verdict.ready.reason, message: verdict.ready.message }]);
  list.push([CONDITION.ready, verdict.ready]);
  return list;
}
