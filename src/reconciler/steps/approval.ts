// The approval gate around one sync or finalize (plan.ts has the rules). For a Bucket that needs
// approval the pass runs first over a recording port (reads real, writes recorded): no writes, and that
// answer stands; writes not approved, and the answer is PlanPending with status.plan; the approved
// plan, and the pass runs again over ports that send only that plan's writes. The recording port is the
// edge's (src/s3/dry-run-port.ts), handed in, so the core stays on its side of the port.
import { noChanges, type Changes } from '../model/changes.js';
import type { ReconcilerDeps } from '../model/deps.js';
import { approvalMode, approvalOf, approvedOnly, invalidApprovalVerdict, planOf, planPendingVerdict, type PlannedCall } from '../rules/plan.js';
import { CONDITION, type HookResponse } from '../model/resource.js';
import type { S3PortFactory } from '../../s3/port.js';
import { status, type HookCall } from './status.js';
import type { Verdict } from '../outcome/verdict.js';

/** One sync or finalize pass with these deps, its S3 changes recorded in `changes`. */
export type Pass = (deps: ReconcilerDeps, changes: Changes) => Promise<HookResponse>;
/** Makes ports that record writes instead of sending them (the dry run's). */
export type Recorder<W extends PlannedCall = PlannedCall> = (inner: S3PortFactory) => { factory: S3PortFactory; plan: W[] };

/** Nothing written: what the status reported of the bucket (ARN, claim, location) stays. */
function answer(call: HookCall, deps: ReconcilerDeps, verdict: Verdict): HookResponse {
  return status(call, deps, { verdict, kept: 'plan', finalized: call.hook === 'finalize' ? false : undefined });
}

/** `record` undefined: no approval can be run here (a caller without the edge's port); a Bucket that needs it gets nothing written. */
export async function approvalGate(call: HookCall, deps: ReconcilerDeps, pass: Pass, record: Recorder | undefined, changes: Changes): Promise<HookResponse> {
  const resource = call.parent;
  const finalizing = call.hook === 'finalize';
  const mode = approvalMode(resource, deps.approvalNamespaces);
  if (mode.kind === 'off') return pass(deps, changes);
  if (mode.kind === 'invalid') return answer(call, deps, invalidApprovalVerdict(mode.message));
  if (!record) throw new Error('the approval gate needs the recording port (src/s3/dry-run-port.ts)');
  const context = { uid: resource.metadata.uid, after: resource.status?.appliedPlan };
  const dry = record(deps.s3);
  const planned = await pass({ ...deps, s3: dry.factory }, noChanges());
  const plan = planOf(dry.plan, context);
  // Nothing to write: the recorded pass is the pass.
  if (plan.keys.length === 0) return planned;
  if (approvalOf(resource) !== plan.shown.hash) {
    const response = answer(call, deps, planPendingVerdict(resource, plan.shown));
    response.status.plan = plan.shown;
    return response;
  }
  deps.log.info({ plan: plan.shown.hash, writes: plan.shown.writes.map((w) => w.call) }, 'carrying out the approved plan');
  const guard = approvedOnly(deps.s3, plan.keys);
  const response = await pass({ ...deps, s3: guard.factory }, changes);
  if (guard.refused.length === 0) {
    // Used once: the same writes needed again later make a plan with another hash (planOf's `after`).
    if (!finalizing && response.status.conditions?.some((c) => c.type === CONDITION.synced && c.status === 'True'))
      response.status.appliedPlan = plan.shown.hash;
    return response;
  }
  // S3 changed between the plan and its application: what was approved and sent stays; the rest is a new plan.
  deps.log.warn({ refused: guard.refused }, 'writes outside the approved plan refused');
  const again = record(deps.s3);
  const replanned = await pass({ ...deps, s3: again.factory }, noChanges());
  const next = planOf(again.plan, context);
  if (next.keys.length === 0) return replanned;
  const notice = `S3 changed while the approved plan ${plan.shown.hash} was carried out: ${guard.refused.join(', ')} ${guard.refused.length === 1 ? 'was' : 'were'} not in it and not sent.`;
  const pending = answer(call, deps, planPendingVerdict(resource, next.shown, notice));
  pending.status.plan = next.shown;
  return pending;
}
