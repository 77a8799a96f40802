// An in-memory S3 behind the S3 port, for unit tests of the core: several accounts, regions, objects,
// failure injection per operation, and a log of every call.
import { COLLECTION_OPERATIONS, CONFIG_OPERATIONS } from '../../src/s3/operations.js';
import {
  S3Error,
  type CollectionItem,
  type CollectionName,
  type ConfigName,
  type ConfigValue,
  type CreateBucketInput,
  type ListMarker,
  type MultipartUpload,
  type ObjectVersion,
  type Presence,
  type S3ErrorKind,
  type S3Port,
  type S3PortFactory,
  type Tag,
} from '../../src/s3/port.js';
import { CreateTaggingMemo, type CreateTagging } from '../../src/s3/create-tagging.js';

/** What the fake store does with tags sent in CreateBucket: AWS applies them, Ceph RGW drops or refuses them. */
export type FakeCreateTags = 'honoured' | 'ignored' | 'refused';

export interface FakeBucket {
  owner: string;
  region: string;
  tags: Record<string, string>;
  /**
   * Sub-resources in ACK's shape, as the real adapter returns them; absent = not configured. Loosely
   * typed: tests seed what S3 would report, and a Put stores what was sent (for the ACL, its write form).
   */
  configs: Partial<Record<ConfigName, unknown>>;
  collections: Partial<Record<CollectionName, Array<Record<string, unknown>>>>;
  objects: number;
  /**
   * Object versions and delete markers, for emptying (listed in key, version order). Unset: `objects`
   * plain objects (version "null"), made into versions the first time they are listed.
   */
  versions?: FakeVersion[];
  /** Unfinished multipart uploads. */
  uploads?: MultipartUpload[];
  /** What CreateBucket received beyond name and region. */
  created?: CreateBucketInput;
  /** What ListBuckets says of its creation: seeded buckets were made long ago (SEEDED_AT), created ones at the fake's clock. */
  createdAt?: Date;
}

/** When seed()ed buckets were created: before any claim a test makes. */
export const SEEDED_AT = new Date('2020-01-01T00:00:00Z');

/** An object version; `refuse`: the per-object error code DeleteObjects answers for it (AccessDenied: Object Lock retention or a legal hold). */
export interface FakeVersion extends ObjectVersion {
  refuse?: string;
}

const after = (a: { key: string; id: string | undefined }, from: ListMarker | undefined): boolean =>
  !from || a.key > from.key || (a.key === from.key && (a.id ?? '') > (from.id ?? ''));

export interface Injected {
  code: string;
  kind: S3ErrorKind;
  status?: number;
  /** How many times to fail (default: always). */
  times?: number;
}

export class FakeS3 {
  readonly buckets = new Map<string, FakeBucket>();
  readonly calls: string[] = [];
  private readonly failures = new Map<string, Injected>();
  /** The adapter's memo, as one endpoint has it: starts as the adapter would for this kind of store. */
  readonly tagging: CreateTaggingMemo;
  /** Where seed() puts a bucket unless told otherwise. */
  seedRegion = 'eu-west-1';
  /** Entries per page of ListObjectVersions and ListMultipartUploads (S3: 1,000). */
  pageSize = 1000;
  /** The store's clock, which stamps what CreateBucket creates; testDeps' default clock unless a test shares its own. */
  clock: { now: Date } = { now: new Date('2026-11-24T10:00:00Z') };

  constructor(
    readonly account = 'me',
    readonly createTags: FakeCreateTags = 'honoured',
    knownTagging?: CreateTagging,
  ) {
    this.tagging = new CreateTaggingMemo(knownTagging ?? (createTags === 'honoured' ? 'honoured' : 'unknown'));
  }

  /** Make `operation` fail (e.g. "PutBucketTagging"). */
  fail(operation: string, failure: Injected): this {
    this.failures.set(operation, failure);
    return this;
  }

  /** `versioning` is a shortcut for configs.versioning = {status}. */
  seed(name: string, { versioning, ...bucket }: Partial<FakeBucket> & { versioning?: string } = {}): FakeBucket {
    const b: FakeBucket = { owner: this.account, region: this.seedRegion, tags: {}, configs: {}, collections: {}, objects: 0, createdAt: SEEDED_AT, ...bucket };
    if (versioning) b.configs.versioning = { status: versioning };
    this.buckets.set(name, b);
    return b;
  }

  versioningOf(name: string): string | undefined {
    return (this.buckets.get(name)?.configs.versioning as { status?: string } | undefined)?.status;
  }

  setVersioning(name: string, status: string): void {
    this.buckets.get(name)!.configs.versioning = { status };
  }

  writes(): string[] {
    return this.calls.filter((c) => !/^(Head|Get|List)/.test(c));
  }

  factory(): S3PortFactory {
    return (region) => this.port(region);
  }

  port(region: string): S3Port {
    const call = (operation: string): void => {
      this.calls.push(operation);
      const f = this.failures.get(operation);
      if (f) {
        if (f.times !== undefined && --f.times <= 0) this.failures.delete(operation);
        throw new S3Error(operation, f.code, f.kind, f.status);
      }
    };
    const mine = (operation: string, name: string): FakeBucket => {
      const b = this.buckets.get(name);
      if (!b) throw new S3Error(operation, 'NoSuchBucket', 'not-found', 404);
      if (b.owner !== this.account) throw new S3Error(operation, 'AccessDenied', 'access-denied', 403);
      return b;
    };
    const versionsOf = (b: FakeBucket): FakeVersion[] => {
      b.versions ??= Array.from({ length: b.objects }, (_, i) => ({ key: `object-${String(i).padStart(6, '0')}`, versionId: 'null' }));
      b.objects = 0;
      b.versions.sort((x, y) => (x.key === y.key ? ((x.versionId ?? '') < (y.versionId ?? '') ? -1 : 1) : x.key < y.key ? -1 : 1));
      return b.versions;
    };
    return {
      headBucket: async (name): Promise<Presence> => {
        call('HeadBucket');
        const b = this.buckets.get(name);
        if (!b) return { kind: 'absent' };
        if (b.owner !== this.account) return { kind: 'forbidden' };
        if (b.region !== region) return { kind: 'elsewhere', region: b.region };
        return { kind: 'present' };
      },
      createTagging: () => this.tagging.get(),
      learnCreateTagging: (honoured: boolean) => this.tagging.learn(honoured),
      createBucket: async (input: CreateBucketInput) => {
        const withTags = input.tags.length > 0 && this.tagging.sendTags;
        call('CreateBucket');
        if (withTags && this.createTags === 'refused') {
          // As RGW in us-east-1, and as the adapter then does: the bare create follows, once per endpoint.
          call('CreateBucket');
          this.tagging.refuse();
        }
        const b = this.buckets.get(input.bucket);
        if (b && b.owner !== this.account) throw new S3Error('CreateBucket', 'BucketAlreadyExists', 'name-taken', 409);
        if (b) return; // RGW and us-east-1 answer 200 for a bucket you own
        const tags = withTags && this.createTags === 'honoured' ? Object.fromEntries(input.tags.map((t) => [t.key, t.value])) : {};
        this.buckets.set(input.bucket, {
          owner: this.account,
          region: input.locationConstraint ?? 'us-east-1',
          tags,
          configs: {},
          collections: {},
          objects: 0,
          created: input,
          createdAt: this.clock.now,
        });
      },
      deleteBucket: async (name) => {
        call('DeleteBucket');
        const b = mine('DeleteBucket', name);
        if (b.objects > 0 || (b.versions?.length ?? 0) > 0 || (b.uploads?.length ?? 0) > 0)
          throw new S3Error('DeleteBucket', 'BucketNotEmpty', 'not-empty', 409);
        this.buckets.delete(name);
      },
      bucketCreationDate: async (name) => {
        call('ListBuckets');
        const b = this.buckets.get(name);
        return b && b.owner === this.account ? b.createdAt : undefined;
      },
      getBucketTags: async (name) => {
        call('GetBucketTagging');
        return { ...mine('GetBucketTagging', name).tags };
      },
      putBucketTags: async (name, tags: Tag[]) => {
        call('PutBucketTagging');
        mine('PutBucketTagging', name).tags = Object.fromEntries(tags.map((t) => [t.key, t.value]));
      },
      deleteBucketTags: async (name) => {
        call('DeleteBucketTagging');
        mine('DeleteBucketTagging', name).tags = {};
      },
      getConfig: async <K extends ConfigName>(config: K, name: string) => {
        const op = CONFIG_OPERATIONS[config].read;
        call(op);
        // What was seeded or put, taken to be what S3 reports (see `configs`).
        return structuredClone(mine(op, name).configs[config]) as ConfigValue[K] | undefined;
      },
      putConfig: async (config, name, value) => {
        const op = CONFIG_OPERATIONS[config].write;
        call(op);
        mine(op, name).configs[config] = structuredClone(value);
      },
      deleteConfig: async (config, name) => {
        const op = CONFIG_OPERATIONS[config].remove;
        call(op);
        delete mine(op, name).configs[config];
      },
      listCollection: async <K extends CollectionName>(collection: K, name: string) => {
        const op = COLLECTION_OPERATIONS[collection].read;
        call(op);
        // Seeded or put items, each with its id (see `collections`).
        return structuredClone(mine(op, name).collections[collection] ?? []) as Array<CollectionItem[K]>;
      },
      putCollectionItem: async (collection, name, item) => {
        const op = COLLECTION_OPERATIONS[collection].write;
        call(op);
        const b = mine(op, name);
        b.collections[collection] = [...(b.collections[collection] ?? []).filter((i) => i.id !== item.id), structuredClone(item)];
      },
      deleteCollectionItem: async (collection, name, id) => {
        const op = COLLECTION_OPERATIONS[collection].remove;
        call(op);
        const b = mine(op, name);
        b.collections[collection] = (b.collections[collection] ?? []).filter((i) => i.id !== id);
      },
      listObjectVersions: async (name, from) => {
        call('ListObjectVersions');
        const rest = versionsOf(mine('ListObjectVersions', name)).filter((v) => after({ key: v.key, id: v.versionId }, from));
        const page = rest.slice(0, this.pageSize).map((v) => ({ key: v.key, versionId: v.versionId }));
        const last = page.at(-1);
        return { versions: page, next: rest.length > this.pageSize && last ? { key: last.key, id: last.versionId } : undefined };
      },
      deleteObjectVersions: async (name, versions: ObjectVersion[]) => {
        call('DeleteObjects');
        const b = mine('DeleteObjects', name);
        const all = versionsOf(b);
        const errors = [];
        for (const v of versions) {
          const found = all.find((x) => x.key === v.key && x.versionId === v.versionId);
          if (found?.refuse) errors.push({ key: v.key, versionId: v.versionId, code: found.refuse });
          else if (found) all.splice(all.indexOf(found), 1);
        }
        return errors;
      },
      listMultipartUploads: async (name, from) => {
        call('ListMultipartUploads');
        const rest = (mine('ListMultipartUploads', name).uploads ?? []).filter((u) => after({ key: u.key, id: u.uploadId }, from));
        const page = rest.slice(0, this.pageSize);
        const last = page.at(-1);
        return { uploads: page.map((u) => ({ ...u })), next: rest.length > this.pageSize && last ? { key: last.key, id: last.uploadId } : undefined };
      },
      abortMultipartUpload: async (name, upload: MultipartUpload) => {
        call('AbortMultipartUpload');
        const b = mine('AbortMultipartUpload', name);
        b.uploads = (b.uploads ?? []).filter((u) => !(u.key === upload.key && u.uploadId === upload.uploadId));
      },
    };
  }
}
