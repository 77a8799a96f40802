// The IAM actions that authorize each S3 API operation the hook sends. They are not the operation names:
// HeadBucket needs s3:ListBucket, the Delete* calls of most sub-resources need their Put* action, and
// several actions have older names (s3:GetBucketCORS, s3:GetLifecycleConfiguration, ...). Source: the
// Service Authorization Reference, "Actions, resources, and condition keys for Amazon S3", and each
// command's own documentation in @aws-sdk/client-s3 (test/unit/iam-policy.test.ts checks against it).
// Used by the IAM policy test: manifests/iam-policy.json must allow exactly these for every operation.

export const IAM_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  HeadBucket: ['s3:ListBucket'],
  // The first action always; the others only for the request fields the adapter may set:
  // CreateBucketConfiguration.Tags (the ownership tags, always sent) needs s3:TagResource,
  // ObjectOwnership needs s3:PutBucketOwnershipControls, and ObjectLockEnabledForBucket needs
  // s3:PutBucketObjectLockConfiguration and s3:PutBucketVersioning.
  CreateBucket: ['s3:CreateBucket', 's3:TagResource', 's3:PutBucketOwnershipControls', 's3:PutBucketObjectLockConfiguration', 's3:PutBucketVersioning'],
  DeleteBucket: ['s3:DeleteBucket'],
  GetBucketTagging: ['s3:GetBucketTagging'],
  PutBucketTagging: ['s3:PutBucketTagging'],
  DeleteBucketTagging: ['s3:PutBucketTagging'],

  GetBucketVersioning: ['s3:GetBucketVersioning'],
  PutBucketVersioning: ['s3:PutBucketVersioning'],
  GetBucketEncryption: ['s3:GetEncryptionConfiguration'],
  PutBucketEncryption: ['s3:PutEncryptionConfiguration'],
  DeleteBucketEncryption: ['s3:PutEncryptionConfiguration'],
  GetPublicAccessBlock: ['s3:GetBucketPublicAccessBlock'],
  PutPublicAccessBlock: ['s3:PutBucketPublicAccessBlock'],
  DeletePublicAccessBlock: ['s3:PutBucketPublicAccessBlock'],
  GetBucketOwnershipControls: ['s3:GetBucketOwnershipControls'],
  PutBucketOwnershipControls: ['s3:PutBucketOwnershipControls'],
  DeleteBucketOwnershipControls: ['s3:PutBucketOwnershipControls'],
  GetBucketPolicy: ['s3:GetBucketPolicy'],
  PutBucketPolicy: ['s3:PutBucketPolicy'],
  DeleteBucketPolicy: ['s3:DeleteBucketPolicy'],
  GetBucketCors: ['s3:GetBucketCORS'],
  PutBucketCors: ['s3:PutBucketCORS'],
  DeleteBucketCors: ['s3:PutBucketCORS'],
  GetBucketLifecycleConfiguration: ['s3:GetLifecycleConfiguration'],
  PutBucketLifecycleConfiguration: ['s3:PutLifecycleConfiguration'],
  DeleteBucketLifecycle: ['s3:PutLifecycleConfiguration'],
  GetBucketLogging: ['s3:GetBucketLogging'],
  PutBucketLogging: ['s3:PutBucketLogging'],
  GetBucketWebsite: ['s3:GetBucketWebsite'],
  PutBucketWebsite: ['s3:PutBucketWebsite'],
  DeleteBucketWebsite: ['s3:DeleteBucketWebsite'],
  GetBucketAccelerateConfiguration: ['s3:GetAccelerateConfiguration'],
  PutBucketAccelerateConfiguration: ['s3:PutAccelerateConfiguration'],
  GetBucketRequestPayment: ['s3:GetBucketRequestPayment'],
  PutBucketRequestPayment: ['s3:PutBucketRequestPayment'],
  GetBucketNotificationConfiguration: ['s3:GetBucketNotification'],
  PutBucketNotificationConfiguration: ['s3:PutBucketNotification'],
  GetObjectLockConfiguration: ['s3:GetBucketObjectLockConfiguration'],
  PutObjectLockConfiguration: ['s3:PutBucketObjectLockConfiguration'],
  GetBucketReplication: ['s3:GetReplicationConfiguration'],
  // S3 replicates as the role named in the configuration, so setting it means passing that role to S3.
  PutBucketReplication: ['s3:PutReplicationConfiguration', 'iam:PassRole'],
  DeleteBucketReplication: ['s3:PutReplicationConfiguration'],
  GetBucketAcl: ['s3:GetBucketAcl'],
  PutBucketAcl: ['s3:PutBucketAcl'],
  // The API reference spells it s3:PutBucketABAC; IAM action names are case-insensitive.
  GetBucketAbac: ['s3:GetBucketAbac'],
  PutBucketAbac: ['s3:PutBucketAbac'],

  // The collections: listing needs the Get* action, deleting one configuration the Put* action.
  ListBucketAnalyticsConfigurations: ['s3:GetAnalyticsConfiguration'],
  PutBucketAnalyticsConfiguration: ['s3:PutAnalyticsConfiguration'],
  DeleteBucketAnalyticsConfiguration: ['s3:PutAnalyticsConfiguration'],
  ListBucketMetricsConfigurations: ['s3:GetMetricsConfiguration'],
  PutBucketMetricsConfiguration: ['s3:PutMetricsConfiguration'],
  DeleteBucketMetricsConfiguration: ['s3:PutMetricsConfiguration'],
  ListBucketInventoryConfigurations: ['s3:GetInventoryConfiguration'],
  PutBucketInventoryConfiguration: ['s3:PutInventoryConfiguration'],
  DeleteBucketInventoryConfiguration: ['s3:PutInventoryConfiguration'],
  ListBucketIntelligentTieringConfigurations: ['s3:GetIntelligentTieringConfiguration'],
  PutBucketIntelligentTieringConfiguration: ['s3:PutIntelligentTieringConfiguration'],
  DeleteBucketIntelligentTieringConfiguration: ['s3:PutIntelligentTieringConfiguration'],

  // STS, for the roles of IAMRoleSelectors (sdk-sts.ts): the session carries the namespace as a session
  // tag, which needs sts:TagSession besides sts:AssumeRole (a role whose trust policy lacks it is assumed untagged).
  AssumeRole: ['sts:AssumeRole', 'sts:TagSession'],

  // Emptying a bucket before its deletion (empty-on-delete): listing is a bucket action, deleting and
  // aborting are object actions (arn:aws:s3:::bucket/*). DeleteObjects checks each key as a DeleteObject,
  // and as a DeleteObjectVersion when it names a version (the hook always does: no delete marker is made).
  ListObjectVersions: ['s3:ListBucketVersions'],
  DeleteObjects: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
  ListMultipartUploads: ['s3:ListBucketMultipartUploads'],
  AbortMultipartUpload: ['s3:AbortMultipartUpload'],

  // A claimed bucket's creation date (the hook, rarely), and `npm run import`'s listing (with its user's
  // own credentials; it also needs the Get actions above). No resource type: granted on "*".
  ListBuckets: ['s3:ListAllMyBuckets'],
};

/** IAM actions that act on objects (arn:aws:s3:::bucket/*), not on the bucket: the policy grants them in a statement of their own. */
export const OBJECT_ACTIONS: readonly string[] = ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:AbortMultipartUpload'];

/** The IAM actions an S3 operation needs, or undefined for an operation this table does not know. */
export function iamActionsFor(operation: string): readonly string[] | undefined {
  return Object.hasOwn(IAM_ACTIONS, operation) ? IAM_ACTIONS[operation] : undefined;
}
