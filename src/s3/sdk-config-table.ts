// How each bucket sub-resource maps onto @aws-sdk/client-s3 commands: which command reads it, where the
// value sits in the output, which error code means "not configured", and how to write and remove it.
// Values cross the port in ACK's spec shape, typed per sub-resource (values.ts); each entry sends the
// SDK's own command with its own input and output types, shape.ts converting between the two shapes.
import {
  DeleteBucketAnalyticsConfigurationCommand,
  DeleteBucketCorsCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketIntelligentTieringConfigurationCommand,
  DeleteBucketInventoryConfigurationCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketMetricsConfigurationCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  DeleteBucketReplicationCommand,
  DeleteBucketWebsiteCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAbacCommand,
  GetBucketAccelerateConfigurationCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketReplicationCommand,
  GetBucketRequestPaymentCommand,
  GetBucketVersioningCommand,
  GetBucketWebsiteCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  ListBucketAnalyticsConfigurationsCommand,
  ListBucketIntelligentTieringConfigurationsCommand,
  ListBucketInventoryConfigurationsCommand,
  ListBucketMetricsConfigurationsCommand,
  PutBucketAbacCommand,
  PutBucketAccelerateConfigurationCommand,
  PutBucketAclCommand,
  PutBucketAnalyticsConfigurationCommand,
  PutBucketCorsCommand,
  PutBucketEncryptionCommand,
  PutBucketIntelligentTieringConfigurationCommand,
  PutBucketInventoryConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketMetricsConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketReplicationCommand,
  PutBucketRequestPaymentCommand,
  PutBucketVersioningCommand,
  PutBucketWebsiteCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-s3';
import type { CollectionItem, CollectionName, ConfigName, ConfigValue, ConfigWrite, RemovableConfigName } from './port.js';
import type { SdkCommand } from './sdk-client-pool.js';
import { fromSdkAs, toSdkAs } from './shape.js';

/** The port's send bound to one request's abort signal: each entry's output is the command's own type. */
export type Send = <I extends ServiceInputTypes, O extends ServiceOutputTypes>(command: SdkCommand<I, O>) => Promise<O>;

/** How one sub-resource is read, written and (where S3 can) deleted. */
export type ConfigAccess<K extends ConfigName> = {
  get: (send: Send, bucket: string) => Promise<ConfigValue[K] | undefined>;
  put: (send: Send, bucket: string, value: ConfigWrite[K]) => Promise<unknown>;
  /** Error codes that mean "nothing configured" on a Get. */
  absent: string[];
} & (K extends RemovableConfigName ? { remove: (send: Send, bucket: string) => Promise<unknown> } : { remove?: never });

/** undefined for null too (the SDK's members are optional; some stores send empty elements). */
const present = <T>(v: T | null | undefined): T | undefined => (v === undefined || v === null ? undefined : v);

export const CONFIG_ACCESS: { [K in ConfigName]: ConfigAccess<K> } = {
  versioning: {
    get: async (send, Bucket) => {
      const o = await send(new GetBucketVersioningCommand({ Bucket }));
      return o.Status ? { status: o.Status } : undefined;
    },
    put: (send, Bucket, v) => send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: v.status } })),
    absent: [],
  },
  encryption: {
    get: async (send, Bucket) => {
      const c = present((await send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration);
      return c ? fromSdkAs(c, 'encryption') : undefined;
    },
    put: (send, Bucket, v) => send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: toSdkAs(v, 'encryption') })),
    remove: (send, Bucket) => send(new DeleteBucketEncryptionCommand({ Bucket })),
    absent: ['ServerSideEncryptionConfigurationNotFoundError'],
  },
  publicAccessBlock: {
    get: async (send, Bucket) => {
      const c = present((await send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration);
      return c ? fromSdkAs(c, 'publicAccessBlock') : undefined;
    },
    put: (send, Bucket, v) => send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: toSdkAs(v, 'publicAccessBlock') })),
    remove: (send, Bucket) => send(new DeletePublicAccessBlockCommand({ Bucket })),
    absent: ['NoSuchPublicAccessBlockConfiguration'],
  },
  ownershipControls: {
    get: async (send, Bucket) => {
      const c = present((await send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls);
      return c ? fromSdkAs(c, 'ownershipControls') : undefined;
    },
    put: (send, Bucket, v) => send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: toSdkAs(v, 'ownershipControls') })),
    remove: (send, Bucket) => send(new DeleteBucketOwnershipControlsCommand({ Bucket })),
    absent: ['OwnershipControlsNotFoundError'],
  },
  policy: {
    get: async (send, Bucket) => present((await send(new GetBucketPolicyCommand({ Bucket }))).Policy),
    put: (send, Bucket, v) => send(new PutBucketPolicyCommand({ Bucket, Policy: v })),
    remove: (send, Bucket) => send(new DeleteBucketPolicyCommand({ Bucket })),
    absent: ['NoSuchBucketPolicy'],
  },
  cors: {
    get: async (send, Bucket) => fromSdkAs({ CORSRules: (await send(new GetBucketCorsCommand({ Bucket }))).CORSRules }, 'cors'),
    put: (send, Bucket, v) => send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: toSdkAs(v, 'cors') })),
    remove: (send, Bucket) => send(new DeleteBucketCorsCommand({ Bucket })),
    absent: ['NoSuchCORSConfiguration'],
  },
  lifecycle: {
    get: async (send, Bucket) => fromSdkAs({ Rules: (await send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules }, 'lifecycle'),
    put: (send, Bucket, v) => send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: toSdkAs(v, 'lifecycle') })),
    remove: (send, Bucket) => send(new DeleteBucketLifecycleCommand({ Bucket })),
    absent: ['NoSuchLifecycleConfiguration'],
  },
  logging: {
    get: async (send, Bucket) => fromSdkAs({ LoggingEnabled: (await send(new GetBucketLoggingCommand({ Bucket }))).LoggingEnabled }, 'logging'),
    put: (send, Bucket, v) => send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: toSdkAs(v, 'logging') })),
    absent: [],
  },
  website: {
    get: async (send, Bucket) => {
      const o = await send(new GetBucketWebsiteCommand({ Bucket }));
      return fromSdkAs(
        { IndexDocument: o.IndexDocument, ErrorDocument: o.ErrorDocument, RedirectAllRequestsTo: o.RedirectAllRequestsTo, RoutingRules: o.RoutingRules },
        'website',
      );
    },
    put: (send, Bucket, v) => send(new PutBucketWebsiteCommand({ Bucket, WebsiteConfiguration: toSdkAs(v, 'website') })),
    remove: (send, Bucket) => send(new DeleteBucketWebsiteCommand({ Bucket })),
    absent: ['NoSuchWebsiteConfiguration'],
  },
  accelerate: {
    get: async (send, Bucket) => {
      const o = await send(new GetBucketAccelerateConfigurationCommand({ Bucket }));
      return o.Status ? { status: o.Status } : undefined;
    },
    put: (send, Bucket, v) => send(new PutBucketAccelerateConfigurationCommand({ Bucket, AccelerateConfiguration: { Status: v.status } })),
    absent: [],
  },
  requestPayment: {
    get: async (send, Bucket) => {
      const o = await send(new GetBucketRequestPaymentCommand({ Bucket }));
      return o.Payer ? { payer: o.Payer } : undefined;
    },
    put: (send, Bucket, v) => send(new PutBucketRequestPaymentCommand({ Bucket, RequestPaymentConfiguration: { Payer: v.payer } })),
    absent: [],
  },
  notification: {
    get: async (send, Bucket) => {
      const o = await send(new GetBucketNotificationConfigurationCommand({ Bucket }));
      return fromSdkAs(
        {
          LambdaFunctionConfigurations: o.LambdaFunctionConfigurations,
          QueueConfigurations: o.QueueConfigurations,
          TopicConfigurations: o.TopicConfigurations,
        },
        'notification',
      );
    },
    put: (send, Bucket, v) => send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: toSdkAs(v, 'notification') })),
    absent: [],
  },
  objectLock: {
    get: async (send, Bucket) => {
      const c = (await send(new GetObjectLockConfigurationCommand({ Bucket }))).ObjectLockConfiguration;
      return c ? { objectLockEnabled: c.ObjectLockEnabled, rule: c.Rule ? fromSdkAs(c.Rule, 'objectLockConfiguration.rule') : undefined } : undefined;
    },
    put: (send, Bucket, v) => {
      const rule = v.rule && Object.keys(v.rule).length > 0 ? toSdkAs(v.rule, 'objectLockConfiguration.rule') : undefined;
      return send(
        new PutObjectLockConfigurationCommand({ Bucket, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', ...(rule ? { Rule: rule } : {}) } }),
      );
    },
    absent: ['ObjectLockConfigurationNotFoundError'],
  },
  replication: {
    get: async (send, Bucket) => {
      const c = present((await send(new GetBucketReplicationCommand({ Bucket }))).ReplicationConfiguration);
      return c ? fromSdkAs(c, 'replication') : undefined;
    },
    put: (send, Bucket, v) => send(new PutBucketReplicationCommand({ Bucket, ReplicationConfiguration: toSdkAs(v, 'replication') })),
    remove: (send, Bucket) => send(new DeleteBucketReplicationCommand({ Bucket })),
    absent: ['ReplicationConfigurationNotFoundError'],
  },
  acl: {
    get: async (send, Bucket) => {
      const o = await send(new GetBucketAclCommand({ Bucket }));
      return { owner: { id: o.Owner?.ID }, grants: fromSdkAs(o.Grants ?? [], 'acl.grants') };
    },
    // Either {acl} (a canned ACL) or header grants {grantRead: 'id=...', ...}.
    put: (send, Bucket, v) => send(new PutBucketAclCommand({ Bucket, ...toSdkAs(v, 'acl') })),
    absent: [],
  },
  abac: {
    get: async (send, Bucket) => {
      const o = await send(new GetBucketAbacCommand({ Bucket }));
      return o.AbacStatus?.Status ? { status: o.AbacStatus.Status } : undefined;
    },
    put: (send, Bucket, v) => send(new PutBucketAbacCommand({ Bucket, AbacStatus: { Status: v.status } })),
    absent: ['NoSuchAbacConfiguration'],
  },
};

/** How one collection is listed (a page at a time), written and deleted, item by item. */
export interface CollectionAccess<K extends CollectionName> {
  list: (send: Send, bucket: string, token: string | undefined) => Promise<{ items: Array<CollectionItem[K]>; next: string | undefined }>;
  put: (send: Send, bucket: string, id: string, item: CollectionItem[K]) => Promise<unknown>;
  remove: (send: Send, bucket: string, id: string) => Promise<unknown>;
}

/** The next page's token, when S3 says the list goes on. */
const nextPage = (o: { IsTruncated?: boolean | undefined; NextContinuationToken?: string | undefined }): string | undefined =>
  o.IsTruncated ? o.NextContinuationToken : undefined;

export const COLLECTION_ACCESS: { [K in CollectionName]: CollectionAccess<K> } = {
  analytics: {
    list: async (send, Bucket, ContinuationToken) => {
      const o = await send(new ListBucketAnalyticsConfigurationsCommand({ Bucket, ContinuationToken }));
      return { items: fromSdkAs(o.AnalyticsConfigurationList ?? [], 'analytics'), next: nextPage(o) };
    },
    put: (send, Bucket, Id, item) => send(new PutBucketAnalyticsConfigurationCommand({ Bucket, Id, AnalyticsConfiguration: toSdkAs(item, 'analytics') })),
    remove: (send, Bucket, Id) => send(new DeleteBucketAnalyticsConfigurationCommand({ Bucket, Id })),
  },
  metrics: {
    list: async (send, Bucket, ContinuationToken) => {
      const o = await send(new ListBucketMetricsConfigurationsCommand({ Bucket, ContinuationToken }));
      return { items: fromSdkAs(o.MetricsConfigurationList ?? [], 'metrics'), next: nextPage(o) };
    },
    put: (send, Bucket, Id, item) => send(new PutBucketMetricsConfigurationCommand({ Bucket, Id, MetricsConfiguration: toSdkAs(item, 'metrics') })),
    remove: (send, Bucket, Id) => send(new DeleteBucketMetricsConfigurationCommand({ Bucket, Id })),
  },
  inventory: {
    list: async (send, Bucket, ContinuationToken) => {
      const o = await send(new ListBucketInventoryConfigurationsCommand({ Bucket, ContinuationToken }));
      return { items: fromSdkAs(o.InventoryConfigurationList ?? [], 'inventory'), next: nextPage(o) };
    },
    put: (send, Bucket, Id, item) => send(new PutBucketInventoryConfigurationCommand({ Bucket, Id, InventoryConfiguration: toSdkAs(item, 'inventory') })),
    remove: (send, Bucket, Id) => send(new DeleteBucketInventoryConfigurationCommand({ Bucket, Id })),
  },
  intelligentTiering: {
    list: async (send, Bucket, ContinuationToken) => {
      const o = await send(new ListBucketIntelligentTieringConfigurationsCommand({ Bucket, ContinuationToken }));
      return { items: fromSdkAs(o.IntelligentTieringConfigurationList ?? [], 'intelligentTiering'), next: nextPage(o) };
    },
    put: (send, Bucket, Id, item) =>
      send(new PutBucketIntelligentTieringConfigurationCommand({ Bucket, Id, IntelligentTieringConfiguration: toSdkAs(item, 'intelligentTiering') })),
    remove: (send, Bucket, Id) => send(new DeleteBucketIntelligentTieringConfigurationCommand({ Bucket, Id })),
  },
};

export type { S3Client };
