// The values that cross the S3 port, one type per bucket sub-resource, in ACK's spec shape: camelCase
// with ACK's spellings, the shape of the spec field of the same name. The top level of each is spelled
// out, so the compiler checks that what a field sends is the shape the adapter converts (shape.ts) for
// that sub-resource; the deeper parts the spec schema validates (rules, filters, destinations, grants)
// pass through as Doc. port.ts re-exports everything here: the core imports it from the port.

/** A nested part of a sub-resource that the spec schema validates and the hook passes through as is. */
export type Doc = Record<string, unknown>;

// Settings that are one value of a closed set (the spec schema's enums, the SDK's own unions).
export type VersioningConfig = { status?: 'Enabled' | 'Suspended' };
export type AccelerateConfig = { status?: 'Enabled' | 'Suspended' };
export type AbacConfig = { status?: 'Enabled' | 'Disabled' };
export type RequestPaymentConfig = { payer?: 'BucketOwner' | 'Requester' };

export type EncryptionConfig = { rules?: Doc[] };
export type PublicAccessBlockConfig = { blockPublicACLs?: boolean; ignorePublicACLs?: boolean; blockPublicPolicy?: boolean; restrictPublicBuckets?: boolean };
export type OwnershipControlsConfig = { rules?: Array<{ objectOwnership?: string | undefined }> };
export type CorsConfig = { corsRules?: Doc[] };
export type LifecycleConfig = { rules?: Doc[] };
/** An empty value (no loggingEnabled) disables logging: S3 has no Delete for it. */
export type LoggingConfig = { loggingEnabled?: Doc };
export type WebsiteConfig = { indexDocument?: Doc; errorDocument?: Doc; redirectAllRequestsTo?: Doc; routingRules?: Doc[] };
export type NotificationConfig = { lambdaFunctionConfigurations?: Doc[]; queueConfigurations?: Doc[]; topicConfigurations?: Doc[] };
/** S3's ObjectLockConfiguration; `rule` is spec.objectLockConfiguration.rule (the default retention). Always written as enabled. */
export type ObjectLockConfig = { objectLockEnabled?: string | undefined; rule?: Doc | undefined };
export type ReplicationConfig = { role?: string | undefined; rules?: Doc[] };

/** The ACL as GetBucketAcl reports it: the owner's canonical id and the grants (never the canned name). */
export type AclReading = { owner?: { id?: string | undefined }; grants?: Doc[] };
/** The header grants of PutBucketAcl, as in the spec: `id="..."`, `uri=...` lists. */
export type GrantHeaders = { grantFullControl?: string; grantRead?: string; grantReadACP?: string; grantWrite?: string; grantWriteACP?: string };
/** The ACL as PutBucketAcl takes it: a canned ACL, or header grants. */
export type AclWrite = { acl: string } | GrantHeaders;

/** Each sub-resource's value as getConfig returns it (undefined: S3 reports it as not configured). */
export interface ConfigValue {
  versioning: VersioningConfig;
  encryption: EncryptionConfig;
  publicAccessBlock: PublicAccessBlockConfig;
  ownershipControls: OwnershipControlsConfig;
  /** The bucket policy's JSON text. */
  policy: string;
  cors: CorsConfig;
  lifecycle: LifecycleConfig;
  logging: LoggingConfig;
  website: WebsiteConfig;
  accelerate: AccelerateConfig;
  requestPayment: RequestPaymentConfig;
  notification: NotificationConfig;
  objectLock: ObjectLockConfig;
  replication: ReplicationConfig;
  acl: AclReading;
  abac: AbacConfig;
}

/** Each sub-resource's value as putConfig takes it: what getConfig returns, but for the ACL, read and written in different forms. */
export interface ConfigWrite extends Omit<ConfigValue, 'acl'> {
  acl: AclWrite;
}

export type AnalyticsItem = { id: string; filter?: Doc; storageClassAnalysis?: Doc };
export type MetricsItem = { id: string; filter?: Doc };
export type InventoryItem = {
  id: string;
  isEnabled?: boolean;
  filter?: Doc;
  includedObjectVersions?: string;
  optionalFields?: string[];
  schedule?: Doc;
  destination?: Doc;
};
export type IntelligentTieringItem = { id: string; status?: string; filter?: Doc; tierings?: Doc[] };

/** One configuration of each collection (spec.analytics[i], ...), keyed by its id; read and written alike. */
export interface CollectionItem {
  analytics: AnalyticsItem;
  metrics: MetricsItem;
  inventory: InventoryItem;
  intelligentTiering: IntelligentTieringItem;
}
