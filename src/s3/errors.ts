// Turns whatever the SDK throws into an S3Error with a kind the reconciler can act on.
// Classified by error name and HTTP status only: S3-compatible stores (Ceph RGW) send no message text.
import { S3Error, type S3ErrorKind } from './port.js';

const KIND_BY_CODE: Record<string, S3ErrorKind> = {
  NotFound: 'not-found',
  NoSuchBucket: 'not-found',
  AccessDenied: 'access-denied',
  Forbidden: 'access-denied',
  AllAccessDisabled: 'access-denied',
  InvalidAccessKeyId: 'access-denied',
  SignatureDoesNotMatch: 'access-denied',
  ExpiredToken: 'access-denied',
  BucketAlreadyExists: 'name-taken',
  BucketNotEmpty: 'not-empty',
  SlowDown: 'throttled',
  Throttling: 'throttled',
  ThrottlingException: 'throttled',
  TooManyRequests: 'throttled',
  RequestLimitExceeded: 'throttled',
  TooManyBuckets: 'invalid',
  InvalidBucketName: 'invalid',
  InvalidArgument: 'invalid',
  InvalidRequest: 'invalid',
  MalformedXML: 'invalid',
  MalformedPolicy: 'invalid',
  InvalidTag: 'invalid',
  InvalidLocationConstraint: 'invalid',
  IllegalLocationConstraintException: 'invalid',
  InvalidBucketState: 'invalid',
  OperationAborted: 'transient',
  NotImplemented: 'unsupported',
  MethodNotAllowed: 'unsupported',
  InternalError: 'transient',
  ServiceUnavailable: 'throttled',
  RequestTimeout: 'transient',
  RequestTimeTooSkewed: 'transient',
  TimeoutError: 'transient',
  AbortError: 'aborted',
};

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'UND_ERR_SOCKET']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: number };
}

function kindFromStatus(status: number | undefined): S3ErrorKind {
  if (status === undefined) return 'unknown';
  if (status === 404) return 'not-found';
  if (status === 403) return 'access-denied';
  if (status === 409) return 'invalid';
  if (status === 429 || status === 503) return 'throttled';
  if (status === 501 || status === 405) return 'unsupported';
  if (status >= 500) return 'transient';
  if (status >= 400) return 'invalid';
  return 'unknown';
}

/** The S3 error code of an SDK error ("UnknownError" bodies from RGW still carry the right name). */
export function errorCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return 'UnknownError';
  const e = err as SdkErrorShape;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
  if (typeof e.Code === 'string' && e.Code !== '') return e.Code;
  if (typeof e.name === 'string' && e.name !== '' && e.name !== 'Error') return e.name;
  return 'UnknownError';
}

export function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  return (err as SdkErrorShape).$metadata?.httpStatusCode;
}

export function classify(operation: string, err: unknown): S3Error {
  if (err instanceof S3Error) return err;
  const code = errorCode(err);
  const status = httpStatusOf(err);
  let kind: S3ErrorKind = KIND_BY_CODE[code] ?? (NETWORK_CODES.has(code) ? 'transient' : kindFromStatus(status));
  // The SDK reports a request cut short by our own deadline as AbortError; keep that distinct.
  if (kind === 'unknown' && typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError') kind = 'aborted';
  return new S3Error(operation, code, kind, status, { cause: err });
}
