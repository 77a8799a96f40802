// The core as the tests call it: each helper keeps the shape older tests were written against and goes
// through the entry production uses (src/reconciler/index.ts), with the edge's recording port as the
// route hands it (dry runs, approval), or the one status builder (status.ts).
import type { Changes } from '../../src/reconciler/model/changes.js';
import type { S3Addressing } from '../../src/reconciler/rules/coordinates.js';
import type { ReconcilerDeps } from '../../src/reconciler/model/deps.js';
import { answerQuickly, reconcile, type Deadline } from '../../src/reconciler/index.js';
import { dryRun } from '../../src/s3/dry-run-port.js';
import type { BucketResource, BucketStatus, Condition, HookResponse, Observed, ResourceMetadata } from '../../src/reconciler/model/resource.js';
import type { RoleChoice } from '../../src/reconciler/rules/roles.js';
import { status, withRequestParts } from '../../src/reconciler/steps/status.js';

import type { Verdict } from '../../src/reconciler/outcome/verdict.js';

/** A deadline that never fires: the pass runs with `signal`. */
const onSignal = (signal: AbortSignal | undefined): Deadline | undefined => (signal ? { ms: 0, run: (work) => work(signal) } : undefined);

/** A sync call: the zero-cost answer when it holds, else the full pipeline. */
export async function sync(resource: BucketResource, deps: ReconcilerDeps, signal?: AbortSignal): Promise<HookResponse> {
  return reconcile({ hook: 'sync', parent: resource }, deps, { within: onSignal(signal), recorder: dryRun });
}

/** A sync call whose changes (created, adopted, fields written) the test reads. */
export async function fullSync(resource: BucketResource, deps: ReconcilerDeps, signal?: AbortSignal, changes?: Changes): Promise<HookResponse> {
  return reconcile({ hook: 'sync', parent: resource }, deps, { within: onSignal(signal), changes, recorder: dryRun });
}

export async function finalize(resource: BucketResource, deps: ReconcilerDeps, signal?: AbortSignal): Promise<HookResponse> {
  return reconcile({ hook: 'finalize', parent: resource }, deps, { within: onSignal(signal), recorder: dryRun });
}

export function answerFromStatus(resource: BucketResource, deps: Omit<ReconcilerDeps, 'log'>): HookResponse | undefined {
  return answerQuickly({ hook: 'sync', parent: resource }, deps);
}

/** The answer of a call whose deadline fired before the pass answered (the pass never runs). */
export async function deadlineAnswer(
  resource: BucketResource,
  deps: Pick<ReconcilerDeps, 'now' | 'resync'> & Partial<ReconcilerDeps>,
  ms: number,
  finalizing: boolean,
): Promise<HookResponse> {
  const full = {
    defaults: { region: 'eu-west-1', deletionPolicy: 'delete' as const },
    s3: () => {
      throw new Error('no S3 after the deadline');
    },
    log: silent,
    ...deps,
  };
  return reconcile({ hook: finalizing ? 'finalize' : 'sync', parent: resource }, full, { within: { ms, run: async (_work, overrun) => overrun() } });
}

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** The status a verdict gives (no lastCheck: what a finalize answer holds), through status(). */
export function buildStatus(input: {
  previous: BucketStatus | undefined;
  verdict: Verdict;
  generation: number;
  now: Date;
  metadata: ResourceMetadata | undefined;
  location: string | undefined;
}): BucketStatus {
  const parent: BucketResource = {
    apiVersion: 's3.services.k8s.aws/v1alpha1',
    kind: 'Bucket',
    metadata: { name: 'b', namespace: 'team-a', uid: 'u', generation: input.generation },
    spec: {},
    ...(input.previous ? { status: input.previous } : {}),
  };
  const subject = input.metadata
    ? { bucket: input.location?.slice(1) ?? 'b', region: input.metadata.region, reported: input.location !== undefined }
    : undefined;
  const deps = {
    now: () => input.now,
    defaults: { region: 'eu-west-1', deletionPolicy: 'delete' as const },
    resync: { driftCheckSeconds: 600, backoffMinSeconds: 5, backoffMaxSeconds: 300 },
  };
  return status({ hook: 'finalize', parent }, deps, { verdict: input.verdict, subject, finalized: true }).status;
}

/** The coordinates part of an answer (child and ConfigMapReady) for a given answer, as status() adds it. */
export function withCoordinates(
  received: BucketResource,
  response: HookResponse,
  observed: Observed,
  addressing: S3Addressing,
  now: Date,
  finalizing: boolean,
): HookResponse {
  const ready = response.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return withRequestParts(
    { hook: finalizing ? 'finalize' : 'sync', parent: received, observed },
    { addressing },
    response,
    response.status.ackResourceMetadata,
    ready,
    response.status.conditions,
    now,
  );
}

/** ACK's IAMRoleSelected on a given answer, as status() adds it; `previous`: the received status's conditions. */
export function withRoleCondition(response: HookResponse, choice: RoleChoice, previous: Condition[], now: Date): HookResponse {
  const parent: BucketResource = {
    apiVersion: 's3.services.k8s.aws/v1alpha1',
    kind: 'Bucket',
    metadata: { name: 'b', namespace: 'team-a', uid: 'u' },
    spec: {},
    status: { conditions: previous },
  };
  const ready = response.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return withRequestParts({ hook: 'sync', parent }, { role: choice }, response, response.status.ackResourceMetadata, ready, response.status.conditions, now);
}
