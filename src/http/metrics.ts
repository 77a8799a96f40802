// Prometheus metrics: one registry per app (tests build many apps), fed by the hook routes (reconcile
// duration and outcome) and by the SDK adapter's per-request callback (every HTTP request sent to S3,
// retries included), by the auth hook (refused hook requests) and by the client-error handler (requests
// cut off before they reached a route), and by the event recorder (src/events/recorder.ts: each Event
// sent, patched as a series, failed or dropped). Served at GET /metrics on the admin port, open and
// unlogged like the probes.
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { CONDITION, type HookResponse } from '../reconciler/model/resource.js';
import type { EventResult } from '../events/recorder.js';
import type { ClientErrorReason } from './client-error.js';

export type Hook = 'sync' | 'finalize';

/** The class of a reconcile's answer: a small, fixed set, fit for a label. */
/** Why a hook request was refused with a 401: a small, fixed set, fit for a label. */
export type UnauthorizedReason = 'no_token' | 'wrong_token' | 'no_client_certificate' | 'bad_client_certificate';

export type ReconcileOutcome = 'synced' | 'unsynced' | 'terminal' | 'recoverable' | 'finalized' | 'error';

export interface HookMetrics {
  readonly registry: Registry;
  /** One answered reconcile: its duration and the ACK.ResourceSynced reason it reported. */
  reconciled(hook: Hook, response: HookResponse, seconds: number): void;
  /** A reconcile that threw (a bug: the hook answered 500). */
  failed(hook: Hook, seconds: number): void;
  /** The SDK adapter's onRequest callback: one HTTP request to S3 and its HTTP status or error code. */
  s3Request: (operation: string, result: string) => void;
  /** A hook request refused for its credentials (401); logged at debug only, so counted here. */
  unauthorized: (reason: UnauthorizedReason) => void;
  /** A connection closed by the client-error handler (408 timeout, 431, malformed HTTP). */
  clientError: (reason: ClientErrorReason) => void;
  /** One Kubernetes Event handled by the recorder: sent, patched (a repeat, as a series), failed, dropped. */
  event: (result: EventResult) => void;
  /** The STS sessions' onRequest callback: one HTTP request to STS (AssumeRole of an IAMRoleSelector's role) and its result. */
  stsRequest: (result: string) => void;
  /** A field the hook stopped writing in this answer: corrected too often, something else keeps changing it back (reconciler/drift-loop.ts). */
  driftLoop: (field: string) => void;
}

export function outcomeOf(response: HookResponse): ReconcileOutcome {
  if (response.finalized === true) return 'finalized';
  const conditions = response.status.conditions ?? [];
  if (conditions.some((c) => c.type === CONDITION.terminal)) return 'terminal';
  if (conditions.some((c) => c.type === CONDITION.recoverable)) return 'recoverable';
  // Read-only drift (and a sync handed a resource being deleted) reports Synced=False without either.
  return conditions.some((c) => c.type === CONDITION.synced && c.status === 'True') ? 'synced' : 'unsynced';
}

export function createMetrics(options: { processMetrics?: boolean } = {}): HookMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'bucket_hook_reconcile_duration_seconds',
    help: 'Time to answer one sync or finalize call, by hook and outcome class.',
    labelNames: ['hook', 'outcome'] as const,
    // Most answers take a few S3 round trips; Metacontroller's hook timeout is 30 s.
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  // A 500 is rare, and a labelled series appears only when first observed: Prometheus's increase() and
  // rate() cannot see a series' first sample as an increase, so the alert on errors (BucketHookErrors,
  // manifests/monitoring/prometheusrule.yaml) would miss each pod's first one. Exported at 0 from the start.
  for (const hook of ['sync', 'finalize'] as const) duration.zero({ hook, outcome: 'error' });
  const outcomes = new Counter({
    name: 'bucket_hook_reconcile_outcomes_total',
    help: 'Answered reconciles by hook and by the reason of the ACK.ResourceSynced condition.',
    labelNames: ['hook', 'reason'] as const,
    registers: [registry],
  });
  const requests = new Counter({
    name: 'bucket_hook_s3_requests_total',
    help: 'HTTP requests sent to S3 (retries included), by API operation and result (HTTP status, or the error code when no status came back as success).',
    labelNames: ['operation', 'result'] as const,
    registers: [registry],
  });
  const unauthorized = new Counter({
    name: 'bucket_hook_unauthorized_total',
    help: 'Hook requests refused with 401 (and their connection closed), by reason: no_token, wrong_token, no_client_certificate, bad_client_certificate.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const clientErrors = new Counter({
    name: 'bucket_hook_client_errors_total',
    help: 'Connections answered and closed before a request reached a route, by reason: timeout (408: not received within REQUEST_TIMEOUT_MS or HEADERS_TIMEOUT_MS), header_overflow (431), malformed (400).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const events = new Counter({
    name: 'bucket_hook_events_total',
    help: 'Kubernetes Events on Buckets, by result: sent (created), patched (a repeat, counted in its series), failed (refused, or no answer in time), dropped (the queue was full, or the hook was shutting down).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const stsRequests = new Counter({
    name: 'bucket_hook_sts_requests_total',
    help: 'HTTP requests sent to STS (AssumeRole of the roles IAMRoleSelectors name, retries included), by result: the HTTP status, or the error code (AccessDenied, Forbidden, NotFound, ...). Credentials are cached per role and namespace, so a steady state sends about one per session hour.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const driftLoops = new Counter({
    name: 'bucket_hook_drift_loops_total',
    help: 'Fields the hook stopped writing because something else kept changing them back (condition reason DriftLoop), by spec field: each counted once, when the hook stops writing it.',
    labelNames: ['field'] as const,
    registers: [registry],
  });
  return {
    registry,
    reconciled(hook, response, seconds) {
      duration.observe({ hook, outcome: outcomeOf(response) }, seconds);
      const reason = response.status.conditions?.find((c) => c.type === CONDITION.synced)?.reason ?? 'None';
      outcomes.inc({ hook, reason });
    },
    failed(hook, seconds) {
      duration.observe({ hook, outcome: 'error' }, seconds);
    },
    s3Request: (operation, result) => requests.inc({ operation, result }),
    unauthorized: (reason) => unauthorized.inc({ reason }),
    clientError: (reason) => clientErrors.inc({ reason }),
    event: (result) => events.inc({ result }),
    stsRequest: (result) => stsRequests.inc({ result }),
    driftLoop: (field) => driftLoops.inc({ field }),
  };
}

export function registerMetricsRoute(app: FastifyInstance, metrics: HookMetrics): void {
  // Scraped every few seconds: keep it out of the logs, and open (no auth), like the probes.
  app.get('/metrics', { logLevel: 'silent' }, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
