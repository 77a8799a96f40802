// How each bucket sub-resource maps onto @aws-sdk/client-s3 commands: which command reads it, where the
// value sits in the output, which error code means "not configured", and how to write and remove it.
// Values cross the port in ACK's spec shape (see shape.ts for the key conversion).
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
} from '@aws-sdk/client-s3';
import type { CollectionName, ConfigName } from './port.js';
import { fromSdk, toSdk } from './shape.js';

// The SDK's command classes share no useful common type for `send`; the table keeps them loosely typed
// and relies on shape.ts (tested against the SDK's members) for the values.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment */
type Out = any;
type Send = (command: any) => Promise<Out>;

export interface ConfigAccess {
  get: (send: Send, bucket: string) => Promise<unknown>;
  put: (send: Send, bucket: string, value: any) => Promise<unknown>;
  remove?: (send: Send, bucket: string) => Promise<unknown>;
  /** Error codes that mean "nothing configured" on a Get. */
  absent: string[];
}

const present = (v: unknown): unknown => (v === undefined || v === null ? undefined : v);

export const CONFIG_ACCESS: Record<ConfigName, ConfigAccess> = {
  versioning: {
    get: async (send, Bucket) => {
      const o = await send(new GetBucketVersioningCommand({ Bucket }));
      return o.Status ? { status: o.Status } : undefined;
    },
    put: (send, Bucket, v) => send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: v.status } })),
    absent: [],
  },
  encryption: {
    get: async (send, Bucket) => present(fromSdk((await send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration, 'encryption')),
    put: (send, Bucket, v) => send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: toSdk(v, 'encryption') as any })),
    remove: (send, Bucket) => send(new DeleteBucketEncryptionCommand({ Bucket })),
    absent: ['ServerSideEncryptionConfigurationNotFoundError'],
  },
  publicAccessBlock: {
    get: async (send, Bucket) => present(fromSdk((await send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration, 'publicAccessBlock')),
    put: (send, Bucket, v) => send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: toSdk(v, 'publicAccessBlock') as any })),
    remove: (send, Bucket) => send(new DeletePublicAccessBlockCommand({ Bucket })),
    absent: ['NoSuchPublicAccessBlockConfiguration'],
  },
  ownershipControls: {
    get: async (send, Bucket) => present(fromSdk((await send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls, 'ownershipControls')),
    put: (send, Bucket, v) => send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: toSdk(v, 'ownershipControls') as any })),
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
    get: async (send, Bucket) => fromSdk({ CORSRules: (await send(new GetBucketCorsCommand({ Bucket }))).CORSRules }, 'cors'),
    put: (send, Bucket, v) => send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: toSdk(v, 'cors') as any })),
    remove: (send, Bucket) => send(new DeleteBucketCorsCommand({ Bucket })),
    absent: ['NoSuchCORSConfiguration'],
  },
  lifecycle: {
    get: async (send, Bucket) => fromSdk({ Rules: (await send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules }, 'lifecycle'),
    put: (send, Bucket, v) => send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: toSdk(v, 'lifecycle') as any })),
    remove: (send, Bucket) => send(new DeleteBucketLifecycleCommand({ Bucket })),
    absent: ['NoSuchLifecycleConfiguration'],
  },
  logging: {
    get: async (send, Bucket) => fromSdk({ LoggingEnabled: (await send(new GetBucketLoggingCommand({ Bucket }))).LoggingEnabled }, 'logging'),
    put: (send, Bucket, v) => send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: toSdk(v, 'logging') as any })),
    absent: [],
  },
  website: {
    get: async (send, Bucket) => {
      const o = await send(new GetBucketWebsiteCommand({ Bucket }));
      return fromSdk({ IndexDocument: o.IndexDocument, ErrorDocument: o.ErrorDocument, RedirectAllRequestsTo: o.RedirectAllRequestsTo, RoutingRules: o.RoutingRules }, 'website');
    },
    put: (send, Bucket, v) => send(new PutBucketWebsiteCommand({ Bucket, WebsiteConfiguration: toSdk(v, 'website') as any })),
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
      return fromSdk({ LambdaFunctionConfigurations: o.LambdaFunctionConfigurations, QueueConfigurations: o.QueueConfigurations, TopicConfigurations: o.TopicConfigurations }, 'notification');
    },
    put: (send, Bucket, v) => send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: toSdk(v, 'notification') as any })),
    absent: [],
  },
  objectLock: {
    get: async (send, Bucket) => {
      const c = (await send(new GetObjectLockConfigurationCommand({ Bucket }))).ObjectLockConfiguration;
      return c ? { objectLockEnabled: c.ObjectLockEnabled, rule: c.Rule ? fromSdk(c.Rule, 'objectLockConfiguration.rule') : undefined } : undefined;
    },
    put: (send, Bucket, v) => {
      const rule = v.rule && Object.keys(v.rule).length > 0 ? toSdk(v.rule, 'objectLockConfiguration.rule') : undefined;
      return send(new PutObjectLockConfigurationCommand({ Bucket, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', ...(rule ? { Rule: rule } : {}) } }));
    },
    absent: ['ObjectLockConfigurationNotFoundError'],
  },
  replication: {
    get: async (send, Bucket) => present(fromSdk((await send(new GetBucketReplicationCommand({ Bucket }))).ReplicationConfiguration, 'replication')),
    put: (send, Bucket, v) => send(new PutBucketReplicationCommand({ Bucket, ReplicationConfiguration: toSdk(v, 'replication') as any })),
    remove: (send, Bucket) => send(new DeleteBucketReplicationCommand({ Bucket })),
    absent: ['ReplicationConfigurationNotFoundError'],
  },
  acl: {
    get: async (send, Bucket) => {
      const o = await send(new GetBucketAclCommand({ Bucket }));
      return { owner: { id: o.Owner?.ID }, grants: fromSdk(o.Grants ?? []) };
    },
    // Either {acl} (a canned ACL) or header grants {grantRead: 'id=...', ...}.
    put: (send, Bucket, v) => send(new PutBucketAclCommand({ Bucket, ...(toSdk(v) as any) })),
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

export interface CollectionAccess {
  list: (send: Send, bucket: string, token: string | undefined) => Promise<{ items: unknown[]; next: string | undefined }>;
  put: (send: Send, bucket: string, id: string, item: unknown) => Promise<unknown>;
  remove: (send: Send, bucket: string, id: string) => Promise<unknown>;
}

function listed(o: Out, key: string): { items: unknown[]; next: string | undefined } {
  return { items: o[key] ?? [], next: o.IsTruncated ? o.NextContinuationToken : undefined };
}

export const COLLECTION_ACCESS: Record<CollectionName, CollectionAccess> = {
  analytics: {
    list: async (send, Bucket, ContinuationToken) => listed(await send(new ListBucketAnalyticsConfigurationsCommand({ Bucket, ContinuationToken })), 'AnalyticsConfigurationList'),
    put: (send, Bucket, Id, item) => send(new PutBucketAnalyticsConfigurationCommand({ Bucket, Id, AnalyticsConfiguration: toSdk(item, 'analytics') as any })),
    remove: (send, Bucket, Id) => send(new DeleteBucketAnalyticsConfigurationCommand({ Bucket, Id })),
  },
  metrics: {
    list: async (send, Bucket, ContinuationToken) => listed(await send(new ListBucketMetricsConfigurationsCommand({ Bucket, ContinuationToken })), 'MetricsConfigurationList'),
    put: (send, Bucket, Id, item) => send(new PutBucketMetricsConfigurationCommand({ Bucket, Id, MetricsConfiguration: toSdk(item, 'metrics') as any })),
    remove: (send, Bucket, Id) => send(new DeleteBucketMetricsConfigurationCommand({ Bucket, Id })),
  },
  inventory: {
    list: async (send, Bucket, ContinuationToken) => listed(await send(new ListBucketInventoryConfigurationsCommand({ Bucket, ContinuationToken })), 'InventoryConfigurationList'),
    put: (send, Bucket, Id, item) => send(new PutBucketInventoryConfigurationCommand({ Bucket, Id, InventoryConfiguration: toSdk(item, 'inventory') as any })),
    remove: (send, Bucket, Id) => send(new DeleteBucketInventoryConfigurationCommand({ Bucket, Id })),
  },
  intelligentTiering: {
    list: async (send, Bucket, ContinuationToken) =>
      listed(await send(new ListBucketIntelligentTieringConfigurationsCommand({ Bucket, ContinuationToken })), 'IntelligentTieringConfigurationList'),
    put: (send, Bucket, Id, item) =>
      send(new PutBucketIntelligentTieringConfigurationCommand({ Bucket, Id, IntelligentTieringConfiguration: toSdk(item, 'intelligentTiering') as any })),
    remove: (send, Bucket, Id) => send(new DeleteBucketIntelligentTieringConfigurationCommand({ Bucket, Id })),
  },
};

export type { S3Client };
