// The S3 port: the narrow, domain-level interface the reconciler talks to. The SDK adapter
// (sdk-adapter.ts) implements it against @aws-sdk/client-s3; tests implement it with a fake.
import type { Presence, VersioningStatus } from '../reconciler/types.js';

export interface Tag {
  key: string;
  value: string;
}

export interface CreateBucketInput {
  bucket: string;
  locationConstraint: string | undefined;
  /** Sent with CreateBucket so tag-enforcing policies (SCPs) allow the create. */
  tags: Tag[];
}

/** One S3 endpoint in one region. Every call takes an AbortSignal so a request deadline can cut it short. */
export interface S3Port {
  headBucket(bucket: string, signal?: AbortSignal): Promise<Presence>;
  createBucket(input: CreateBucketInput, signal?: AbortSignal): Promise<void>;
  deleteBucket(bucket: string, signal?: AbortSignal): Promise<void>;
  /** All tags; an empty map when the bucket has none (NoSuchTagSet). */
  getBucketTags(bucket: string, signal?: AbortSignal): Promise<Record<string, string>>;
  /** Replaces the whole tag set. */
  putBucketTags(bucket: string, tags: Tag[], signal?: AbortSignal): Promise<void>;
  /** 'Unset' when versioning was never configured. */
  getBucketVersioning(bucket: string, signal?: AbortSignal): Promise<VersioningStatus | 'Unset'>;
  putBucketVersioning(bucket: string, status: VersioningStatus, signal?: AbortSignal): Promise<void>;
}

/** Gives the port for a region (clients are per region because requests are signed per region). */
export type S3PortFactory = (region: string) => S3Port;

/**
 * How the reconciler should treat a failed call. Classified once, at the adapter boundary, from the
 * error's name and HTTP status, never from message text.
 */
export type S3ErrorKind =
  | 'not-found'
  | 'access-denied'
  | 'name-taken'
  | 'not-empty'
  | 'throttled'
  | 'invalid'
  | 'unsupported'
  | 'transient'
  | 'aborted'
  | 'unknown';

export class S3Error extends Error {
  override readonly name = 'S3Error';
  constructor(
    /** The S3 API operation, e.g. "PutBucketTagging". */
    readonly operation: string,
    /** S3's error code, e.g. "BucketNotEmpty"; "NetworkError" when no response came. */
    readonly code: string,
    readonly kind: S3ErrorKind,
    readonly httpStatus: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(`${operation} failed: ${code}${httpStatus ? ` (HTTP ${httpStatus})` : ''}`, options);
  }

  /** Worth retrying later without any change by the user. */
  get retryable(): boolean {
    return this.kind === 'throttled' || this.kind === 'transient' || this.kind === 'aborted' || this.kind === 'unknown';
  }
}

export function isS3Error(err: unknown): err is S3Error {
  return err instanceof S3Error;
}
