// toSdk/fromSdk against the installed @aws-sdk/client-s3 itself. Member names come from the SDK's
// runtime shape schemas (the exported `<Shape>$` values the SDK serialises with), cross-checked against
// the interfaces in its .d.ts files; a final check serialises requests with the real SDK and looks for
// every value in the XML it would send.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as sdk from '@aws-sdk/client-s3';
import t, { type Test } from 'tap';
import { loadCorpus } from '../support/ack-corpus.js';
import { specSchema, type JsonSchema } from '../../src/schema/bucket-schema.js';
import { canonicalTime, fromSdk, toSdk } from '../../src/s3/shape.js';

const SDK = sdk as unknown as Record<string, unknown>;
const props = (s: JsonSchema): Record<string, JsonSchema> => (s.properties ?? {}) as Record<string, JsonSchema>;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

// ---- the SDK's shapes ---------------------------------------------------------------------------

/** The shape (of a list entry, for ACK's list-valued fields) each ACK sub-resource converts to. */
const START: Record<string, string> = {
  abac: 'AbacStatus',
  accelerate: 'AccelerateConfiguration',
  analytics: 'AnalyticsConfiguration',
  cors: 'CORSConfiguration',
  createBucketConfiguration: 'CreateBucketConfiguration',
  encryption: 'ServerSideEncryptionConfiguration',
  intelligentTiering: 'IntelligentTieringConfiguration',
  inventory: 'InventoryConfiguration',
  lifecycle: 'BucketLifecycleConfiguration',
  logging: 'BucketLoggingStatus',
  metrics: 'MetricsConfiguration',
  notification: 'NotificationConfiguration',
  objectLockConfiguration: 'ObjectLockConfiguration',
  ownershipControls: 'OwnershipControls',
  publicAccessBlock: 'PublicAccessBlockConfiguration',
  replication: 'ReplicationConfiguration',
  requestPayment: 'RequestPaymentConfiguration',
  tagging: 'Tagging',
  versioning: 'VersioningConfiguration',
  website: 'WebsiteConfiguration',
};
/** Top-level spec fields that are request parameters rather than documents (and what carries them). */
const SCALARS = [
  'acl',
  'grantFullControl',
  'grantRead',
  'grantReadACP',
  'grantWrite',
  'grantWriteACP',
  'name',
  'namespace',
  'objectLockEnabledForBucket',
  'objectOwnership',
  'policy',
];

function shape(name: string): unknown {
  const schema = SDK[`${name}$`];
  if (!Array.isArray(schema)) throw new Error(`@aws-sdk/client-s3 exports no schema ${name}$`);
  return schema;
}

/**
 * Follows a schema reference: thunks, [ref, traits] member pairs and simple (aliased) schemas, down
 * to a number (a primitive, or 64|n for a list of primitives) or a list/structure/union schema.
 */
function resolve(ref: unknown): unknown {
  let s = ref;
  for (;;) {
    if (typeof s === 'function') s = (s as () => unknown)();
    else if (Array.isArray(s) && s.length === 2 && (typeof s[0] === 'function' || typeof s[0] === 'number')) s = s[0];
    else if (Array.isArray(s) && s[0] === 0 && typeof s[1] === 'string') s = s[4];
    else return s;
  }
}

interface Struct {
  name: string;
  members: string[];
  schemas: unknown[];
}
function asStruct(s: unknown): Struct | undefined {
  if (!Array.isArray(s) || (s[0] !== 3 && s[0] !== 4)) return undefined;
  return { name: s[2] as string, members: s[4] as string[], schemas: s[5] as unknown[] };
}
function asList(s: unknown): unknown {
  if (typeof s === 'number' && (s & 64) !== 0) return s & 63;
  if (Array.isArray(s) && s[0] === 1) return s[4];
  return undefined;
}

const PRIMITIVE: Record<number, string> = { 0: 'string', 1: 'number', 2: 'boolean', 4: 'Date', 5: 'Date', 6: 'Date', 7: 'Date' };

/** Problems of an SDK-shaped value against a shape: unknown members and wrong primitive types. */
function checkShape(value: unknown, ref: unknown, path: string, visited: Set<string>, problems: string[]): void {
  const s = resolve(ref);
  const item = asList(s);
  if (item !== undefined) {
    if (!Array.isArray(value)) return void problems.push(`${path}: expected a list, got ${JSON.stringify(value)}`);
    value.forEach((v, i) => checkShape(v, item, `${path}[${i}]`, visited, problems));
    return;
  }
  const struct = asStruct(s);
  if (struct) {
    visited.add(struct.name);
    if (!isRecord(value)) return void problems.push(`${path}: expected a ${struct.name} object, got ${JSON.stringify(value)}`);
    for (const [key, member] of Object.entries(value)) {
      const i = struct.members.indexOf(key);
      if (i < 0) problems.push(`${path}.${key}: ${struct.name} has no member ${key} (it has ${struct.members.join(', ')})`);
      else checkShape(member, struct.schemas[i], `${path}.${key}`, visited, problems);
    }
    return;
  }
  const expected = typeof s === 'number' ? PRIMITIVE[s] : undefined;
  if (expected === undefined) return void problems.push(`${path}: unexpected schema ${JSON.stringify(s)}`);
  const actual = value instanceof Date ? 'Date' : typeof value;
  if (actual !== expected) problems.push(`${path}: ${expected} expected, got ${actual} ${JSON.stringify(value)}`);
}

/** Member names per interface (and per union, from its namespace's *Member interfaces) in the SDK's .d.ts. */
function declaredMembers(): Map<string, Set<string>> {
  const require = createRequire(import.meta.url);
  const models = join(dirname(require.resolve('@aws-sdk/client-s3/package.json')), 'dist-types', 'models');
  const out = new Map<string, Set<string>>();
  for (const file of readdirSync(models).filter((f) => /^models_\d+\.d\.ts$/.test(f))) {
    const text = readFileSync(join(models, file), 'utf8');
    for (const m of text.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm)) {
      out.set(m[1]!, new Set([...m[2]!.matchAll(/^ {4}(\w+)\??: /gm)].map((x) => x[1]!)));
    }
    // Unions: the members of each *Member interface, without the Visitor's catch-all "_".
    for (const m of text.matchAll(/^export declare namespace (\w+) \{\n([\s\S]*?)^\}/gm)) {
      out.set(m[1]!, new Set([...m[2]!.matchAll(/^ {8}(\w+)\??: /gm)].map((x) => x[1]!).filter((k) => k !== '_')));
    }
  }
  return out;
}
const DECLARED = declaredMembers();

/** Checks toSdk(value, context) against the context's SDK shape and fromSdk(toSdk(x)) == x. */
function roundTrip(t: Test, context: string, value: unknown, label: string, visited: Set<string>, expectBack: unknown = value): void {
  const converted = toSdk(value, context);
  const problems: string[] = [];
  const start = shape(START[context]!);
  if (Array.isArray(value)) {
    if (!Array.isArray(converted)) problems.push(`${context}: a list became ${JSON.stringify(converted)}`);
    else converted.forEach((entry, i) => checkShape(entry, start, `${context}[${i}]`, visited, problems));
  } else checkShape(converted, start, context, visited, problems);
  t.same(problems, [], `${label}: every key toSdk produces is a member of ${START[context]}`);
  t.same(fromSdk(converted, context), expectBack, `${label}: fromSdk(toSdk(x)) is x`);
  t.same(fromSdk(converted), expectBack, `${label}: the same without pruning`);
}

// ---- values ----------------------------------------------------------------------------------

const tags = [
  { key: 'team', value: 'data' },
  { key: 'tier', value: 'cold' },
];

/** Hand-written, fully populated examples of every sub-resource (anchors.md section 4 shapes). */
const MAXIMAL: Record<string, unknown> = {
  abac: { status: 'Enabled' },
  accelerate: { status: 'Suspended' },
  analytics: [
    { id: 'whole-bucket', storageClassAnalysis: {} },
    {
      id: 'by-prefix',
      filter: { prefix: 'logs/' },
      storageClassAnalysis: {
        dataExport: {
          outputSchemaVersion: 'V_1',
          destination: { s3BucketDestination: { bucket: 'arn:aws:s3:::analytics-out', bucketAccountID: '111122223333', format: 'CSV', prefix: 'analytics/' } },
        },
      },
    },
    { id: 'by-tag', filter: { tag: { key: 'team', value: 'data' } }, storageClassAnalysis: {} },
    { id: 'by-both', filter: { and: { prefix: 'logs/', tags } }, storageClassAnalysis: {} },
  ],
  cors: {
    corsRules: [
      {
        id: 'web',
        allowedHeaders: ['*'],
        allowedMethods: ['GET', 'PUT'],
        allowedOrigins: ['https://example.com'],
        exposeHeaders: ['ETag', 'x-amz-request-id'],
        maxAgeSeconds: 3000,
      },
      { allowedMethods: ['HEAD'], allowedOrigins: ['*'] },
    ],
  },
  createBucketConfiguration: {
    location: { name: 'usw2-az1', type: 'AvailabilityZone' },
    bucket: { dataRedundancy: 'SingleAvailabilityZone', type: 'Directory' },
  },
  encryption: {
    rules: [
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: 'aws:kms',
          kmsMasterKeyID: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        },
        bucketKeyEnabled: true,
      },
    ],
  },
  intelligentTiering: [
    {
      id: 'archive',
      status: 'Enabled',
      filter: { and: { prefix: 'cold/', tags } },
      tierings: [
        { accessTier: 'ARCHIVE_ACCESS', days: 90 },
        { accessTier: 'DEEP_ARCHIVE_ACCESS', days: 180 },
      ],
    },
    { id: 'by-tag', status: 'Disabled', filter: { tag: { key: 'tier', value: 'cold' } }, tierings: [{ accessTier: 'ARCHIVE_ACCESS', days: 120 }] },
  ],
  inventory: [
    {
      id: 'weekly',
      isEnabled: true,
      filter: { prefix: 'data/' },
      includedObjectVersions: 'All',
      optionalFields: ['Size', 'LastModifiedDate', 'StorageClass', 'ETag', 'EncryptionStatus'],
      schedule: { frequency: 'Weekly' },
      destination: {
        s3BucketDestination: {
          bucket: 'arn:aws:s3:::inventory-out',
          accountID: '111122223333',
          format: 'Parquet',
          prefix: 'inventory/',
          encryption: { sseKMS: { keyID: 'arn:aws:kms:eu-west-1:111122223333:key/abcd' } },
        },
      },
    },
  ],
  lifecycle: {
    rules: [
      {
        id: 'expire-logs',
        status: 'Enabled',
        filter: { and: { prefix: 'logs/', tags, objectSizeGreaterThan: 0, objectSizeLessThan: 1_000_000 } },
        expiration: { days: 365 },
        transitions: [
          { days: 30, storageClass: 'STANDARD_IA' },
          { days: 90, storageClass: 'GLACIER' },
          { date: '2031-06-01T00:00:00Z', storageClass: 'DEEP_ARCHIVE' },
        ],
        noncurrentVersionExpiration: { noncurrentDays: 30, newerNoncurrentVersions: 3 },
        noncurrentVersionTransitions: [{ noncurrentDays: 7, newerNoncurrentVersions: 1, storageClass: 'GLACIER_IR' }],
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
      { id: 'dated', status: 'Disabled', filter: { tag: { key: 'tmp', value: 'yes' } }, expiration: { date: '2030-01-01T00:00:00Z' } },
      { id: 'markers', status: 'Enabled', filter: { objectSizeGreaterThan: 128 }, expiration: { expiredObjectDeleteMarker: true } },
      { id: 'legacy', status: 'Enabled', prefix: 'tmp/', expiration: { days: 1 } },
    ],
  },
  logging: {
    loggingEnabled: {
      targetBucket: 'my-log-bucket',
      targetPrefix: 'logs/my-bucket/',
      targetGrants: [
        { permission: 'READ', grantee: { type_: 'Group', uRI: 'http://acs.amazonaws.com/groups/s3/LogDelivery' } },
        {
          permission: 'FULL_CONTROL',
          grantee: { type_: 'CanonicalUser', id: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be', displayName: 'ops' },
        },
        { permission: 'WRITE', grantee: { type_: 'AmazonCustomerByEmail', emailAddress: 'ops@example.com' } },
      ],
    },
  },
  metrics: [
    { id: 'all' },
    { id: 'prefix', filter: { prefix: 'img/' } },
    { id: 'tag', filter: { tag: { key: 'team', value: 'data' } } },
    { id: 'ap', filter: { accessPointARN: 'arn:aws:s3:eu-west-1:111122223333:accesspoint/web' } },
    { id: 'and', filter: { and: { prefix: 'img/', tags, accessPointARN: 'arn:aws:s3:eu-west-1:111122223333:accesspoint/web' } } },
  ],
  notification: {
    lambdaFunctionConfigurations: [
      {
        id: 'thumbs',
        events: ['s3:ObjectCreated:*'],
        lambdaFunctionARN: 'arn:aws:lambda:eu-west-1:111122223333:function:thumbs',
        filter: {
          key: {
            filterRules: [
              { name: 'prefix', value: 'img/' },
              { name: 'suffix', value: '.jpg' },
            ],
          },
        },
      },
    ],
    queueConfigurations: [
      { id: 'removed', events: ['s3:ObjectRemoved:*', 's3:ObjectRestore:Completed'], queueARN: 'arn:aws:sqs:eu-west-1:111122223333:removed' },
    ],
    topicConfigurations: [
      {
        id: 'Publish new objects to SNS',
        events: ['s3:ObjectCreated:Put'],
        topicARN: 'arn:aws:sns:eu-west-1:111122223333:new',
        filter: { key: { filterRules: [{ name: 'suffix', value: '.csv' }] } },
      },
    ],
  },
  objectLockConfiguration: { rule: { defaultRetention: { mode: 'COMPLIANCE', years: 7 } } },
  ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] },
  publicAccessBlock: { blockPublicACLs: true, ignorePublicACLs: true, blockPublicPolicy: false, restrictPublicBuckets: false },
  replication: {
    role: 'arn:aws:iam::111122223333:role/replication',
    rules: [
      {
        id: 'everything',
        priority: 1,
        status: 'Enabled',
        filter: { and: { prefix: 'logs/', tags } },
        deleteMarkerReplication: { status: 'Disabled' },
        existingObjectReplication: { status: 'Enabled' },
        sourceSelectionCriteria: { replicaModifications: { status: 'Enabled' }, sseKMSEncryptedObjects: { status: 'Enabled' } },
        destination: {
          bucket: 'arn:aws:s3:::replica',
          account: '444455556666',
          storageClass: 'STANDARD_IA',
          accessControlTranslation: { owner: 'Destination' },
          encryptionConfiguration: { replicaKMSKeyID: 'arn:aws:kms:us-west-2:444455556666:key/replica' },
          metrics: { status: 'Enabled', eventThreshold: { minutes: 15 } },
          replicationTime: { status: 'Enabled', time: { minutes: 15 } },
        },
      },
      {
        id: 'tagged',
        priority: 2,
        status: 'Disabled',
        filter: { tag: { key: 'replicate', value: 'yes' } },
        deleteMarkerReplication: { status: 'Disabled' },
        destination: { bucket: 'arn:aws:s3:::replica-2' },
      },
      { id: 'legacy', status: 'Enabled', prefix: 'old/', destination: { bucket: 'arn:aws:s3:::replica-3' } },
    ],
  },
  requestPayment: { payer: 'Requester' },
  tagging: { tagSet: tags },
  versioning: { status: 'Enabled' },
  website: {
    indexDocument: { suffix: 'index.html' },
    errorDocument: { key: 'error.html' },
    routingRules: [
      {
        condition: { keyPrefixEquals: 'docs/' },
        redirect: { replaceKeyPrefixWith: 'documents/', httpRedirectCode: '301', protocol: 'https', hostName: 'example.com' },
      },
      { condition: { httpErrorCodeReturnedEquals: '404' }, redirect: { replaceKeyWith: 'missing.html' } },
    ],
  },
};
const REDIRECT_ALL = { redirectAllRequestsTo: { hostName: 'www.example.com', protocol: 'https' } };

/** A value for every path of specSchema: unique strings and integers, the first enum value, a date. */
function sampleOf(node: JsonSchema, path: string, counter: { n: number }): unknown {
  if (node.type === 'object') return Object.fromEntries(Object.entries(props(node)).map(([k, child]) => [k, sampleOf(child, `${path}.${k}`, counter)]));
  if (node.type === 'array') return [sampleOf(node.items as JsonSchema, path, counter)];
  if (node.type === 'boolean') return true;
  if (node.type === 'integer') return 1000 + counter.n++;
  if (Array.isArray(node.enum)) return node.enum[0];
  if (node.format === 'date-time') return '2032-02-29T00:00:00Z';
  return `v${counter.n++}-${path.split('.').at(-1)!}`;
}
const counter = { n: 0 };
const SAMPLE = Object.fromEntries(Object.keys(START).map((k) => [k, sampleOf(props(specSchema)[k]!, k, counter)])) as Record<string, unknown>;
const withoutRoleRef = (replication: unknown): unknown => {
  const { roleRef: _roleRef, ...rest } = replication as Record<string, unknown>;
  return rest;
};

// ---- tests -----------------------------------------------------------------------------------

t.test('every spec field is a sub-resource with an SDK shape or a request parameter', async (t) => {
  t.same([...Object.keys(START), ...SCALARS].sort(), Object.keys(props(specSchema)).sort());
});

t.test('hand-written maximal sub-resources convert to SDK members and back', async (t) => {
  const visited = new Set<string>();
  for (const [context, value] of Object.entries(MAXIMAL)) roundTrip(t, context, value, `maximal ${context}`, visited);
  roundTrip(t, 'website', REDIRECT_ALL, 'website redirecting every request', visited);
  roundTrip(t, 'logging', {}, 'logging turned off', visited);
  roundTrip(t, 'notification', {}, 'no notifications', visited);
  for (const shapeName of [
    'LifecycleRule',
    'CORSRule',
    'ServerSideEncryptionConfiguration',
    'ReplicationConfiguration',
    'NotificationConfiguration',
    'WebsiteConfiguration',
    'BucketLoggingStatus',
    'InventoryConfiguration',
    'AnalyticsConfiguration',
    'MetricsConfiguration',
    'IntelligentTieringConfiguration',
    'PublicAccessBlockConfiguration',
    'OwnershipControls',
    'ObjectLockConfiguration',
    'AccelerateConfiguration',
    'RequestPaymentConfiguration',
    'VersioningConfiguration',
    'Grantee',
    'ReplicationTime',
    'Metrics',
    'EncryptionConfiguration',
    'LifecycleRuleAndOperator',
    'FilterRule',
    'RoutingRule',
    'SSEKMS',
    'InventoryS3BucketDestination',
    'AnalyticsS3BucketDestination',
    'Tiering',
  ]) {
    t.ok(visited.has(shapeName), `${shapeName} was exercised`);
  }
});

t.test("a value for every path of ACK's spec converts to SDK members and back", async (t) => {
  const visited = new Set<string>();
  for (const [context, value] of Object.entries(SAMPLE)) {
    roundTrip(t, context, value, `every field of ${context}`, visited, context === 'replication' ? withoutRoleRef(value) : value);
  }
  t.equal((toSdk(SAMPLE.replication, 'replication') as Record<string, unknown>).RoleRef, undefined, 'roleRef has no SDK counterpart and is dropped');
  // The member names the schema walk relies on are the ones the SDK's TypeScript interfaces declare.
  const mismatched: string[] = [];
  for (const name of [...visited].sort()) {
    const declared = DECLARED.get(name);
    const members = asStruct(shape(name))!.members;
    if (!declared) mismatched.push(`${name}: no interface in the .d.ts`);
    else if ([...declared].sort().join() !== [...members].sort().join())
      mismatched.push(`${name}: .d.ts ${[...declared].join(',')} vs schema ${members.join(',')}`);
  }
  t.same(mismatched, [], `${visited.size} shapes: schema members equal the .d.ts interface members`);
  t.ok(visited.size >= 60, `${visited.size} SDK shapes reached`);
});

t.test('sub-resources of the ACK-shaped corpus convert and come back', async (t) => {
  const visited = new Set<string>();
  const kinds = new Set<string>();
  let seen = 0;
  for (const { file, docs } of loadCorpus()) {
    for (const doc of docs as Array<{ spec?: Record<string, unknown> } | null>) {
      for (const [key, value] of Object.entries(doc?.spec ?? {})) {
        if (SCALARS.includes(key)) continue;
        roundTrip(t, key, value, `${file} ${key}`, visited, key === 'replication' ? withoutRoleRef(value) : value);
        kinds.add(key);
        seen++;
      }
    }
  }
  t.ok(seen >= 44, `${seen} sub-resources converted`);
  t.same([...kinds].sort(), Object.keys(START).sort(), 'every kind of sub-resource is in the corpus');
});

t.test("the spec's request parameters map to CreateBucket and PutBucketAcl members", async (t) => {
  const create = {
    acl: 'private',
    grantFullControl: 'id=abc',
    grantRead: 'uri=http://acs.amazonaws.com/groups/global/AllUsers',
    grantReadACP: 'id=abc',
    grantWrite: 'id=abc',
    grantWriteACP: 'id=abc',
    objectLockEnabledForBucket: true,
    objectOwnership: 'BucketOwnerPreferred',
    createBucketConfiguration: MAXIMAL.createBucketConfiguration,
  };
  const problems: string[] = [];
  checkShape(toSdk(create), shape('CreateBucketRequest'), 'CreateBucketRequest', new Set(), problems);
  const { objectLockEnabledForBucket: _lock, objectOwnership: _own, createBucketConfiguration: _cbc, ...acl } = create;
  checkShape(toSdk(acl), shape('PutBucketAclRequest'), 'PutBucketAclRequest', new Set(), problems);
  t.same(problems, []);
  t.same(fromSdk(toSdk(create)), create);
  // name, namespace and policy are not documents: they are the Bucket, BucketNamespace and Policy parameters as they are.
  t.same(
    asStruct(shape('CreateBucketRequest'))!.members.filter((m) => ['Bucket', 'BucketNamespace'].includes(m)),
    ['Bucket', 'BucketNamespace'],
  );
  t.ok(asStruct(shape('PutBucketPolicyRequest'))!.members.includes('Policy'));
  t.ok(asStruct(shape('PutBucketAbacRequest'))!.members.includes('AbacStatus'), 'the installed SDK has PutBucketAbac');
});

t.test('the context-dependent spellings', async (t) => {
  const id = (context?: string) => Object.keys(toSdk({ id: 'x' }, context) as object)[0];
  t.equal(id('lifecycle.rules'), 'ID');
  t.equal(id('spec.lifecycle.rules[0]'), 'ID', 'spec. prefix and indices are ignored');
  t.equal(id('replication.rules'), 'ID');
  t.equal(id('cors.corsRules'), 'ID');
  t.equal(id('logging.loggingEnabled.targetGrants.grantee'), 'ID');
  for (const context of [
    'analytics',
    'metrics',
    'inventory',
    'intelligentTiering',
    'notification.topicConfigurations',
    'notification.queueConfigurations',
    'notification.lambdaFunctionConfigurations',
  ])
    t.equal(id(context), 'Id', context);
  t.same(toSdk({ rules: [{ id: 'r' }] }, 'lifecycle'), { Rules: [{ ID: 'r' }] });
  t.same(toSdk([{ id: 'a' }], 'analytics'), [{ Id: 'a' }]);
  t.same(fromSdk({ ID: 'a' }), { id: 'a' });
  t.same(fromSdk({ Id: 'a' }), { id: 'a' });
  t.same(toSdk({ grantee: { type_: 'Group', uRI: 'u' } }), { Grantee: { Type: 'Group', URI: 'u' } });
  t.same(fromSdk({ Grantee: { Type: 'Group', URI: 'u' } }), { grantee: { type_: 'Group', uRI: 'u' } });
  t.same(fromSdk({ Location: { Type: 'AvailabilityZone' }, Bucket: { Type: 'Directory' } }, 'createBucketConfiguration'), {
    location: { type: 'AvailabilityZone' },
    bucket: { type: 'Directory' },
  });
  t.same(
    fromSdk({ Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } }, 'objectLock'),
    { rule: { defaultRetention: { mode: 'GOVERNANCE', days: 1 } } },
    "the port's name objectLock is accepted",
  );

  // Every ACK key whose SDK member is not simply the key with a capital first letter, by walking both schemas.
  const exceptions: string[] = [];
  const walk = (node: JsonSchema, ref: unknown, path: string): void => {
    let s = resolve(ref);
    let n = node;
    while (n.type === 'array') {
      n = n.items as JsonSchema;
      const item = asList(s);
      if (item !== undefined) s = resolve(item);
    }
    const struct = asStruct(s);
    if (!struct) return;
    for (const [key, child] of Object.entries(props(n))) {
      const i = struct.members.findIndex((m) => m.toLowerCase() === key.replace(/_$/, '').toLowerCase());
      if (i < 0) {
        exceptions.push(`${path}.${key} -> (none in ${struct.name})`);
        continue;
      }
      const member = struct.members[i]!;
      if (member !== key.charAt(0).toUpperCase() + key.slice(1)) exceptions.push(`${path}.${key} -> ${struct.name}.${member}`);
      walk(child, struct.schemas[i], `${path}.${key}`);
    }
  };
  for (const [context, name] of Object.entries(START)) walk(props(specSchema)[context]!, shape(name), context);
  t.same(
    exceptions,
    [
      'analytics.storageClassAnalysis.dataExport.destination.s3BucketDestination.bucketAccountID -> AnalyticsS3BucketDestination.BucketAccountId',
      'cors.corsRules -> CORSConfiguration.CORSRules',
      'cors.corsRules.id -> CORSRule.ID',
      'encryption.rules.applyServerSideEncryptionByDefault.sseAlgorithm -> ServerSideEncryptionByDefault.SSEAlgorithm',
      'encryption.rules.applyServerSideEncryptionByDefault.kmsMasterKeyID -> ServerSideEncryptionByDefault.KMSMasterKeyID',
      'inventory.destination.s3BucketDestination.accountID -> InventoryS3BucketDestination.AccountId',
      'inventory.destination.s3BucketDestination.encryption.sseKMS -> InventoryEncryption.SSEKMS',
      'inventory.destination.s3BucketDestination.encryption.sseKMS.keyID -> SSEKMS.KeyId',
      'lifecycle.rules.id -> LifecycleRule.ID',
      'logging.loggingEnabled.targetGrants.grantee.type_ -> Grantee.Type',
      'logging.loggingEnabled.targetGrants.grantee.id -> Grantee.ID',
      'metrics.filter.accessPointARN -> MetricsFilter.AccessPointArn',
      'metrics.filter.and.accessPointARN -> MetricsAndOperator.AccessPointArn',
      'notification.lambdaFunctionConfigurations.lambdaFunctionARN -> LambdaFunctionConfiguration.LambdaFunctionArn',
      'notification.queueConfigurations.queueARN -> QueueConfiguration.QueueArn',
      'notification.topicConfigurations.topicARN -> TopicConfiguration.TopicArn',
      'publicAccessBlock.blockPublicACLs -> PublicAccessBlockConfiguration.BlockPublicAcls',
      'publicAccessBlock.ignorePublicACLs -> PublicAccessBlockConfiguration.IgnorePublicAcls',
      'replication.roleRef -> (none in ReplicationConfiguration)',
      'replication.rules.id -> ReplicationRule.ID',
      'replication.rules.destination.encryptionConfiguration.replicaKMSKeyID -> EncryptionConfiguration.ReplicaKmsKeyID',
      'replication.rules.sourceSelectionCriteria.sseKMSEncryptedObjects -> SourceSelectionCriteria.SseKmsEncryptedObjects',
    ],
    'the irregular spellings (uRI -> URI is regular one way only)',
  );
});

t.test('dates, undefined and pruning', async (t) => {
  const rule = {
    id: 'd',
    status: 'Enabled',
    expiration: { date: '2030-01-01T00:00:00Z' },
    transitions: [{ date: '2030-06-01T00:00:00Z', storageClass: 'GLACIER' }],
  };
  const sdkRule = toSdk(rule, 'lifecycle.rules') as { Expiration: { Date: unknown }; Transitions: Array<{ Date: unknown }> };
  t.ok(sdkRule.Expiration.Date instanceof Date, 'expiration.date becomes a Date');
  t.equal((sdkRule.Expiration.Date as Date).getTime(), Date.UTC(2030, 0, 1));
  t.ok(sdkRule.Transitions[0]!.Date instanceof Date, 'transitions[].date becomes a Date');
  t.same(toSdk({ date: '2030-01-01T00:00:00Z' }, 'website'), { Date: '2030-01-01T00:00:00Z' }, 'only the lifecycle date fields become Dates');
  t.same(toSdk({ key: '2030-01-01T00:00:00Z' }, 'website.errorDocument'), { Key: '2030-01-01T00:00:00Z' }, 'other strings stay strings');
  t.same(toSdk({ expiration: { date: 'soon' } }, 'lifecycle.rules'), { Expiration: { Date: 'soon' } }, 'an unparseable date is left for the SDK to refuse');

  // What GetBucketLifecycleConfiguration returns: Dates, and metadata.
  const output = {
    $metadata: { httpStatusCode: 200 },
    Rules: [{ ID: 'd', Status: 'Enabled', Expiration: { Date: new Date('2030-01-01T00:00:00.000Z') } }],
    TransitionDefaultMinimumObjectSize: 'all_storage_classes_128K',
  };
  t.same(
    fromSdk(output, 'lifecycle'),
    { rules: [{ id: 'd', status: 'Enabled', expiration: { date: '2030-01-01T00:00:00Z' } }] },
    'canonical date, no metadata, no member ACK lacks',
  );
  t.same(
    fromSdk(output),
    { rules: [{ id: 'd', status: 'Enabled', expiration: { date: '2030-01-01T00:00:00Z' } }], transitionDefaultMinimumObjectSize: 'all_storage_classes_128K' },
    'without a context nothing is pruned',
  );
  t.equal(canonicalTime(new Date('2030-01-01T00:00:00Z')), '2030-01-01T00:00:00Z');
  t.equal(canonicalTime(new Date('2030-01-01T00:00:00.250Z')), '2030-01-01T00:00:00.250Z', 'milliseconds are kept when not zero');
  t.same(
    fromSdk(toSdk({ expiration: { date: '2030-01-01T02:00:00+02:00' } }, 'lifecycle.rules')),
    { expiration: { date: '2030-01-01T00:00:00Z' } },
    'offsets come back in UTC',
  );
  t.throws(() => fromSdk({ Date: new Date('nope') }), RangeError);

  t.same(toSdk({ status: undefined, days: 3, list: [undefined, 'a'] }), { Days: 3, List: ['a'] }, 'undefined members and entries are dropped');
  t.same(fromSdk({ Status: undefined, Days: 3 }), { days: 3 });

  t.same(fromSdk({ TopicConfigurations: [{ Id: 'n', TopicArn: 'arn:t', Events: ['s3:ObjectCreated:*'] }], EventBridgeConfiguration: {} }, 'notification'), {
    topicConfigurations: [{ id: 'n', topicARN: 'arn:t', events: ['s3:ObjectCreated:*'] }],
  });
  t.same(
    fromSdk({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1, DefaultEventHold: 'OFF' } } }, 'objectLockConfiguration'),
    { rule: { defaultRetention: { mode: 'GOVERNANCE', days: 1 } } },
  );
  t.same(fromSdk({ LoggingEnabled: { TargetBucket: 'b', TargetPrefix: 'p', TargetObjectKeyFormat: { SimplePrefix: {} } } }, 'logging'), {
    loggingEnabled: { targetBucket: 'b', targetPrefix: 'p' },
  });
  t.same(
    fromSdk(
      {
        Rules: [
          { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } },
        ],
      },
      'encryption',
    ),
    { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: false }] },
  );
  t.same(fromSdk({ Status: 'Enabled', MFADelete: 'Disabled' }), { status: 'Enabled', mfaDelete: 'Disabled' }, 'unmodelled members get a camelCase name');
  t.same(fromSdk({ Status: 'Enabled', MFADelete: 'Disabled' }, 'versioning'), { status: 'Enabled' });
  t.same(
    fromSdk({ Owner: { ID: 'o', DisplayName: 'd' }, Grants: [{ Grantee: { Type: 'CanonicalUser', ID: 'o' }, Permission: 'FULL_CONTROL' }] }, 'acl'),
    { owner: { id: 'o', displayName: 'd' }, grants: [{ grantee: { type_: 'CanonicalUser', id: 'o' }, permission: 'FULL_CONTROL' }] },
    'GetBucketAcl output keeps its members: spec.acl is a string, nothing to prune by',
  );

  const input = structuredClone(MAXIMAL.lifecycle);
  toSdk(input, 'lifecycle');
  t.same(input, MAXIMAL.lifecycle, 'toSdk does not modify its input');
});

/** Serialises one request with the real SDK and returns the body it would send (nothing is sent). */
async function wireBody(command: object): Promise<string> {
  let body = '';
  const client = new sdk.S3Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    requestHandler: {
      handle: (request: { body?: unknown }) => {
        body = typeof request.body === 'string' ? request.body : String(request.body);
        return Promise.reject(new Error('captured'));
      },
    } as never,
  });
  await client.send(command as never).catch(() => undefined);
  client.destroy();
  return body;
}

t.test('the real SDK serialises every converted value', async (t) => {
  const B = { Bucket: 'b' };
  const commands: Record<string, (value: unknown) => object> = {
    abac: (v) => new sdk.PutBucketAbacCommand({ ...B, AbacStatus: v as never }),
    accelerate: (v) => new sdk.PutBucketAccelerateConfigurationCommand({ ...B, AccelerateConfiguration: v as never }),
    analytics: (v) => new sdk.PutBucketAnalyticsConfigurationCommand({ ...B, Id: 'x', AnalyticsConfiguration: v as never }),
    cors: (v) => new sdk.PutBucketCorsCommand({ ...B, CORSConfiguration: v as never }),
    createBucketConfiguration: (v) => new sdk.CreateBucketCommand({ ...B, CreateBucketConfiguration: v as never }),
    encryption: (v) => new sdk.PutBucketEncryptionCommand({ ...B, ServerSideEncryptionConfiguration: v as never }),
    intelligentTiering: (v) => new sdk.PutBucketIntelligentTieringConfigurationCommand({ ...B, Id: 'x', IntelligentTieringConfiguration: v as never }),
    inventory: (v) => new sdk.PutBucketInventoryConfigurationCommand({ ...B, Id: 'x', InventoryConfiguration: v as never }),
    lifecycle: (v) => new sdk.PutBucketLifecycleConfigurationCommand({ ...B, LifecycleConfiguration: v as never }),
    logging: (v) => new sdk.PutBucketLoggingCommand({ ...B, BucketLoggingStatus: v as never }),
    metrics: (v) => new sdk.PutBucketMetricsConfigurationCommand({ ...B, Id: 'x', MetricsConfiguration: v as never }),
    notification: (v) => new sdk.PutBucketNotificationConfigurationCommand({ ...B, NotificationConfiguration: v as never }),
    objectLockConfiguration: (v) => new sdk.PutObjectLockConfigurationCommand({ ...B, ObjectLockConfiguration: v as never }),
    ownershipControls: (v) => new sdk.PutBucketOwnershipControlsCommand({ ...B, OwnershipControls: v as never }),
    publicAccessBlock: (v) => new sdk.PutPublicAccessBlockCommand({ ...B, PublicAccessBlockConfiguration: v as never }),
    replication: (v) => new sdk.PutBucketReplicationCommand({ ...B, ReplicationConfiguration: v as never }),
    requestPayment: (v) => new sdk.PutBucketRequestPaymentCommand({ ...B, RequestPaymentConfiguration: v as never }),
    tagging: (v) => new sdk.PutBucketTaggingCommand({ ...B, Tagging: v as never }),
    versioning: (v) => new sdk.PutBucketVersioningCommand({ ...B, VersioningConfiguration: v as never }),
    website: (v) => new sdk.PutBucketWebsiteCommand({ ...B, WebsiteConfiguration: v as never }),
  };
  t.same(Object.keys(commands).sort(), Object.keys(START).sort());
  for (const [context, make] of Object.entries(commands)) {
    // One document per request: the list-valued kinds are put one configuration at a time.
    const sample = Array.isArray(SAMPLE[context]) ? (SAMPLE[context] as unknown[])[0] : SAMPLE[context];
    const values = Array.isArray(MAXIMAL[context]) ? (MAXIMAL[context] as unknown[]) : [MAXIMAL[context]];
    for (const value of [sample, ...values]) {
      const body = await wireBody(make(toSdk(value, context)));
      // Element text, or an attribute (Grantee's type is xsi:type="...").
      const missing = leaves(value).filter((leaf) => !body.includes(`>${leaf}<`) && !body.includes(`"${leaf}"`));
      t.same(missing, [], `${context}: every value reaches the XML${value === sample ? ' (every field)' : ''}`);
    }
  }
});

/** The string and number leaves of a value, dates in their wire form; roleRef is not sent. */
function leaves(value: unknown, key = ''): string[] {
  if (key === 'roleRef') return [];
  if (Array.isArray(value)) return value.flatMap((v) => leaves(v, key));
  if (isRecord(value)) return Object.entries(value).flatMap(([k, v]) => leaves(v, k));
  if (typeof value === 'string' || typeof value === 'number') return [String(value).replace(/&/g, '&amp;')];
  return [];
}
