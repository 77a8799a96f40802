// What an S3 failure means for the resource, decided in one place: the condition reason it reports,
// whether it is terminal (waits for the user) or recoverable (retried with backoff), and whether the
// call may simply succeed if repeated (or may even have taken effect: a reset after the store did the
// work). The adapter says what happened (S3Error.kind, from the error code and HTTP status); this table
// says what that means. messages.ts words it; sync and finalize act on it.
import type { S3Error, S3ErrorKind } from '../../s3/port.js';

export interface FailureClass {
  /** The condition reason, e.g. "AccessDenied". */
  reason: string;
  /** recoverable: retried with backoff without any change by the user; terminal: waits for the user. */
  severity: 'recoverable' | 'terminal';
  /** Network, throttling, deadline, an unknown answer: repeating the same call may succeed, and it may already have taken effect. */
  transient: boolean;
}

const CLASSES: Record<S3ErrorKind, FailureClass> = {
  throttled: { reason: 'Throttled', severity: 'recoverable', transient: true },
  transient: { reason: 'S3Unavailable', severity: 'recoverable', transient: true },
  aborted: { reason: 'DeadlineExceeded', severity: 'recoverable', transient: true },
  unknown: { reason: 'S3Error', severity: 'recoverable', transient: true },
  // An admin grants the permission; the hook notices at its next try.
  'access-denied': { reason: 'AccessDenied', severity: 'recoverable', transient: false },
  // The bucket vanished mid-sync: the next sync creates it again.
  'not-found': { reason: 'BucketGone', severity: 'recoverable', transient: false },
  invalid: { reason: 'InvalidValue', severity: 'terminal', transient: false },
  unsupported: { reason: 'Unsupported', severity: 'terminal', transient: false },
  'name-taken': { reason: 'NameTaken', severity: 'terminal', transient: false },
  'not-empty': { reason: 'BucketNotEmpty', severity: 'terminal', transient: false },
};

export function failureClass(error: Pick<S3Error, 'kind'>): FailureClass {
  return CLASSES[error.kind];
}
