// The S3 port: the narrow, domain-level interface the reconciler talks to. The SDK adapter
// (sdk-adapter.ts) implements it against @aws-sdk/client-s3; tests implement it with a fake. It owns its
// whole vocabulary (presence, create extras, errors) and imports nothing from the core.
import type { CreateTagging } from './create-tagging.js';
import type { CollectionItem, ConfigValue, ConfigWrite } from './values.js';

export type { CreateTagging } from './create-tagging.js';
export type * from './values.js';

export interface Tag {
  key: string;
  value: string;
}

/** Where the bucket stands, as S3 reports it. */
export type Presence =
  | { kind: 'absent' }
  | { kind: 'present' }
  /** 403: the name is owned by another account, or our credentials may not see it. */
  | { kind: 'forbidden' }
  /** 301: the bucket exists in another region than the one we asked. */
  | { kind: 'elsewhere'; region: string | undefined };

export interface CreateBucketInput {
  bucket: string;
  locationConstraint: string | undefined;
  /** Sent with CreateBucket so tag-enforcing policies (SCPs) allow the create. */
  tags: Tag[];
  /** Create-time only settings (objectOwnership, object lock, createBucketConfiguration.location/bucket, namespace). */
  extras?: CreateExtras;
}

export interface CreateExtras {
  objectLockEnabledForBucket?: boolean;
  objectOwnership?: string;
  /** createBucketConfiguration.location / .bucket (directory buckets), ACK shape. */
  location?: Record<string, unknown>;
  bucketInfo?: Record<string, unknown>;
  namespace?: string;
}

/**
 * Bucket sub-resources that are one document each. Values cross the port in ACK's spec shape
 * (camelCase, e.g. {rules: [...]} for lifecycle), typed per sub-resource in values.ts (ConfigValue,
 * ConfigWrite); `undefined` means S3 reports it as not configured. "policy" is the policy JSON string;
 * "acl" reads as {owner: {id}, grants: [...]} and is written as {acl} or {grantRead, ...} (header form).
 */
export const CONFIG_NAMES = [
  'versioning',
  'encryption',
  'publicAccessBlock',
  'ownershipControls',
  'policy',
  'cors',
  'lifecycle',
  'logging',
  'website',
  'accelerate',
  'requestPayment',
  'notification',
  'objectLock',
  'replication',
  'acl',
  'abac',
] as const;
export type ConfigName = (typeof CONFIG_NAMES)[number];

/** The sub-resources S3 can delete (the others are reset with a Put): what deleteConfig takes. */
export const REMOVABLE_CONFIG_NAMES = [
  'encryption',
  'publicAccessBlock',
  'ownershipControls',
  'policy',
  'cors',
  'lifecycle',
  'website',
  'replication',
] as const satisfies readonly ConfigName[];
export type RemovableConfigName = (typeof REMOVABLE_CONFIG_NAMES)[number];

export function isRemovableConfig(name: ConfigName): name is RemovableConfigName {
  return REMOVABLE_CONFIG_NAMES.some((removable) => removable === name);
}

/** Sub-resources that are sets of documents keyed by id. */
export const COLLECTION_NAMES = ['analytics', 'metrics', 'inventory', 'intelligentTiering'] as const;
export type CollectionName = (typeof COLLECTION_NAMES)[number];

/** One object version, or one delete marker, as ListObjectVersions names it (versionId "null" in a never-versioned bucket). */
export interface ObjectVersion {
  key: string;
  versionId: string | undefined;
}

/** Where a listing goes on from (the markers of the page before); undefined: the start. */
export interface ListMarker {
  key: string;
  /** The version id marker (ListObjectVersions) or the upload id marker (ListMultipartUploads). */
  id: string | undefined;
}

/** One page of ListObjectVersions: versions and delete markers together, up to 1,000. */
export interface ObjectVersionPage {
  versions: ObjectVersion[];
  /** The next page's markers; undefined on the last page. */
  next: ListMarker | undefined;
}

/** A version DeleteObjects did not delete, with S3's per-object error code (AccessDenied under Object Lock retention or a legal hold). */
export interface ObjectDeleteError extends ObjectVersion {
  code: string;
}

/** An unfinished multipart upload. */
export interface MultipartUpload {
  key: string;
  uploadId: string;
}

export interface MultipartUploadPage {
  uploads: MultipartUpload[];
  next: ListMarker | undefined;
}

/** S3 API operation names per sub-resource, for messages, metrics and the IAM policy. */
export interface Operations {
  read: string;
  write: string;
  remove?: string;
}

/**
 * One S3 endpoint in one region. Every call takes an AbortSignal so a request deadline can cut it short.
 * Every call that fails rejects with an S3Error, and with nothing else: an implementation classifies
 * whatever went wrong (a network error, a middleware's TypeError) at its boundary, so its callers may
 * treat any other error as a bug.
 */
export interface S3Port {
  headBucket(bucket: string, signal?: AbortSignal): Promise<Presence>;
  /**
   * Sends the tags with the create where the endpoint takes them; where it refuses a create body that
   * holds them (RGW in us-east-1), creates without them and remembers that for the endpoint.
   */
  createBucket(input: CreateBucketInput, signal?: AbortSignal): Promise<void>;
  /** What this endpoint is known to do with the tags sent in CreateBucket (see create-tagging.ts). */
  createTagging(): CreateTagging;
  /** The reconciler read a bucket back right after creating it: were the tags sent with the create on it? */
  learnCreateTagging(honoured: boolean): void;
  deleteBucket(bucket: string, signal?: AbortSignal): Promise<void>;
  /**
   * When S3 says the bucket was created (ListBuckets, asked for this name as a prefix); undefined when it
   * does not list it. Read only where an unmarked bucket meets a claim on its name (reconciler/claim.ts).
   */
  bucketCreationDate(bucket: string, signal?: AbortSignal): Promise<Date | undefined>;
  /** All tags; an empty map when the bucket has none (NoSuchTagSet). */
  getBucketTags(bucket: string, signal?: AbortSignal): Promise<Record<string, string>>;
  /** Replaces the whole tag set. */
  putBucketTags(bucket: string, tags: Tag[], signal?: AbortSignal): Promise<void>;
  /** Removes every tag; only ever called after getBucketTags returned some (see deleteConfig). */
  deleteBucketTags(bucket: string, signal?: AbortSignal): Promise<void>;
  /** A sub-resource in ACK's shape; undefined when S3 says it is not configured. */
  getConfig<K extends ConfigName>(name: K, bucket: string, signal?: AbortSignal): Promise<ConfigValue[K] | undefined>;
  putConfig<K extends ConfigName>(name: K, bucket: string, value: ConfigWrite[K], signal?: AbortSignal): Promise<void>;
  /** Only ever called after getConfig returned a configuration (see s3-test-server.md: such a Delete can drop a bucket on some stores). */
  deleteConfig(name: RemovableConfigName, bucket: string, signal?: AbortSignal): Promise<void>;
  /** Every configuration of a collection, each with its `id`. */
  listCollection<K extends CollectionName>(name: K, bucket: string, signal?: AbortSignal): Promise<Array<CollectionItem[K]>>;
  putCollectionItem<K extends CollectionName>(name: K, bucket: string, item: CollectionItem[K], signal?: AbortSignal): Promise<void>;
  deleteCollectionItem(name: CollectionName, bucket: string, id: string, signal?: AbortSignal): Promise<void>;

  // Emptying a bucket before it is deleted (annotation s3.services.k8s.aws/empty-on-delete; reconciler/emptying.ts).
  /** One page (up to 1,000) of every object version and delete marker, from `from` on. */
  listObjectVersions(bucket: string, from: ListMarker | undefined, signal?: AbortSignal): Promise<ObjectVersionPage>;
  /**
   * DeleteObjects of these versions (up to 1,000, each with its version id: no delete marker is made, and
   * no retention is bypassed). Resolves with the versions S3 refused one by one; rejects when the call fails.
   */
  deleteObjectVersions(bucket: string, versions: ObjectVersion[], signal?: AbortSignal): Promise<ObjectDeleteError[]>;
  /** One page (up to 1,000) of the unfinished multipart uploads, from `from` on. */
  listMultipartUploads(bucket: string, from: ListMarker | undefined, signal?: AbortSignal): Promise<MultipartUploadPage>;
  abortMultipartUpload(bucket: string, upload: MultipartUpload, signal?: AbortSignal): Promise<void>;
}

/**
 * An STS session to make S3 calls with (an IAMRoleSelector's role): the role, the session's name and its
 * session tags. The adapter assumes it and caches its credentials; what it is named is the core's choice.
 */
export interface RoleSession {
  roleArn: string;
  sessionName: string;
  tags: Tag[];
}

/**
 * Gives the port for a region (clients are per region because requests are signed per region), made
 * with the hook's own identity, or with an assumed role's session.
 */
export type S3PortFactory = (region: string, session?: RoleSession) => S3Port;

/**
 * How the reconciler should treat a failed call. Classified once, at the adapter boundary, from the
 * error's name and HTTP status, never from message text.
 */
export type S3ErrorKind =
  'not-found' | 'access-denied' | 'name-taken' | 'not-empty' | 'throttled' | 'invalid' | 'unsupported' | 'transient' | 'aborted' | 'unknown';

export class S3Error extends Error {
  override readonly name = 'S3Error';
  constructor(
    /** The S3 API operation, e.g. "PutBucketTagging". */
    readonly operation: string,
    /** S3's error code, e.g. "BucketNotEmpty"; "NetworkError" when no response came. */
    readonly code: string,
    readonly kind: S3ErrorKind,
    readonly httpStatus: number | undefined,
    options?: { cause?: unknown; sent?: string; identity?: string },
  ) {
    super(`${operation} failed: ${code}${httpStatus ? ` (HTTP ${httpStatus})` : ''}`, options);
    this.sent = options?.sent;
    this.identity = options?.identity;
  }

  /** The role the call was made as (its ARN); undefined for the hook's own identity. Set by the port that made the call. */
  identity: string | undefined;

  /**
   * What the hook sent, in words, for requests of the hook's own making whose refusal is not the spec's
   * fault (CreateBucket: "no body", "LocationConstraint eu-west-1 and 3 tags").
   */
  readonly sent: string | undefined;
}

export function isS3Error(err: unknown): err is S3Error {
  return err instanceof S3Error;
}
