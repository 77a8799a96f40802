// Conditions: the one rule for their times, and their order. A condition keeps its lastTransitionTime
// while what it states is unchanged: its status and reason, and for a condition whose message names
// what was chosen (ACK.IAMRoleSelected names the role) that message too. So a repeated failure and every
// zero-cost answer leave the status as it was, and Metacontroller writes nothing. Every condition of
// every answer is made here, by `conditionsOf` (status.ts calls it once per answer).
import { boundedMessage } from '../outcome/echo.js';
import { CONDITION, type BucketStatus, type Condition } from '../model/resource.js';
import type { ConditionContent, Verdict } from '../outcome/verdict.js';

/** Kubernetes times have second precision. */
export function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The conditions whose message is part of what they state (ACK's IAMRoleSelected: which role). */
const STATED_BY_MESSAGE: ReadonlySet<string> = new Set([CONDITION.roleSelected]);

export type Stated = [type: string, content: ConditionContent];

export interface ConditionSet {
  /** The pass's conditions in order, Ready last; or the received ones, kept as they are (the zero-cost answer). */
  base: Stated[] | readonly Condition[] | undefined;
  /** Conditions of the request, each placed before Ready in this order; `undefined`: the type is dropped; `unchanged`: left as it is. */
  extra: Array<[type: string, content: ConditionContent | undefined | 'unchanged']>;
}

/**
 * The answer's conditions. The order is read by GitOps tools: Argo CD's check for ACK kinds walks the
 * list and stops at the first match (ACK.Terminal=True: Degraded; Ready=False: Progressing; Ready=True:
 * Healthy), so ACK.Terminal comes first and Ready last, as ACK lists them.
 */
export function conditionsOf(set: ConditionSet, previous: readonly Condition[], now: Date): Condition[] | undefined {
  const made = (type: string, content: ConditionContent): Condition => {
    const message = boundedMessage(content.message);
    const before = previous.find((c) => c.type === type);
    const same =
      before !== undefined &&
      before.status === content.status &&
      before.reason === content.reason &&
      (!STATED_BY_MESSAGE.has(type) || before.message === message);
    return { type, status: content.status, reason: content.reason, message, lastTransitionTime: same ? before.lastTransitionTime : kubeTime(now) };
  };
  const base = set.base?.map((c) => (Array.isArray(c) ? made(c[0], c[1]) : c));
  let conditions = base;
  for (const [type, content] of set.extra) {
    if (content === 'unchanged') continue;
    if (content === undefined) {
      if (conditions?.some((c) => c.type === type)) conditions = conditions.filter((c) => c.type !== type);
      continue;
    }
    const rest = (conditions ?? []).filter((c) => c.type !== type);
    const ready = rest.findIndex((c) => c.type === CONDITION.ready);
    const at = ready === -1 ? rest.length : ready;
    conditions = [...rest.slice(0, at), made(type, content), ...rest.slice(at)];
  }
  return conditions;
}

export interface ResyncSettings {
  driftCheckSeconds: number;
  backoffMinSeconds: number;
  backoffMaxSeconds: number;
}

/**
 * The wait after a reservation. Metacontroller requeues with AddAfter (fractions allowed) and reads the
 * Bucket from its informer cache, which holds the status it just wrote within milliseconds on a healthy
 * API server; called before that, the hook would see no claim and make a new one (one more round, no harm).
 */
export const NEXT_STEP_SECONDS = 0.2;

/**
 * Seconds until Metacontroller should call again. Backoff without local state: wait as long as the
 * problem has already lasted (so waits double), measured from the Recoverable condition's
 * lastTransitionTime, clamped to [min, max].
 */
export function resyncAfter(verdict: Verdict, status: BucketStatus, now: Date, settings: ResyncSettings): number | undefined {
  if (verdict.resync === 'none') return undefined;
  if (verdict.resync === 'drift') return settings.driftCheckSeconds;
  // Under ignoreStatusChanges (the shipped CompositeController) a status write alone syncs nothing: these ask.
  if (verdict.resync === 'soon') return 1;
  if (verdict.resync === 'next') return NEXT_STEP_SECONDS;
  // Measured from the condition that names the problem: Recoverable, or the Terminal one of a verdict
  // that is re-checked (verdict.ts, terminalRechecked).
  const problem = verdict.recoverable ? CONDITION.recoverable : CONDITION.terminal;
  const since = status.conditions?.find((c) => c.type === problem)?.lastTransitionTime;
  const elapsed = since ? Math.max(0, (now.getTime() - Date.parse(since)) / 1000) : 0;
  return Math.round(Math.min(settings.backoffMaxSeconds, Math.max(settings.backoffMinSeconds, elapsed)));
}
