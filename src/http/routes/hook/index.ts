// POST /sync and POST /finalize: Metacontroller's CompositeController hooks, as one Fastify plugin.
// Every reconcile outcome is 200 with the full status; only a malformed envelope is 4xx, only a bug
// 5xx. With the dry-run marker (../../dry-run.ts) the core plans the writes instead of sending them and
// the answer carries the plan; without it the answer has exactly Metacontroller's fields (strict v2).
//
// The route is a chain of named Fastify hooks around one handler, each in its own file:
//   preHandler  1. readCall        the envelope checked once: kind, status schema, dry run, which hook, the role
//               2. captureCall     the body written for replay (CAPTURE_DIR), dry runs excepted
//               3. answerQuickly   the zero-cost answer (the core's), before any per-request setup
//               4. bindLogger      every later line of the request names the Bucket
//   handler        reconcile: the core's, under the request deadline
//   onResponse     countAndLog: metrics, the one log line per reconcile, then the planned events queued
// The answer itself (conditions, the coordinates ConfigMap, IAMRoleSelected) is the core's
// (reconciler/status.ts); POST /customize is in ../customize.ts.
import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import type { S3Addressing } from '../../../reconciler/rules/coordinates.js';
import type { ReconcilerDeps } from '../../../reconciler/model/deps.js';
import type { EventSink } from '../../../events/recorder.js';
import type { Capture } from '../../capture.js';
import { DEFAULT_REQUEST_DEADLINE_MS } from '../../deadline.js';
import { envelopeSchema } from '../../envelope-schema.js';
import type { HookMetrics } from '../../metrics.js';
import { realTimers, type Timers } from '../../timers.js';
import { answerQuickly } from './answer-quickly.js';
import { bindLogger } from './bind-logger.js';
import type { Envelope } from './call.js';
import { captureCall } from './capture-call.js';
import { countAndLog } from './count-and-log.js';
import { finisher } from './finish.js';
import { readCall } from './read-call.js';
import { reconcileHandler } from './reconcile.js';

export type { DryRunResponse } from './reconcile.js';
export { regardingOf } from './call.js';

export interface HookRouteOptions {
  deps: Omit<ReconcilerDeps, 'log'>;
  metrics: HookMetrics;
  /** Present when CAPTURE_DIR is set. */
  capture?: Capture | undefined;
  /** One AbortSignal per request fires after this long (deadline.ts); default 20 s. */
  deadlineMs?: number | undefined;
  /** The clock for reconcile durations and the timers of the deadline; default the real ones. */
  timers?: Timers | undefined;
  /** Where the answered events go (the Kubernetes API); unset: none are recorded. */
  events?: EventSink | undefined;
  /** How apps reach S3, for the coordinates ConfigMap; default AWS, virtual-hosted. */
  addressing?: S3Addressing | undefined;
}

export const hookRoutes: FastifyPluginCallback<HookRouteOptions> = function hookRoutes(
  app: FastifyInstance,
  options: HookRouteOptions,
  done: (err?: Error) => void,
) {
  const timers = options.timers ?? realTimers;
  const now = () => timers.now();
  const base = { ...options.deps, ...(options.addressing ? { addressing: options.addressing } : {}) };
  const finish = finisher(now);
  app.decorateRequest('hookCall', null);
  const handler = reconcileHandler(base, options.deadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS, timers, finish);
  const route = (finalizingRoute: boolean) => ({
    schema: { body: envelopeSchema },
    preHandler: [readCall(finalizingRoute, now, base.roleSelectors), captureCall(options.capture), answerQuickly(base, finish), bindLogger],
    onResponse: countAndLog(options.metrics, options.events, now),
  });
  app.post<{ Body: Envelope }>('/sync', route(false), handler);
  app.post<{ Body: Envelope }>('/finalize', route(true), handler);
  done();
};
// Registered in the app's own context, as fastify-plugin does: the app's lazy request loggers, error
// handler and hooks apply to these routes unchanged.
(hookRoutes as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
