// The only file that imports @aws-sdk/client-s3 commands. Implements the S3 port per region and
// classifies every failure at this boundary.
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  S3Client,
  type BucketLocationConstraint,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { Presence, VersioningStatus } from '../reconciler/types.js';
import { classify, errorCode, httpStatusOf } from './errors.js';
import type { CreateBucketInput, S3Port, S3PortFactory, Tag } from './port.js';

export interface SdkAdapterOptions {
  endpoint?: string | undefined;
  forcePathStyle: boolean;
  /** Explicit credentials (tests); production uses the SDK's default provider chain. */
  credentials?: S3ClientConfig['credentials'];
  maxAttempts?: number;
  /** Called once per HTTP request sent to S3 (retries included), after the answer, with its outcome. */
  onRequest?: (operation: string, outcome: string) => void;
}

/** Wraps one call: classify its error with the operation's name. */
async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw classify(operation, err);
  }
}

function regionHeader(err: unknown): string | undefined {
  const headers = (err as { $response?: { headers?: Record<string, string> } }).$response?.headers;
  return headers?.['x-amz-bucket-region'];
}

export class SdkS3Port implements S3Port {
  constructor(private readonly client: S3Client) {}

  async headBucket(bucket: string, signal?: AbortSignal): Promise<Presence> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
      return { kind: 'present' };
    } catch (err) {
      const status = httpStatusOf(err);
      if (status === 404) return { kind: 'absent' };
      if (status === 403) return { kind: 'forbidden' };
      // 301 (or a 400 carrying the bucket's region) means: it exists, in another region.
      const region = regionHeader(err);
      if (status === 301 || (status === 400 && region)) return { kind: 'elsewhere', region };
      throw classify('HeadBucket', err);
    }
  }

  async createBucket(input: CreateBucketInput, signal?: AbortSignal): Promise<void> {
    const config: NonNullable<ConstructorParameters<typeof CreateBucketCommand>[0]['CreateBucketConfiguration']> = {};
    if (input.locationConstraint) config.LocationConstraint = input.locationConstraint as BucketLocationConstraint;
    if (input.tags.length > 0) config.Tags = input.tags.map((t) => ({ Key: t.key, Value: t.value }));
    try {
      await this.client.send(
        new CreateBucketCommand({
          Bucket: input.bucket,
          ...(Object.keys(config).length > 0 ? { CreateBucketConfiguration: config } : {}),
        }),
        { abortSignal: signal },
      );
    } catch (err) {
      // Created by an earlier attempt of ours (or a second replica): the bucket exists, which is the goal.
      if (errorCode(err) === 'BucketAlreadyOwnedByYou') return;
      throw classify('CreateBucket', err);
    }
  }

  deleteBucket(bucket: string, signal?: AbortSignal): Promise<void> {
    return call('DeleteBucket', async () => {
      await this.client.send(new DeleteBucketCommand({ Bucket: bucket }), { abortSignal: signal });
    });
  }

  async getBucketTags(bucket: string, signal?: AbortSignal): Promise<Record<string, string>> {
    try {
      const out = await this.client.send(new GetBucketTaggingCommand({ Bucket: bucket }), { abortSignal: signal });
      return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    } catch (err) {
      if (errorCode(err) === 'NoSuchTagSet') return {};
      throw classify('GetBucketTagging', err);
    }
  }

  putBucketTags(bucket: string, tags: Tag[], signal?: AbortSignal): Promise<void> {
    return call('PutBucketTagging', async () => {
      await this.client.send(
        new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: tags.map((t) => ({ Key: t.key, Value: t.value })) } }),
        { abortSignal: signal },
      );
    });
  }

  getBucketVersioning(bucket: string, signal?: AbortSignal): Promise<VersioningStatus | 'Unset'> {
    return call('GetBucketVersioning', async () => {
      const out = await this.client.send(new GetBucketVersioningCommand({ Bucket: bucket }), { abortSignal: signal });
      return out.Status === 'Enabled' || out.Status === 'Suspended' ? out.Status : 'Unset';
    });
  }

  putBucketVersioning(bucket: string, status: VersioningStatus, signal?: AbortSignal): Promise<void> {
    return call('PutBucketVersioning', async () => {
      await this.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: status } }), {
        abortSignal: signal,
      });
    });
  }
}

/** Counts every HTTP request (retries included) with its outcome: the wire-level truth for metrics and tests. */
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
        onRequest(operation, errorCode(err));
        throw err;
      }
    },
    { step: 'deserialize', name: 'bucketHookRequestCounter', priority: 'high' },
  );
}

/** One client per region, made on first use and kept (clients hold keep-alive sockets). */
export function createSdkPortFactory(options: SdkAdapterOptions): S3PortFactory & { destroy(): void } {
  const ports = new Map<string, SdkS3Port>();
  const clients: S3Client[] = [];
  const factory = (region: string): S3Port => {
    let port = ports.get(region);
    if (!port) {
      const client = new S3Client({
        region,
        forcePathStyle: options.forcePathStyle,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
        ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
      });
      if (options.onRequest) addRequestCounter(client, options.onRequest);
      clients.push(client);
      port = new SdkS3Port(client);
      ports.set(region, port);
    }
    return port;
  };
  return Object.assign(factory, {
    destroy(): void {
      for (const c of clients) c.destroy();
      clients.length = 0;
      ports.clear();
    },
  });
}
