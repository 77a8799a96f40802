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

/**
 * The code S3 would have named for an HTTP status, for answers that carry no error body (every HEAD, and
 * some stores' errors): the SDK names those "Unknown". The kind of such an error still comes from its
 * status (kindFromStatus), so naming the code changes no decision, only what conditions and /metrics say.
 */
const CODE_BY_STATUS: Record<number, string> = {
  301: 'PermanentRedirect',
  307: 'TemporaryRedirect',
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  411: 'MissingContentLength',
  412: 'PreconditionFailed',
  416: 'InvalidRange',
  429: 'TooManyRequests',
  500: 'InternalError',
  501: 'NotImplemented',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** What the SDK's own error names when it could not read an S3 error code. */
const NAMELESS = new Set(['Unknown', 'UnknownError']);

/** The code as the SDK reports it ("UnknownError" bodies from RGW still carry the right name). */
function sdkCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return 'UnknownError';
  const e = err as SdkErrorShape;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
  if (typeof e.Code === 'string' && e.Code !== '') return e.Code;
  if (typeof e.name === 'string' && e.name !== '' && e.name !== 'Error') return e.name;
  return 'UnknownError';
}

/**
 * The S3 error code of an SDK error: the one S3 sent, else the one its HTTP status stands for (a HEAD
 * answered 403 is "Forbidden"), else "UnknownError" (or the SDK's "Unknown" for a status not listed).
 */
export function errorCode(err: unknown): string {
  const code = sdkCode(err);
  if (!NAMELESS.has(code)) return code;
  const status = httpStatusOf(err);
  return (status === undefined ? undefined : CODE_BY_STATUS[status]) ?? code;
}

export function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  return (err as SdkErrorShape).$metadata?.httpStatusCode;
}

/**
 * A 404 that names something other than the bucket: what the request referred to does not exist (RGW
 * answers NoSuchKey to a notification naming a topic it lacks). Only NoSuchBucket and a bodiless 404
 * mean the bucket is gone; reading this as BucketGone kept such a Bucket retrying forever.
 */
function namedNotFound(code: string, status: number | undefined): boolean {
  return status === 404 && !NAMELESS.has(code);
}

/** The one classification of a failure: its code (conditions, logs and /metrics say the same) and kind. */
export function classify(operation: string, err: unknown): S3Error {
  if (err instanceof S3Error) return err;
  // The kind follows what the SDK reported (a nameless error: its status), exactly as before codes were
  // derived from the status.
  const reported = sdkCode(err);
  const status = httpStatusOf(err);
  let kind: S3ErrorKind =
    KIND_BY_CODE[reported] ?? (NETWORK_CODES.has(reported) ? 'transient' : namedNotFound(reported, status) ? 'invalid' : kindFromStatus(status));
  // The SDK reports a request cut short by our own deadline as AbortError; keep that distinct.
  if (kind === 'unknown' && typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError') kind = 'aborted';
  return new S3Error(operation, errorCode(err), kind, status, { cause: err });
}
