// The core's one entry. The HTTP route (src/http/routes/hook/), and through it the replay CLI, and the
// tests all call these, so what is tested is what runs.
//   answerQuickly  the zero-cost answer alone, before any per-request setup (no logger, no S3 client)
//   reconcile      a sync or finalize call in full: the gate (zero-cost answer, pause, ...), then S3;
//                  as a dry run when asked (writes planned, not sent; the plan and events answered)
//   plannedEvents  the events an answer asks for (events.ts), recorded by the edge after the answer
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
import type { S3PortFactory } from '../s3/port.js';

export type { HookCall } from './steps/status.js';

/** A pass under a deadline of `ms`: `work` gets the signal that ends its S3 calls, `overrun` gives the answer when it fires. */
export interface Deadline {
  ms: number;
  run(work: (signal: AbortSignal) => Promise<HookResponse>, overrun: () => HookResponse): Promise<HookResponse>;
}

/** What a planned write names, at least. */
export interface PlannedOperation {
  operation: string;
}

/** A dry run's port: reads go to S3, writes into `plan` (src/s3/dry-run-port.ts). */
export interface Planner<W extends PlannedOperation> {
  factory: S3PortFactory;
  plan: W[];
}

export interface RunOptions<W extends PlannedOperation> {
  /** Filled as the pass goes: what it changed in S3 (for the events), even when the deadline cuts it short. */
  changes?: Changes | undefined;
  /** Default: no deadline, no signal. */
  within?: Deadline | undefined;
  /** A dry run: the S3 factory's writes are planned instead of sent. */
  dryRun?: ((s3: S3PortFactory) => Planner<W>) | undefined;
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
export async function reconcile<W extends PlannedOperation = PlannedOperation>(
  call: HookCall,
  deps: ReconcilerDeps,
  options: RunOptions<W> = {},
): Promise<HookResponse | DryRunAnswer<W>> {
  const changes = options.changes ?? noChanges();
  const planner = options.dryRun?.(deps.s3);
  const run = { ...deps, ...(planner ? { s3: planner.factory } : {}) };
  const finalizing = call.hook === 'finalize';
  const work = (signal: AbortSignal | undefined) => (finalizing ? finalize(call, run, signal) : sync(call, run, changes, planner === undefined, signal));
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
