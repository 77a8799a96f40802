// The answer given for a reconcile that outran its request deadline (src/http/deadline.ts runs the
// clock): the outcome of the pass is unknown, so the status keeps what it reported and says so.
import type { ReconcilerDeps } from './deps.js';
import type { BucketResource, HookResponse } from './resource.js';
import { buildStatus, resyncAfter } from './status.js';
import { recoverable } from './verdict.js';

/**
 * The backstop's answer: the previous status with a recoverable DeadlineExceeded condition (keeping the
 * ARN, location and claim it reported), a backoff resync, and never `finalized: true`.
 */
export function deadlineAnswer(resource: BucketResource, deps: Pick<ReconcilerDeps, 'now' | 'resync'>, ms: number, finalizing: boolean): HookResponse {
  const message = `The hook ran out of time (${ms} ms) before S3 answered: the outcome of this pass is unknown. It continues at the next sync.`;
  const verdict = recoverable('DeadlineExceeded', message);
  const now = deps.now();
  const previous = resource.status;
  const status = buildStatus({
    previous,
    verdict,
    generation: resource.metadata.generation ?? 0,
    now,
    metadata: previous?.ackResourceMetadata,
    location: previous?.location,
    // The claim goes with the ARN: a create whose outcome is unknown stays recognisable next time.
    claim: previous?.claim,
  });
  const response: HookResponse = { status, children: [] };
  const after = resyncAfter(verdict, status, now, deps.resync);
  if (after !== undefined) response.resyncAfterSeconds = after;
  if (finalizing) response.finalized = false;
  return response;
}
