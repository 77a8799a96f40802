// POST /sync and POST /finalize: Metacontroller's CompositeController hooks. Every reconcile outcome is
// 200 with the full status; only a malformed envelope is 4xx, only a bug 5xx. With the dry-run marker
// (dry-run.ts) the same reconcile runs over a port that records writes instead of sending them, and the
// answer carries the plan; without it the answer has exactly Metacontroller's fields (strict v2 mode).
//
// The route is a chain of Fastify hooks around one handler, each doing one thing:
//   preHandler  1. readCall        the envelope checked once: kind, status schema, dry run, which hook
//               2. captureCall     the body written for replay (CAPTURE_DIR), dry runs excepted
//               3. answerQuickly   the zero-cost answer (the core's), before any per-request setup
//               4. bindLogger      every later line of the request names the Bucket
//   handler        the core's reconcile, under the request deadline
//   onResponse     metrics and the one log line per reconcile; then the events the core plans for this
//                  answer are queued for the Kubernetes API (src/events): after the answer, never before
// Every answer (quick, full, the deadline's, finalize) carries the coordinates ConfigMap of a Bucket
// that opted in (reconciler/coordinates.ts): an answer without it would make Metacontroller delete it.
// POST /customize, the CompositeController's customize hook, is in customize.ts. Its related objects come
// back in `related`: the IAMRoleSelectors and the Bucket's Namespace choose the role (reconciler/roles.ts)
// once per request, in readCall; every S3 port of the request is made with it, and every answer carries
// ACK's IAMRoleSelected condition when there is one.
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onResponseHookHandler, preHandlerHookHandler } from 'fastify';
import { noChanges, type Changes } from '../../reconciler/changes.js';
import { withCoordinates, type Observed, type S3Addressing } from '../../reconciler/coordinates.js';
import type { ReconcilerDeps } from '../../reconciler/deps.js';
import { plannedEvents, type PlannedEvent } from '../../reconciler/events.js';
import { bucketNameHint } from '../../reconciler/desired.js';
import { finalize } from '../../reconciler/finalize.js';
import { deadlineAnswer } from '../../reconciler/overrun.js';
import { newlyBlocked } from '../../reconciler/drift-loop.js';
import { approvalGate } from '../../reconciler/approval.js';
import { CONDITION, type BucketResource, type HookResponse, type ObjectMap } from '../../reconciler/resource.js';
import { chooseRole, withRole, withRoleCondition, type RoleChoice, type RoleSelectorRules } from '../../reconciler/roles.js';
import { answerFromStatus, fullSync } from '../../reconciler/sync.js';
import type { EventSink, Regarding } from '../../events/recorder.js';
import { dryRun, type PlannedWrite } from '../../s3/dry-run-port.js';
import { isValidStatus } from '../../schema/validate.js';
import type { Capture } from '../capture.js';
import { isDryRun } from '../dry-run.js';
import { DEFAULT_REQUEST_DEADLINE_MS, withDeadline } from '../deadline.js';
import { envelopeSchema } from '../envelope-schema.js';
import { NotFinalizingError, WrongKindError } from '../errors.js';
import type { Hook, HookMetrics } from '../metrics.js';
import { realTimers, type Timers } from '../timers.js';

interface Envelope {
  parent: BucketResource;
  children?: ObjectMap;
  related?: ObjectMap;
  finalizing?: boolean;
}

const API_VERSION = 's3.services.k8s.aws/v1alpha1';

/** One hook call, as the hooks of the chain see it. */
interface HookCall {
  hook: Hook;
  dry: boolean;
  /** The parent, its status dropped when that failed the status schema (`statusIgnored`). */
  parent: BucketResource;
  statusIgnored: boolean;
  /** The request's children and related objects (the coordinates ConfigMap, when the Bucket opted in). */
  observed: Observed;
  /** What the full reconcile changed in S3, for the events. */
  changes: Changes;
  /** The identity of its S3 calls, from the IAMRoleSelectors in `related` (the hook's own when none matches). */
  role: RoleChoice;
  started: number;
  /** Set once answered: what was answered, how long it took, and whether S3 was involved. */
  answer?: { response: HookResponse; seconds: number; quick: boolean };
  /** A full reconcile started (a 5xx after this is a failed reconcile, not a refused request). */
  ran: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    hookCall: HookCall | null;
  }
}

export interface HookRouteOptions {
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

/** A dry run's answer: the hook response (children included) plus the S3 writes and the events it would have made. Never sent to Metacontroller. */
export type DryRunResponse = HookResponse & { plan: PlannedWrite[]; events: PlannedEvent[] };

const DEFAULT_ADDRESSING: S3Addressing = { endpoint: undefined, forcePathStyle: false };

/** The Event's subject: the Bucket as received. */
export function regardingOf(parent: BucketResource): Regarding {
  const { namespace, name, uid, resourceVersion } = parent.metadata;
  return { apiVersion: parent.apiVersion, kind: parent.kind, namespace: namespace ?? '', name, uid, resourceVersion };
}

function subjectOf(parent: BucketResource): { namespace: string | undefined; name: string; generation: number | undefined } {
  return { namespace: parent.metadata.namespace, name: parent.metadata.name, generation: parent.metadata.generation };
}

function callOf(request: FastifyRequest): HookCall {
  // readCall runs first on both routes; a handler or hook without it is a wiring bug.
  if (!request.hookCall) throw new Error('hook call read before readCall');
  return request.hookCall;
}

/** The call read from the envelope, checked once; throws the 4xx errors of a malformed one. */
function readEnvelope(request: FastifyRequest, finalizingRoute: boolean, started: number, roleSelectors: RoleSelectorRules | undefined): HookCall {
  const body = request.body as Envelope;
  if (finalizingRoute && body.finalizing !== true) throw new NotFinalizingError();
  const dry = isDryRun(request);
  const { parent: received } = body;
  if (received.apiVersion !== API_VERSION || received.kind !== 'Bucket') throw new WrongKindError(received.apiVersion, received.kind);
  let parent = received;
  let statusIgnored = false;
  if (received.status !== undefined && !isValidStatus(received.status)) {
    // Our own status, mangled: reconcile from S3 alone rather than trust it.
    const { status: _ignored, ...rest } = received;
    parent = rest;
    statusIgnored = true;
  }
  const observed = { children: body.children, related: body.related };
  const role = chooseRole(parent, body.related, roleSelectors);
  return { hook: body.finalizing === true ? 'finalize' : 'sync', dry, parent, statusIgnored, observed, changes: noChanges(), role, started, ran: false };
}

export function registerHookRoutes(app: FastifyInstance, base: Omit<ReconcilerDeps, 'log'>, options: HookRouteOptions): void {
  const timers = options.timers ?? realTimers;
  const deadlineMs = options.deadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS;
  const addressing = options.addressing ?? DEFAULT_ADDRESSING;
  /** The answer with the coordinates ConfigMap of a Bucket that opted in (the same answer otherwise). */
  const complete = (call: HookCall, response: HookResponse): HookResponse => {
    // One clock reading for both steps (this runs on every answer, echoes included).
    const now = base.now();
    return withRoleCondition(withCoordinates(call.parent, response, call.observed, addressing, now, call.hook === 'finalize'), call.role, call.parent.status?.conditions ?? [], now);
  };
  /** This request's deps: its S3 ports made with the chosen role, the role's account reported. */
  const depsOf = (call: HookCall): Omit<ReconcilerDeps, 'log'> => withRole(base, call.role, call.parent.metadata.namespace ?? '');
  const eventsOf = (call: HookCall, response: HookResponse): PlannedEvent[] =>
    plannedEvents({ hook: call.hook, received: call.parent.status, generation: call.parent.metadata.generation ?? 0, answer: response, changes: call.changes });
  const finish = (call: HookCall, response: HookResponse, quick: boolean): HookResponse => {
    call.answer = { response, seconds: (timers.now() - call.started) / 1000, quick };
    return response;
  };
  app.decorateRequest('hookCall', null);

  const readCall = (finalizingRoute: boolean): preHandlerHookHandler =>
    function readCall(this: FastifyInstance, request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
      try {
        request.hookCall = readEnvelope(request, finalizingRoute, timers.now(), base.roleSelectors);
      } catch (err) {
        done(err as Error);
        return;
      }
      done();
    };

  const captureCall: preHandlerHookHandler = function captureCall(this: FastifyInstance, request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
    const call = callOf(request);
    // Dry runs change nothing: not captured.
    if (!call.dry) options.capture?.record(request.body, subjectOf(call.parent), call.hook, request.log);
    done();
  };

  // Metacontroller's echoes and frequent resyncs: answered from the status alone, before any
  // per-request setup (logger child, deadline, S3 clients). See src/reconciler/quick.ts.
  const answerQuickly: preHandlerHookHandler = function answerQuickly(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    const call = callOf(request);
    const quick = call.hook === 'sync' && !call.dry ? answerFromStatus(call.parent, call.role.kind === 'default' ? base : { ...base, role: call.role }) : undefined;
    // Answered here: the rest of the chain and the handler do not run.
    if (quick) void reply.send(finish(call, complete(call, quick), true));
    else done();
  };

  const bindLogger: preHandlerHookHandler = function bindLogger(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    const call = callOf(request);
    const log = request.log.child({ ...subjectOf(call.parent), bucket: bucketNameHint(call.parent), ...(call.dry ? { dryRun: true } : {}) });
    // Every later line of this request (the error handler's, "request completed") names the Bucket too.
    request.log = reply.log = log;
    if (call.statusIgnored) log.warn('parent.status does not match the status schema; ignoring it');
    done();
  };

  const handler = async (request: FastifyRequest): Promise<HookResponse | DryRunResponse> => {
    const call = callOf(request);
    const { parent, hook } = call;
    const log = request.log;
    const deps = depsOf(call);
    // Every S3 call of this request shares one deadline, so the answer (a 200 with the progress made)
    // comes before Metacontroller's webhook timeout.
    // Through the approval gate (reconciler/approval.ts): a Bucket that needs approval writes only an approved plan.
    const pass = (signal: AbortSignal) => (deps: ReconcilerDeps, changes: Changes) => (hook === 'finalize' ? finalize(parent, deps, signal) : fullSync(parent, deps, signal, changes));
    const run = (deps: ReconcilerDeps) =>
      withDeadline(deadlineMs, (signal) => approvalGate(parent, deps, pass(signal), dryRun, call.changes, hook === 'finalize'), () => deadlineAnswer(parent, deps, deadlineMs, hook === 'finalize'), log, timers);
    if (call.dry) {
      // Reads go to S3, writes into the plan, events into the answer. Not counted as a reconcile: it changed nothing.
      const planned = dryRun(deps.s3);
      const response = complete(call, await run({ ...deps, s3: planned.factory, log }));
      const events = eventsOf(call, response);
      log.info({ writes: planned.plan.map((w) => w.operation), events: events.map((e) => e.reason) }, `dry-run ${hook} answered`);
      return { ...response, plan: planned.plan, events };
    }
    call.ran = true;
    return finish(call, complete(call, await run({ ...deps, log })), false);
  };

  // Counted once the answer is out: a reconcile answered (quick or full), or one that failed (500).
  const countAndLog: onResponseHookHandler = function countAndLog(this: FastifyInstance, request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
    const call = request.hookCall;
    if (call && !call.dry) {
      count(request, call);
      record(call);
    }
    done();
  };
  // Queued only (src/events sends them later): a slow or failing API server cannot hold this request.
  const record = (call: HookCall): void => {
    if (!options.events || !call.answer) return;
    const events = eventsOf(call, call.answer.response);
    if (events.length > 0) options.events.record(regardingOf(call.parent), events);
  };
  const count = (request: FastifyRequest, call: HookCall): void => {
    if (!call.answer) {
      if (call.ran) options.metrics.failed(call.hook, (timers.now() - call.started) / 1000);
      return;
    }
    const { response, seconds, quick } = call.answer;
    options.metrics.reconciled(call.hook, response, seconds);
    if (quick) return;
    for (const field of newlyBlocked(call.parent.status?.driftCorrections, response.status.driftCorrections)) options.metrics.driftLoop(field);
    // The one line per reconcile (Fastify's access lines are off, see app.ts).
    const synced = response.status.conditions?.find((c) => c.type === CONDITION.synced);
    request.log.info({ synced: synced?.status, reason: synced?.reason, resyncAfterSeconds: response.resyncAfterSeconds, finalized: response.finalized, ms: Math.round(seconds * 1000) }, `${call.hook} answered`);
    request.log.debug({ response }, `${call.hook} response`);
  };

  const route = (finalizingRoute: boolean) => ({
    schema: { body: envelopeSchema },
    preHandler: [readCall(finalizingRoute), captureCall, answerQuickly, bindLogger],
    onResponse: countAndLog,
  });
  app.post<{ Body: Envelope }>('/sync', route(false), handler);
  app.post<{ Body: Envelope }>('/finalize', route(true), handler);
}
