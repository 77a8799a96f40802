// The verdict for a reconcile that outran its request deadline (the edge runs the clock): the outcome
// of the pass is unknown, so the answer keeps what the status reported (status.ts, kept "overrun"), backs
// off, and never says `finalized: true`.
import { recoverable, type Verdict } from './verdict.js';

export function deadlineVerdict(ms: number): Verdict {
  return recoverable(
    'DeadlineExceeded',
    `The hook ran out of time (${ms} ms) before S3 answered: the outcome of this pass is unknown. It continues at the next sync.`,
  );
}
