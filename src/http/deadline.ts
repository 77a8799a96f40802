// A deadline per hook request. Metacontroller counts a hook call that outlives its webhook timeout (30 s
// in our manifests) as failed: it writes nothing, not even the progress made, and retries with its own
// backoff. So every request gets one AbortSignal that fires well before that (REQUEST_DEADLINE_MS); the
// reconciler passes it into every S3 call, an aborted call becomes a recoverable DeadlineExceeded
// condition, and the answer is a 200 with whatever was done. A backstop answers anyway, a moment after
// the deadline, if some call ignores the signal: the hook answers in time even then. What that answer
// says is the core's (src/reconciler/overrun.ts).
import { realTimers, type Timers } from './timers.js';

export const DEFAULT_REQUEST_DEADLINE_MS = 20_000;
/** How long after the deadline the backstop answers if the reconcile has not stopped by itself. */
const BACKSTOP_GRACE_MS = 1_000;

export interface DeadlineLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Runs `work` with a signal that aborts after `ms`. If `work` has not settled `BACKSTOP_GRACE_MS` later,
 * resolves with `overrun()` instead; the late outcome is only logged. Timers are cleared either way.
 */
export async function withDeadline<T>(
  ms: number,
  work: (signal: AbortSignal) => Promise<T>,
  overrun: () => T,
  log: DeadlineLog,
  timers: Pick<Timers, 'setTimeout' | 'clearTimeout'> = realTimers,
): Promise<T> {
  const controller = new AbortController();
  // The SDK and the S3 port see an AbortError: errors.ts classifies it as kind "aborted".
  const abort = timers.setTimeout(() => controller.abort(new DOMException(`the request deadline (${ms} ms) was reached`, 'AbortError')), ms);
  let backstop: unknown;
  const running = work(controller.signal);
  const late = new Promise<T>((resolve) => {
    backstop = timers.setTimeout(() => {
      log.error({ deadlineMs: ms }, 'the reconcile ignored the request deadline; answering without it');
      running.then(
        () => log.warn({}, 'a reconcile answered after its deadline had been answered for it'),
        (err: unknown) => log.error({ err }, 'a reconcile failed after its deadline had been answered for it'),
      );
      resolve(overrun());
    }, ms + BACKSTOP_GRACE_MS);
  });
  try {
    return await Promise.race([running, late]);
  } finally {
    timers.clearTimeout(abort);
    timers.clearTimeout(backstop);
  }
}
