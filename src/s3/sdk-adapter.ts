// The only file that imports @aws-sdk/client-s3 commands. Implements the S3 port per region and
// classifies every failure at this boundary: each public method runs inside `call`, so whatever the SDK
// (or a middleware, or a conversion) throws leaves as an S3Error, and nothing else does.
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketTaggingCommand,
  GetBucketTaggingCommand,
  HeadBucketCommand,
  PutBucketTaggingCommand,
  type BucketLocationConstraint,
  type BucketNamespace,
  type CreateBucketRequest,
  type ObjectOwnership,
  type S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { CreateTaggingMemo, initialCreateTagging, type CreateTagging } from './create-tagging.js';
import { classify, errorCode, httpStatusOf } from './errors.js';
import { COLLECTION_OPERATIONS, CONFIG_OPERATIONS, EMPTYING_OPERATIONS, LIST_BUCKETS_OPERATION } from './operations.js';
import {
  S3Error,
  type CollectionItem,
  type CollectionName,
  type ConfigName,
  type ConfigValue,
  type ConfigWrite,
  type CreateBucketInput,
  type ListMarker,
  type MultipartUpload,
  type MultipartUploadPage,
  type ObjectDeleteError,
  type ObjectVersion,
  type ObjectVersionPage,
  type Presence,
  type RemovableConfigName,
  type RoleSession,
  type S3Port,
  type S3PortFactory,
  type Tag,
} from './port.js';
import { COLLECTION_ACCESS, CONFIG_ACCESS, type Send } from './sdk-config-table.js';
import type { S3Sender } from './sdk-client-pool.js';
import { makeSender, type PortSender } from './sdk-senders.js';
import { bucketsWithPrefix } from './sdk-list-buckets.js';
import { abortMultipartUpload, deleteObjectVersions, listMultipartUploadsPage, listObjectVersionsPage } from './sdk-objects.js';
import { RoleSessions, type StsOptions } from './sdk-sts.js';
import { toSdkAs } from './shape.js';

export interface SdkAdapterOptions {
  endpoint?: string | undefined;
  forcePathStyle: boolean;
  /** Explicit credentials (tests); production uses the SDK's default provider chain. */
  credentials?: S3ClientConfig['credentials'];
  maxAttempts?: number;
  /** Bound of the per-region client cache (default MAX_CLIENTS). */
  maxClients?: number;
  /** What the endpoint does with tags sent at create, when known in advance (tests); learned otherwise. */
  createTagging?: CreateTagging;
  /** Called once per HTTP request sent to S3 (retries included), after the answer, with its outcome. */
  onRequest?: (operation: string, outcome: string) => void;
  /** STS for the ports of an assumed role (IAMRoleSelector); made on the first such port. */
  sts?: StsOptions | undefined;
  /** S3_CLIENT_TUNING: the tuned sender (default) or stock S3Clients (sdk-senders.ts). */
  tuning?: boolean;
}

/** Wraps one call: classify its error with the operation's name (an S3Error passes through as it is). */
async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw classify(operation, err);
  }
}

function regionHeader(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const headers = (err as { $response?: { headers?: Record<string, string> } }).$response?.headers;
  return headers?.['x-amz-bucket-region'];
}

/** The create request in words, for the message when S3 refuses it (the request is the hook's own making). */
function describeCreate(request: CreateBucketRequest, tags: number): string {
  const config = request.CreateBucketConfiguration;
  const parts: string[] = [];
  parts.push(config?.LocationConstraint ? `LocationConstraint "${config.LocationConstraint}" (the bucket's region)` : 'no LocationConstraint (us-east-1)');
  if (tags > 0) parts.push(`${tags} tags in the CreateBucketConfiguration (the spec's and the hook's ownership tags)`);
  if (config?.Location || config?.Bucket) parts.push('spec.createBucketConfiguration.location/bucket');
  if (request.ObjectOwnership) parts.push(`ObjectOwnership "${request.ObjectOwnership}" (spec.objectOwnership)`);
  if (request.ObjectLockEnabledForBucket) parts.push('ObjectLockEnabledForBucket (spec.objectLockEnabledForBucket)');
  if (request.BucketNamespace) parts.push(`BucketNamespace "${request.BucketNamespace}"`);
  return `CreateBucket with ${parts.join(', ')}`;
}

export class SdkS3Port implements S3Port {
  constructor(
    private readonly s3: S3Sender,
    /** Shared by every region's port of one endpoint: what it does with tags sent at create. */
    private readonly tagging: CreateTaggingMemo,
  ) {}

  headBucket(bucket: string, signal?: AbortSignal): Promise<Presence> {
    return call('HeadBucket', async (): Promise<Presence> => {
      try {
        await this.s3.send(new HeadBucketCommand({ Bucket: bucket }), signal);
        return { kind: 'present' };
      } catch (err) {
        const status = httpStatusOf(err);
        if (status === 404) return { kind: 'absent' };
        if (status === 403) return { kind: 'forbidden' };
        // 301 (or a 400 carrying the bucket's region) means: it exists, in another region.
        const region = regionHeader(err);
        if (status === 301 || (status === 400 && region)) return { kind: 'elsewhere', region };
        throw err;
      }
    });
  }

  createBucket(input: CreateBucketInput, signal?: AbortSignal): Promise<void> {
    return call('CreateBucket', async () => {
      const withTags = input.tags.length > 0 && this.tagging.sendTags;
      try {
        await this.sendCreate(input, withTags, signal);
        return;
      } catch (err) {
        // Only a refusal of the body is worth a second try without the tags (RGW in us-east-1 refuses a
        // CreateBucketConfiguration that holds only Tags). Anything else is the create's own answer.
        if (!withTags || !(err instanceof S3Error) || err.kind !== 'invalid' || err.httpStatus !== 400) throw err;
      }
      await this.sendCreate(input, false, signal);
      // Learned only when the bare create worked: a refusal for another reason (say an ObjectOwnership the
      // store lacks) must not stop tags from going with every later create on this endpoint.
      this.tagging.refuse();
    });
  }

  createTagging(): CreateTagging {
    return this.tagging.get();
  }

  learnCreateTagging(honoured: boolean): void {
    this.tagging.learn(honoured);
  }

  private async sendCreate(input: CreateBucketInput, withTags: boolean, signal: AbortSignal | undefined): Promise<void> {
    const config: NonNullable<CreateBucketRequest['CreateBucketConfiguration']> = {};
    const extras = input.extras ?? {};
    if (input.locationConstraint) config.LocationConstraint = input.locationConstraint as BucketLocationConstraint;
    if (withTags) config.Tags = input.tags.map((t) => ({ Key: t.key, Value: t.value }));
    if (extras.location) config.Location = toSdkAs(extras.location, 'createBucketConfiguration.location');
    if (extras.bucketInfo) config.Bucket = toSdkAs(extras.bucketInfo, 'createBucketConfiguration.bucket');
    const request: CreateBucketRequest = { Bucket: input.bucket };
    if (Object.keys(config).length > 0) request.CreateBucketConfiguration = config;
    if (extras.objectOwnership) request.ObjectOwnership = extras.objectOwnership as ObjectOwnership;
    if (extras.objectLockEnabledForBucket) request.ObjectLockEnabledForBucket = true;
    if (extras.namespace) request.BucketNamespace = extras.namespace as BucketNamespace;
    try {
      await this.s3.send(new CreateBucketCommand(request), signal);
    } catch (err) {
      // Created by an earlier attempt of ours (or a second replica): the bucket exists, which is the goal.
      if (errorCode(err) === 'BucketAlreadyOwnedByYou') return;
      const failure = classify('CreateBucket', err);
      throw new S3Error(failure.operation, failure.code, failure.kind, failure.httpStatus, {
        cause: err,
        sent: describeCreate(request, withTags ? input.tags.length : 0),
      });
    }
  }

  deleteBucket(bucket: string, signal?: AbortSignal): Promise<void> {
    return call('DeleteBucket', async () => {
      await this.s3.send(new DeleteBucketCommand({ Bucket: bucket }), signal);
    });
  }

  bucketCreationDate(bucket: string, signal?: AbortSignal): Promise<Date | undefined> {
    return call(LIST_BUCKETS_OPERATION, async () => (await bucketsWithPrefix(this.sender(signal), bucket)).find((b) => b.name === bucket)?.created);
  }

  getBucketTags(bucket: string, signal?: AbortSignal): Promise<Record<string, string>> {
    return call('GetBucketTagging', async () => {
      try {
        const out = await this.s3.send(new GetBucketTaggingCommand({ Bucket: bucket }), signal);
        return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
      } catch (err) {
        if (errorCode(err) === 'NoSuchTagSet') return {};
        throw err;
      }
    });
  }

  putBucketTags(bucket: string, tags: Tag[], signal?: AbortSignal): Promise<void> {
    return call('PutBucketTagging', async () => {
      await this.s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: tags.map((t) => ({ Key: t.key, Value: t.value })) } }), signal);
    });
  }

  deleteBucketTags(bucket: string, signal?: AbortSignal): Promise<void> {
    return call('DeleteBucketTagging', async () => {
      await this.s3.send(new DeleteBucketTaggingCommand({ Bucket: bucket }), signal);
    });
  }

  getConfig<K extends ConfigName>(name: K, bucket: string, signal?: AbortSignal): Promise<ConfigValue[K] | undefined> {
    return call(CONFIG_OPERATIONS[name].read, async () => {
      const access = CONFIG_ACCESS[name];
      try {
        return await access.get(this.sender(signal), bucket);
      } catch (err) {
        if (access.absent.includes(errorCode(err))) return undefined;
        throw err;
      }
    });
  }

  putConfig<K extends ConfigName>(name: K, bucket: string, value: ConfigWrite[K], signal?: AbortSignal): Promise<void> {
    return call(CONFIG_OPERATIONS[name].write, async () => {
      await CONFIG_ACCESS[name].put(this.sender(signal), bucket, value);
    });
  }

  deleteConfig(name: RemovableConfigName, bucket: string, signal?: AbortSignal): Promise<void> {
    return call(CONFIG_OPERATIONS[name].remove, async () => {
      await CONFIG_ACCESS[name].remove(this.sender(signal), bucket);
    });
  }

  listCollection<K extends CollectionName>(name: K, bucket: string, signal?: AbortSignal): Promise<Array<CollectionItem[K]>> {
    return call(COLLECTION_OPERATIONS[name].read, async () => {
      const items: Array<CollectionItem[K]> = [];
      let token: string | undefined;
      // Bounded: S3 pages 100 configurations at a time and allows 1,000 per bucket.
      for (let page = 0; page < 20; page++) {
        const { items: batch, next } = await COLLECTION_ACCESS[name].list(this.sender(signal), bucket, token);
        items.push(...batch);
        if (!next) break;
        token = next;
      }
      return items;
    });
  }

  putCollectionItem<K extends CollectionName>(name: K, bucket: string, item: CollectionItem[K], signal?: AbortSignal): Promise<void> {
    return call(COLLECTION_OPERATIONS[name].write, async () => {
      await COLLECTION_ACCESS[name].put(this.sender(signal), bucket, String(item.id), item);
    });
  }

  deleteCollectionItem(name: CollectionName, bucket: string, id: string, signal?: AbortSignal): Promise<void> {
    return call(COLLECTION_OPERATIONS[name].remove, async () => {
      await COLLECTION_ACCESS[name].remove(this.sender(signal), bucket, id);
    });
  }

  listObjectVersions(bucket: string, from: ListMarker | undefined, signal?: AbortSignal): Promise<ObjectVersionPage> {
    return call(EMPTYING_OPERATIONS.listVersions, () => listObjectVersionsPage(this.sender(signal), bucket, from));
  }

  deleteObjectVersions(bucket: string, versions: ObjectVersion[], signal?: AbortSignal): Promise<ObjectDeleteError[]> {
    return call(EMPTYING_OPERATIONS.deleteVersions, () => deleteObjectVersions(this.sender(signal), bucket, versions));
  }

  listMultipartUploads(bucket: string, from: ListMarker | undefined, signal?: AbortSignal): Promise<MultipartUploadPage> {
    return call(EMPTYING_OPERATIONS.listUploads, () => listMultipartUploadsPage(this.sender(signal), bucket, from));
  }

  abortMultipartUpload(bucket: string, upload: MultipartUpload, signal?: AbortSignal): Promise<void> {
    return call(EMPTYING_OPERATIONS.abortUpload, () => abortMultipartUpload(this.sender(signal), bucket, upload));
  }

  /** `send` bound to this port's clients and the request's abort signal, for the command table. */
  private sender(signal: AbortSignal | undefined): Send {
    return (command) => this.s3.send(command, signal);
  }
}

/**
 * Counts every HTTP request (retries included) with its outcome: the wire-level truth for metrics and
 * tests. A failure is labelled with the code its S3Error carries (classify), so /metrics and the
 * conditions name it alike (a HEAD answered 403: "Forbidden", not the SDK's "Unknown").
 */
function addRequestCounter(client: S3Client, onRequest: NonNullable<SdkAdapterOptions['onRequest']>): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      try {
        const result = await next(args);
        const status = (result.response as { statusCode?: number } | undefined)?.statusCode;
        onRequest(operation, String(status ?? 'ok'));
        return result;
      } catch (err) {
        onRequest(operation, classify(operation, err).code);
        throw err;
      }
    },
    { step: 'deserialize', name: 'bucketHookRequestCounter', priority: 'high' },
  );
}

/** Default bound of the client cache: far more regions than one hook serves, far fewer than a flood. */
export const MAX_CLIENTS = 32;

interface CachedClient {
  /** The region's (or the role session's) S3 clients (sdk-senders.ts). */
  pool: PortSender;
  port: S3Port;
}

/**
 * A port that names the role its calls are made as in every S3Error it rejects with (the core's messages
 * then say what to grant to whom). Every method of S3Port that returns a promise is wrapped.
 */
function attributed(port: SdkS3Port, roleArn: string): S3Port {
  return new Proxy(port, {
    get(target, key, receiver): unknown {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(out instanceof Promise)) return out;
        return out.catch((err: unknown) => {
          if (err instanceof S3Error) err.identity ??= roleArn;
          throw err;
        });
      };
    },
  });
}

/**
 * One pool of clients per region (sdk-client-pool.ts: one request per client at a time, one keep-alive
 * socket pool for all of them), in a bounded LRU cache: the region names a Bucket may use are validated in
 * the core, and the bound holds whatever gets through. An evicted pool closes its sockets once its
 * requests in flight are answered. A port of an assumed role has a pool of its own per region (clients
 * sign with one set of credentials), in the same cache; its credentials come from the STS sessions
 * (sdk-sts.ts), cached per session and region-free.
 */
export function createSdkPortFactory(options: SdkAdapterOptions): S3PortFactory & { destroy(): void; readonly size: number } {
  const maxClients = options.maxClients ?? MAX_CLIENTS;
  const cache = new Map<string, CachedClient>();
  let sessions: RoleSessions | undefined;
  const sessionsFor = (): RoleSessions => (sessions ??= new RoleSessions(options.sts ?? { region: 'us-east-1' }));
  // One endpoint (a custom one, or AWS's per-region ones, which all behave alike): one memo for every region.
  const tagging = new CreateTaggingMemo(options.createTagging ?? initialCreateTagging(options.endpoint));
  // An evicted pool closes its sockets once its requests in flight are answered.
  const evict = (region: string, entry: CachedClient): void => {
    cache.delete(region);
    entry.pool.close();
  };
  const factory = (region: string, session?: RoleSession): S3Port => {
    // The hook's own clients keep the region as their key; a role's add the session.
    const key = session ? JSON.stringify([region, session.roleArn, session.sessionName, session.tags]) : region;
    const hit = cache.get(key);
    if (hit) {
      // Map order is the LRU order: move the hit to the end.
      cache.delete(key);
      cache.set(key, hit);
      return hit.port;
    }
    const credentials = session ? sessionsFor().provider(session) : options.credentials;
    const onRequest = options.onRequest;
    const pool = makeSender(
      {
        config: {
          region,
          forcePathStyle: options.forcePathStyle,
          ...(options.endpoint ? { endpoint: options.endpoint } : {}),
          ...(credentials ? { credentials } : {}),
          ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
        },
        setup: (client) => {
          if (onRequest) addRequestCounter(client, onRequest);
        },
      },
      options.tuning ?? true,
    );
    const port = new SdkS3Port(pool, tagging);
    const entry: CachedClient = { pool, port: session ? attributed(port, session.roleArn) : port };
    cache.set(key, entry);
    for (const [oldest, old] of cache) {
      if (cache.size <= maxClients) break;
      evict(oldest, old);
    }
    return entry.port;
  };
  // A getter, not Object.assign (which would copy the size once).
  return Object.defineProperties(factory, {
    destroy: {
      value: (): void => {
        for (const [key, entry] of [...cache]) evict(key, entry);
        sessions?.destroy();
      },
    },
    size: { get: (): number => cache.size },
  }) as S3PortFactory & { destroy(): void; readonly size: number };
}
