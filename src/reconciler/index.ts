// The core's one entry. The HTTP route (src/http/routes/hook/), and through it the replay CLI, and the
// tests all call these, so what is tested is what runs.
//   answerQuickly  the zero-cost answer alone, before any per-request setup (no logger, no S3 client)
//   reconcile      a sync or finalize call in full: the gate (zero-cost answer, pause, ...), then S3;
//                  as a dry run when asked (writes planned, not sent; the plan and events answered)
//                  through the approval gate (approval.ts) for a Bucket whose writes wait for approval
//   eventsOf       the events an answer asks for (events.ts), recorded by the edge after the answer
//   newlyBlockedFields  the fields an answer stopped correcting (drift-loop.ts), for the edge's metric
import { noChanges, type Changes } from './model/changes.js';
import type { ReconcilerDeps } from './model/deps.js';
import { plannedEvents, type PlannedEvent } from './outcome/events.js';
import { finalize } from './deletion/finalize.js';
import { deadlineVerdict } from './outcome/overrun.js';
import { checkInputs } from './rules/quick.js';
import type { HookResponse } from './model/resource.js';
import { identityKey } from './rules/roles.js';
import { status, type HookCall } from './steps/status.js';
import { sync } from './steps/sync.js';
import { approvalGate, type Recorder } from './steps/approval.js';
import type { PlannedCall } from './rules/plan.js';
import { newlyBlocked } from './rules/drift-loop.js';

export type { HookCall } from './steps/status.js';

/** A pass under a deadline of `ms`: `work` gets the signal that ends its S3 calls, `overrun` gives the answer when it fires. */
export interface Deadline {
  ms: number;
  run(work: (signal: AbortSignal) => Promise<HookResponse>, overrun: () => HookResponse): Promise<HookResponse>;
}

export interface RunOptions<W extends PlannedCall> {
  /** Filled as the pass goes: what it changed in S3 (for the events), even when the deadline cuts it short. */
  changes?: Changes | undefined;
  /** Default: no deadline, no signal. */
  within?: Deadline | undefined;
  /**
   * Makes ports that record writes instead of sending them (the edge's src/s3/dry-run-port.ts): what a
   * dry run and the approval gate (approval.ts) plan with. Without it a Bucket that needs approval is refused.
   */
  recorder?: Recorder<W> | undefined;
  /** A dry run: reads go to S3, writes into the plan (`recorder` needed), events into the answer. */
  dryRun?: boolean | undefined;
}

/** A dry run's answer: the hook response (children included) plus the S3 writes and the events it would have made. Never sent to Metacontroller. */
export type DryRunAnswer<W> = HookResponse & { plan: W[]; events: PlannedEvent[] };

/** The zero-cost answer (quick.ts) when it holds, else undefined: a full check is due. Needs no logger and no S3. */
export function answerQuickly(call: HookCall, deps: Omit<ReconcilerDeps, 'log'>): HookResponse | undefined {
  if (call.hook !== 'sync') return undefined;
  const { quick } = checkInputs(call.parent, deps.now(), {
    region: deps.defaults.region,
    driftCheckSeconds: deps.resync.driftCheckSeconds,
    identity: identityKey(deps.role),
  });
  return quick === undefined ? undefined : status(call, deps, { unchanged: true, resyncAfterSeconds: quick });
}

/** One hook call in full. */
export async function reconcile<W extends PlannedCall = PlannedCall>(
  call: HookCall,
  deps: ReconcilerDeps,
  options: RunOptions<W> = {},
): Promise<HookResponse | DryRunAnswer<W>> {
  const changes = options.changes ?? noChanges();
  const { recorder } = options;
  if (options.dryRun && !recorder) throw new Error('a dry run needs the recording port (src/s3/dry-run-port.ts)');
  const planner = options.dryRun ? recorder?.(deps.s3) : undefined;
  const run = { ...deps, ...(planner ? { s3: planner.factory } : {}) };
  const finalizing = call.hook === 'finalize';
  // Through the approval gate (approval.ts): a Bucket that needs approval writes only an approved plan.
  const pass = (signal: AbortSignal | undefined) => (d: ReconcilerDeps, ch: Changes) =>
    finalizing ? finalize(call, d, signal) : sync(call, d, ch, planner === undefined, signal);
  const work = (signal: AbortSignal | undefined) => approvalGate(call, run, pass(signal), recorder, changes);
  const deadline = options.within;
  const response = deadline
    ? await deadline.run(work, () => status(call, run, { verdict: deadlineVerdict(deadline.ms), kept: 'overrun', finalized: finalizing ? false : undefined }))
    : await work(undefined);
  if (!planner) return response;
  // Reads went to S3, writes into the plan, events into the answer.
  const events = eventsOf(call, response, changes);
  deps.log.info({ writes: planner.plan.map((w) => w.operation), events: events.map((e) => e.reason) }, `dry-run ${call.hook} answered`);
  return { ...response, plan: planner.plan, events };
}

/** The events an answer asks for (events.ts). */
export function eventsOf(call: HookCall, response: HookResponse, changes: Changes): PlannedEvent[] {
  return plannedEvents({ hook: call.hook, received: call.parent.status, generation: call.parent.metadata.generation ?? 0, answer: response, changes });
}

/** The fields an answer newly stopped correcting (drift-loop.ts): what the drift-loop metric counts. */
export function newlyBlockedFields(call: HookCall, response: HookResponse): string[] {
  return newlyBlocked(call.parent.status?.driftCorrections, response.status.driftCorrections);
}
