// The handler: the core's reconcile under the request deadline (one AbortSignal for every S3 call of the
// request, so the answer, a 200 with the progress made, comes before Metacontroller's webhook timeout).
// A dry run is the core's option: its answer carries the plan and the events, and it is not counted.
import type { FastifyRequest } from 'fastify';
import { reconcile as reconcileCall, type DryRunAnswer } from '../../../reconciler/index.js';
import type { HookResponse } from '../../../reconciler/model/resource.js';
import { withRole } from '../../../reconciler/rules/roles.js';
import { dryRun, type PlannedWrite } from '../../../s3/dry-run-port.js';
import { withDeadline } from '../../deadline.js';
import type { Timers } from '../../timers.js';
import { callOf, type CallDeps } from './call.js';
import type { Finish } from './finish.js';

/** A dry run's answer: the hook response (children included) plus the S3 writes and the events it would have made. Never sent to Metacontroller. */
export type DryRunResponse = DryRunAnswer<PlannedWrite>;

export function reconcileHandler(base: CallDeps, deadlineMs: number, timers: Timers, finish: Finish) {
  return async function reconcile(request: FastifyRequest): Promise<HookResponse | DryRunResponse> {
    const call = callOf(request);
    const log = request.log;
    // This request's deps: its S3 ports made with the chosen role, the role's account reported.
    const deps = { ...withRole(base, call.role, call.parent.metadata.namespace ?? ''), log };
    const within = {
      ms: deadlineMs,
      run: (work: (signal: AbortSignal) => Promise<HookResponse>, overrun: () => HookResponse) => withDeadline(deadlineMs, work, overrun, log, timers),
    };
    call.ran = !call.dry;
    const response = await reconcileCall(call, deps, { changes: call.changes, within, recorder: dryRun, dryRun: call.dry });
    return call.dry ? response : finish(call, response, false);
  };
}
