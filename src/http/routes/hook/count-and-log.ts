// onResponse: once the answer is out, a reconcile answered (quick or full) or failed (500) is counted,
// its one log line written (Fastify's access lines are off, see app.ts), and the events the core plans
// for the answer are queued for the Kubernetes API (src/events sends them later: a slow or failing API
// server cannot hold this request). Dry runs changed nothing: neither counted nor recorded.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, onResponseHookHandler } from 'fastify';
import { eventsOf, newlyBlockedFields } from '../../../reconciler/index.js';
import { CONDITION } from '../../../reconciler/model/resource.js';
import type { EventSink } from '../../../events/recorder.js';
import type { HookMetrics } from '../../metrics.js';
import { regardingOf, type EdgeCall } from './call.js';

export function countAndLog(metrics: HookMetrics, events: EventSink | undefined, now: () => number): onResponseHookHandler {
  const record = (call: EdgeCall): void => {
    if (!events || !call.answer) return;
    const planned = eventsOf(call, call.answer.response, call.changes);
    if (planned.length > 0) events.record(regardingOf(call.parent), planned);
  };
  const count = (request: FastifyRequest, call: EdgeCall): void => {
    if (!call.answer) {
      if (call.ran) metrics.failed(call.hook, (now() - call.started) / 1000);
      return;
    }
    const { response, seconds, quick } = call.answer;
    metrics.reconciled(call.hook, response, seconds);
    if (quick) return;
    for (const field of newlyBlockedFields(call, response)) metrics.driftLoop(field);
    const synced = response.status.conditions?.find((c) => c.type === CONDITION.synced);
    request.log.info(
      {
        synced: synced?.status,
        reason: synced?.reason,
        resyncAfterSeconds: response.resyncAfterSeconds,
        finalized: response.finalized,
        ms: Math.round(seconds * 1000),
      },
      `${call.hook} answered`,
    );
    request.log.debug({ response }, `${call.hook} response`);
  };
  return function countAndLog(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
    const call = request.hookCall;
    if (call && !call.dry) {
      count(request, call);
      record(call);
    }
    done();
  };
}
