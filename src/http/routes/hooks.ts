// POST /sync and POST /finalize: Metacontroller's CompositeController hooks. Every reconcile outcome is
// 200 with the full status; only a malformed envelope is 4xx, only a bug 5xx. With the dry-run marker
// (dry-run.ts) the same reconcile runs over a port that records writes instead of sending them, and the
// answer carries the plan; without it the answer has exactly Metacontroller's fields (strict v2 mode).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ANNOTATION } from '../../reconciler/annotations.js';
import type { ReconcilerDeps } from '../../reconciler/deps.js';
import { finalize } from '../../reconciler/finalize.js';
import type { BucketResource, HookResponse } from '../../reconciler/resource.js';
import { quickAnswer } from '../../reconciler/quick.js';
import { sync } from '../../reconciler/sync.js';
import { dryRun, type PlannedWrite } from '../../s3/dry-run-port.js';
import { isValidStatus } from '../../schema/validate.js';
import type { Capture } from '../capture.js';
import { isDryRun } from '../dry-run.js';
import { deadlineAnswer, DEFAULT_REQUEST_DEADLINE_MS, withDeadline } from '../deadline.js';
import { envelopeSchema } from '../envelope-schema.js';
import { NotFinalizingError, WrongKindError } from '../errors.js';
import type { HookMetrics } from '../metrics.js';
import { realTimers, type Timers } from '../timers.js';

interface Envelope {
  parent: BucketResource;
  finalizing?: boolean;
}

const API_VERSION = 's3.services.k8s.aws/v1alpha1';

/** The parent, checked once per request; a status that fails the schema is dropped (`statusIgnored`), to be logged by the caller. */
function checkedParent(request: FastifyRequest<{ Body: Envelope }>): { parent: BucketResource; statusIgnored: boolean } {
  const parent = request.body.parent;
  if (parent.apiVersion !== API_VERSION || parent.kind !== 'Bucket') throw new WrongKindError(parent.apiVersion, parent.kind);
  if (parent.status !== undefined && !isValidStatus(parent.status)) {
    // Our own status, mangled: reconcile from S3 alone rather than trust it.
    const { status: _ignored, ...rest } = parent;
    return { parent: rest, statusIgnored: true };
  }
  return { parent, statusIgnored: false };
}

export interface HookRouteOptions {
  metrics: HookMetrics;
  /** Present when CAPTURE_DIR is set. */
  capture?: Capture | undefined;
  /** One AbortSignal per request fires after this long (deadline.ts); default 20 s. */
  deadlineMs?: number | undefined;
  /** The clock for reconcile durations and the timers of the deadline; default the real ones. */
  timers?: Timers | undefined;
}

/** A dry run's answer: the hook response plus the S3 writes it would have made. Never sent to Metacontroller. */
export type DryRunResponse = HookResponse & { plan: PlannedWrite[] };

function subjectOf(parent: BucketResource): { namespace: string | undefined; name: string; generation: number | undefined } {
  return { namespace: parent.metadata.namespace, name: parent.metadata.name, generation: parent.metadata.generation };
}

/** For log lines: spec.name, or ACK's adoption-fields name for a spec-less adopted resource. */
function bucketNameOf(parent: BucketResource, spec: { name?: unknown } | undefined): string | undefined {
  if (typeof spec?.name === 'string') return spec.name;
  try {
    const fields: unknown = JSON.parse(parent.metadata.annotations?.[ANNOTATION.adoptionFields] ?? 'null');
    return typeof fields === 'object' && fields !== null && typeof (fields as { name?: unknown }).name === 'string' ? (fields as { name: string }).name : undefined;
  } catch {
    return undefined;
  }
}

export function registerHookRoutes(app: FastifyInstance, base: Omit<ReconcilerDeps, 'log'>, options: HookRouteOptions): void {
  const timers = options.timers ?? realTimers;
  const handle = async (request: FastifyRequest<{ Body: Envelope }>, reply: FastifyReply, finalizing: boolean): Promise<HookResponse | DryRunResponse> => {
    const dry = isDryRun(request);
    const started = timers.now();
    let checked: ReturnType<typeof checkedParent> | undefined;
    if (!finalizing && !dry) {
      // Metacontroller's echoes and frequent resyncs: answered from the status alone, before any
      // per-request setup (logger child, deadline, S3 clients). See src/reconciler/quick.ts.
      checked = checkedParent(request);
      const quick = quickAnswer(checked.parent, base.now(), { region: base.defaults.region, driftCheckSeconds: base.resync.driftCheckSeconds });
      if (quick) {
        options.capture?.record(request.body, subjectOf(request.body.parent), 'sync', request.log);
        options.metrics.reconciled('sync', quick, (timers.now() - started) / 1000);
        return quick;
      }
    }
    const { spec } = request.body.parent;
    const subject = subjectOf(request.body.parent);
    const log = request.log.child({ ...subject, bucket: bucketNameOf(request.body.parent, spec), ...(dry ? { dryRun: true } : {}) });
    // Every later line of this request (the error handler's, "request completed") names the Bucket too.
    request.log = reply.log = log;
    checked ??= checkedParent(request);
    if (checked.statusIgnored) log.warn('parent.status does not match the status schema; ignoring it');
    const { parent } = checked;
    const hook = finalizing ? 'finalize' : 'sync';
    // Every S3 call of this request shares one deadline, so the answer (a 200 with the progress made)
    // comes before Metacontroller's webhook timeout.
    const deadlineMs = options.deadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS;
    const run = (deps: ReconcilerDeps) =>
      withDeadline(deadlineMs, (signal) => (finalizing ? finalize(parent, deps, signal) : sync(parent, deps, signal)), () => deadlineAnswer(parent, deps, deadlineMs, finalizing), log, timers);

    if (dry) {
      // Reads go to S3, writes into the plan. Not captured and not counted as a reconcile: it changed nothing.
      const planned = dryRun(base.s3);
      const response = await run({ ...base, s3: planned.factory, log });
      log.info({ writes: planned.plan.map((w) => w.operation) }, `dry-run ${hook} answered`);
      return { ...response, plan: planned.plan };
    }
    options.capture?.record(request.body, subject, hook, log);
    try {
      const response = await run({ ...base, log });
      const ms = Math.round(timers.now() - started);
      options.metrics.reconciled(hook, response, ms / 1000);
      // The one line per reconcile (Fastify's access lines are off, see app.ts).
      const synced = response.status.conditions?.find((c) => c.type === 'ACK.ResourceSynced');
      log.info({ synced: synced?.status, reason: synced?.reason, resyncAfterSeconds: response.resyncAfterSeconds, finalized: response.finalized, ms }, `${hook} answered`);
      log.debug({ response }, `${hook} response`);
      return response;
    } catch (err) {
      options.metrics.failed(hook, (timers.now() - started) / 1000);
      throw err;
    }
  };
  const schema = { body: envelopeSchema };
  app.post<{ Body: Envelope }>('/sync', { schema }, (request, reply) => handle(request, reply, request.body.finalizing === true));
  app.post<{ Body: Envelope }>('/finalize', { schema }, (request, reply) => {
    if (request.body.finalizing !== true) throw new NotFinalizingError();
    return handle(request, reply, true);
  });
}
