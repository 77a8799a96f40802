// The approval gate around one sync or finalize (plan.ts has the rules). For a Bucket that needs
// approval the pass runs first over a recording port (reads real, writes recorded): no writes, and that
// answer stands; writes not approved, and the answer is PlanPending with status.plan; the approved
// plan, and the pass runs again over ports that send only that plan's writes. The recording port is the
// edge's (src/s3/dry-run-port.ts), handed in, so the core stays on its side of the port.
import { noChanges, type Changes } from './changes.js';
import type { ReconcilerDeps } from './deps.js';
import { approvalMode, approvalOf, approvedOnly, invalidApprovalVerdict, planOf, planPendingVerdict, type PlannedCall } from './plan.js';
import type { BucketResource, BucketStatus, HookResponse } from './resource.js';
import { respond } from './respond.js';
import type { S3PortFactory } from '../s3/port.js';
import type { Verdict } from './verdict.js';

/** One sync or finalize pass with these deps, its S3 changes recorded in `changes`. */
export type Pass = (deps: ReconcilerDeps, changes: Changes) => Promise<HookResponse>;
/** Makes ports that record writes instead of sending them (the dry run's). */
export type Recorder = (inner: S3PortFactory) => { factory: S3PortFactory; plan: PlannedCall[] };

/** What the status received reports of the bucket (ARN, claim, location) and the hook's memories, kept while nothing is written. */
function keptFrom(received: BucketStatus | undefined, status: BucketStatus): BucketStatus {
  const kept: BucketStatus = { ...status };
  for (const key of ['ackResourceMetadata', 'claim', 'location', 'emptying'] as const) {
    if (received?.[key] !== undefined) Object.assign(kept, { [key]: received[key] });
  }
  return kept;
}

function answer(resource: BucketResource, deps: ReconcilerDeps, verdict: Verdict, finalizing: boolean): HookResponse {
  const response = respond(resource, deps, verdict, undefined, finalizing ? false : undefined);
  return { ...response, status: keptFrom(resource.status, response.status) };
}

export async function approvalGate(resource: BucketResource, deps: ReconcilerDeps, pass: Pass, record: Recorder, changes: Changes, finalizing: boolean): Promise<HookResponse> {
  const mode = approvalMode(resource, deps.approvalNamespaces);
  if (mode.kind === 'off') return pass(deps, changes);
  if (mode.kind === 'invalid') return answer(resource, deps, invalidApprovalVerdict(mode.message), finalizing);
  const context = { uid: resource.metadata.uid, after: resource.status?.appliedPlan };
  const dry = record(deps.s3);
  const planned = await pass({ ...deps, s3: dry.factory }, noChanges());
  const plan = planOf(dry.plan, context);
  // Nothing to write: the recorded pass is the pass.
  if (plan.keys.length === 0) return planned;
  if (approvalOf(resource) !== plan.shown.hash) {
    const response = answer(resource, deps, planPendingVerdict(resource, plan.shown), finalizing);
    response.status.plan = plan.shown;
    return response;
  }
  deps.log.info({ plan: plan.shown.hash, writes: plan.shown.writes.map((w) => w.call) }, 'carrying out the approved plan');
  const guard = approvedOnly(deps.s3, plan.keys);
  const response = await pass({ ...deps, s3: guard.factory }, changes);
  if (guard.refused.length === 0) {
    // Used once: the same writes needed again later make a plan with another hash (planOf's `after`).
    if (!finalizing && response.status.conditions?.some((c) => c.type === 'ACK.ResourceSynced' && c.status === 'True')) response.status.appliedPlan = plan.shown.hash;
    return response;
  }
  // S3 changed between the plan and its application: what was approved and sent stays; the rest is a new plan.
  deps.log.warn({ refused: guard.refused }, 'writes outside the approved plan refused');
  const again = record(deps.s3);
  const replanned = await pass({ ...deps, s3: again.factory }, noChanges());
  const next = planOf(again.plan, context);
  if (next.keys.length === 0) return replanned;
  const notice = `S3 changed while the approved plan ${plan.shown.hash} was carried out: ${guard.refused.join(', ')} ${guard.refused.length === 1 ? 'was' : 'were'} not in it and not sent.`;
  const pending = answer(resource, deps, planPendingVerdict(resource, next.shown, notice), finalizing);
  pending.status.plan = next.shown;
  return pending;
}
