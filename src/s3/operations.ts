// The S3 API operations behind each sub-resource. One table, used for condition messages, metrics,
// and the IAM policy test (every operation the adapter can send must be allowed by manifests/iam-policy.json).
import type { CollectionName, ConfigName, Operations, RemovableConfigName } from './port.js';

/** A Delete operation exactly for the sub-resources S3 can delete (REMOVABLE_CONFIG_NAMES). */
type ConfigOperations = { [K in ConfigName]: K extends RemovableConfigName ? Required<Operations> : Operations & { remove?: never } };

export const CONFIG_OPERATIONS: ConfigOperations = {
  versioning: { read: 'GetBucketVersioning', write: 'PutBucketVersioning' },
  encryption: { read: 'GetBucketEncryption', write: 'PutBucketEncryption', remove: 'DeleteBucketEncryption' },
  publicAccessBlock: { read: 'GetPublicAccessBlock', write: 'PutPublicAccessBlock', remove: 'DeletePublicAccessBlock' },
  ownershipControls: { read: 'GetBucketOwnershipControls', write: 'PutBucketOwnershipControls', remove: 'DeleteBucketOwnershipControls' },
  policy: { read: 'GetBucketPolicy', write: 'PutBucketPolicy', remove: 'DeleteBucketPolicy' },
  cors: { read: 'GetBucketCors', write: 'PutBucketCors', remove: 'DeleteBucketCors' },
  lifecycle: { read: 'GetBucketLifecycleConfiguration', write: 'PutBucketLifecycleConfiguration', remove: 'DeleteBucketLifecycle' },
  logging: { read: 'GetBucketLogging', write: 'PutBucketLogging' },
  website: { read: 'GetBucketWebsite', write: 'PutBucketWebsite', remove: 'DeleteBucketWebsite' },
  accelerate: { read: 'GetBucketAccelerateConfiguration', write: 'PutBucketAccelerateConfiguration' },
  requestPayment: { read: 'GetBucketRequestPayment', write: 'PutBucketRequestPayment' },
  notification: { read: 'GetBucketNotificationConfiguration', write: 'PutBucketNotificationConfiguration' },
  objectLock: { read: 'GetObjectLockConfiguration', write: 'PutObjectLockConfiguration' },
  replication: { read: 'GetBucketReplication', write: 'PutBucketReplication', remove: 'DeleteBucketReplication' },
  acl: { read: 'GetBucketAcl', write: 'PutBucketAcl' },
  abac: { read: 'GetBucketAbac', write: 'PutBucketAbac' },
};

export const COLLECTION_OPERATIONS: Record<CollectionName, Required<Operations>> = {
  analytics: { read: 'ListBucketAnalyticsConfigurations', write: 'PutBucketAnalyticsConfiguration', remove: 'DeleteBucketAnalyticsConfiguration' },
  metrics: { read: 'ListBucketMetricsConfigurations', write: 'PutBucketMetricsConfiguration', remove: 'DeleteBucketMetricsConfiguration' },
  inventory: { read: 'ListBucketInventoryConfigurations', write: 'PutBucketInventoryConfiguration', remove: 'DeleteBucketInventoryConfiguration' },
  intelligentTiering: {
    read: 'ListBucketIntelligentTieringConfigurations',
    write: 'PutBucketIntelligentTieringConfiguration',
    remove: 'DeleteBucketIntelligentTieringConfiguration',
  },
};

/** The calls that empty a bucket before its deletion (annotation s3.services.k8s.aws/empty-on-delete). */
export const EMPTYING_OPERATIONS = {
  listVersions: 'ListObjectVersions',
  deleteVersions: 'DeleteObjects',
  listUploads: 'ListMultipartUploads',
  abortUpload: 'AbortMultipartUpload',
} as const;

/**
 * ListBuckets: `npm run import` lists the account's buckets with its user's credentials; the hook asks
 * it for one bucket's creation date, only where an unmarked bucket meets a claim on its name (the
 * crash-safe create, reconciler/claim.ts).
 */
export const LIST_BUCKETS_OPERATION = 'ListBuckets';
