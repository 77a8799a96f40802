// Every field's normalisation: S3's way of reporting a setting must compare equal to the spec that
// produced it (no false drift), and a real difference must not. Then the write path per field.
import t from 'tap';
import { sync } from '../support/core.js';
import { FIELDS } from '../../src/reconciler/fields/index.js';
import { canonicalPolicy, policyField } from '../../src/reconciler/fields/policy.js';
import type { DesiredSpec } from '../../src/reconciler/model/types.js';
import type { ConfigName } from '../../src/s3/port.js';
import { bucketResource } from '../support/envelope.js';
import { testDeps } from '../support/deps.js';
import { FakeS3 } from '../support/fake-s3.js';

const NAME = 'fields-bucket-1';
const desiredOf = (spec: Record<string, unknown>) => ({ spec }) as DesiredSpec;
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };

async function writesFor(spec: Record<string, unknown>, configs: Partial<Record<ConfigName, unknown>>, collections = {}) {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS, configs, collections });
  const res = await sync(bucketResource({ spec: { name: NAME, ...spec } }), testDeps(fake.factory()));
  return { writes: fake.writes(), res, fake };
}

// [label, spec, what S3 reports, in sync?]
const cases: Array<[string, Record<string, unknown>, Partial<Record<ConfigName, unknown>>, boolean]> = [
  ['versioning Suspended vs never configured', { versioning: { status: 'Suspended' } }, {}, true],
  ['versioning Enabled vs never configured', { versioning: { status: 'Enabled' } }, {}, false],
  ['accelerate Suspended vs unset', { accelerate: { status: 'Suspended' } }, {}, true],
  ['requestPayment BucketOwner vs default', { requestPayment: { payer: 'BucketOwner' } }, {}, true],
  ['requestPayment Requester vs default', { requestPayment: { payer: 'Requester' } }, {}, false],
  ['encryption AES256 vs S3 default (unset)', { encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] } }, {}, true],
  [
    'encryption AES256 vs reported with bucketKeyEnabled false',
    { encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] } },
    { encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: false }] } },
    true,
  ],
  [
    'encryption kms vs default',
    { encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyID: 'k' }, bucketKeyEnabled: true }] } },
    {},
    false,
  ],
  [
    'encryption rules [] vs default',
    { encryption: { rules: [] } },
    { encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] } },
    true,
  ],
  [
    'public access block partial vs full report',
    { publicAccessBlock: { blockPublicACLs: true } },
    { publicAccessBlock: { blockPublicACLs: true, ignorePublicACLs: false, blockPublicPolicy: false, restrictPublicBuckets: false } },
    true,
  ],
  ['public access block all false vs none', { publicAccessBlock: {} }, {}, true],
  ['public access block differs', { publicAccessBlock: { blockPublicPolicy: true } }, {}, false],
  ['ownership rules [] vs none', { ownershipControls: { rules: [] } }, {}, true],
  [
    'ownership enforced vs preferred',
    { ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] } },
    { ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerPreferred' }] } },
    false,
  ],
  [
    'policy: whitespace, key order, single statement, string vs list, principal forms',
    { policy: '{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}}' },
    {
      policy:
        '{\n  "Statement": [ { "Resource": ["arn:aws:s3:::b/*"], "Action": ["s3:PutObject"], "Principal": {"AWS": "*"}, "Effect": "Deny" } ],\n  "Version": "2012-10-17"\n}',
    },
    true,
  ],
  [
    'policy: account id vs root ARN',
    { policy: '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"*"}]}' },
    {
      policy:
        '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"*"}]}',
    },
    true,
  ],
  [
    'policy: a real change',
    { policy: '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}' },
    { policy: '{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}' },
    false,
  ],
  ['policy "" vs none', { policy: '' }, {}, true],
  [
    'cors: method order',
    { cors: { corsRules: [{ allowedMethods: ['PUT', 'GET'], allowedOrigins: ['*'] }] } },
    { cors: { corsRules: [{ allowedMethods: ['GET', 'PUT'], allowedOrigins: ['*'] }] } },
    true,
  ],
  [
    'cors: rule order matters',
    {
      cors: {
        corsRules: [
          { id: 'a', allowedMethods: ['GET'], allowedOrigins: ['*'] },
          { id: 'b', allowedMethods: ['PUT'], allowedOrigins: ['*'] },
        ],
      },
    },
    {
      cors: {
        corsRules: [
          { id: 'b', allowedMethods: ['PUT'], allowedOrigins: ['*'] },
          { id: 'a', allowedMethods: ['GET'], allowedOrigins: ['*'] },
        ],
      },
    },
    false,
  ],
  [
    'lifecycle: invented id, rule order, prefix forms, date form',
    {
      lifecycle: {
        rules: [
          { status: 'Enabled', prefix: 'logs/', expiration: { date: '2030-01-01T00:00:00Z' } },
          { id: 'tmp', status: 'Enabled', filter: { prefix: 'tmp/' }, expiration: { days: 1 } },
        ],
      },
    },
    {
      lifecycle: {
        rules: [
          { id: 'tmp', status: 'Enabled', filter: { prefix: 'tmp/' }, expiration: { days: 1 } },
          {
            id: 'ZmI4NjU3',
            status: 'Enabled',
            filter: { prefix: 'logs/' },
            expiration: { date: '2030-01-01T00:00:00.000Z', expiredObjectDeleteMarker: false },
          },
        ],
      },
    },
    true,
  ],
  [
    'lifecycle: a named id changed',
    { lifecycle: { rules: [{ id: 'a', status: 'Enabled', expiration: { days: 1 } }] } },
    { lifecycle: { rules: [{ id: 'b', status: 'Enabled', expiration: { days: 1 } }] } },
    false,
  ],
  ['website: same document', { website: { indexDocument: { suffix: 'index.html' } } }, { website: { indexDocument: { suffix: 'index.html' } } }, true],
  ['website {} vs none', { website: {} }, {}, true],
  [
    'logging: prefix "" vs absent, grants as a set',
    {
      logging: {
        loggingEnabled: {
          targetBucket: 'logs',
          targetGrants: [
            { permission: 'READ', grantee: { type_: 'Group', uRI: 'u1' } },
            { permission: 'WRITE', grantee: { type_: 'Group', uRI: 'u2' } },
          ],
        },
      },
    },
    {
      logging: {
        loggingEnabled: {
          targetBucket: 'logs',
          targetPrefix: '',
          targetGrants: [
            { permission: 'WRITE', grantee: { type_: 'Group', uRI: 'u2' } },
            { permission: 'READ', grantee: { type_: 'Group', uRI: 'u1' } },
          ],
        },
      },
    },
    true,
  ],
  ['logging {} vs disabled', { logging: {} }, { logging: {} }, true],
  [
    'notification: invented ids, event order, filter rule case',
    {
      notification: {
        queueConfigurations: [
          { queueARN: 'arn:q', events: ['s3:ObjectRemoved:*', 's3:ObjectCreated:*'], filter: { key: { filterRules: [{ name: 'prefix', value: 'a/' }] } } },
        ],
      },
    },
    {
      notification: {
        queueConfigurations: [
          {
            id: 'NGQ5',
            queueARN: 'arn:q',
            events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
            filter: { key: { filterRules: [{ name: 'Prefix', value: 'a/' }] } },
          },
        ],
      },
    },
    true,
  ],
  ['notification {} vs none', { notification: {} }, {}, true],
  [
    'object lock enabled flag vs enabled with a rule',
    { objectLockEnabledForBucket: true },
    { objectLock: { objectLockEnabled: 'Enabled', rule: { defaultRetention: { mode: 'GOVERNANCE', days: 1 } } } },
    true,
  ],
  [
    'object lock rule differs',
    { objectLockConfiguration: { rule: { defaultRetention: { mode: 'GOVERNANCE', days: 2 } } } },
    { objectLock: { objectLockEnabled: 'Enabled', rule: { defaultRetention: { mode: 'GOVERNANCE', days: 1 } } } },
    false,
  ],
  [
    'replication: default priority and invented id',
    { replication: { role: 'arn:r', rules: [{ status: 'Enabled', destination: { bucket: 'arn:aws:s3:::dst' } }] } },
    { replication: { role: 'arn:r', rules: [{ id: 'x1', priority: 0, status: 'Enabled', destination: { bucket: 'arn:aws:s3:::dst' } }] } },
    true,
  ],
  [
    'acl private vs owner full control',
    { acl: 'private' },
    { acl: { owner: { id: 'o1' }, grants: [{ grantee: { type_: 'CanonicalUser', id: 'o1' }, permission: 'FULL_CONTROL' }] } },
    true,
  ],
  [
    'acl public-read vs private',
    { acl: 'public-read' },
    { acl: { owner: { id: 'o1' }, grants: [{ grantee: { type_: 'CanonicalUser', id: 'o1' }, permission: 'FULL_CONTROL' }] } },
    false,
  ],
  [
    'acl public-read vs its grants',
    { acl: 'public-read' },
    {
      acl: {
        owner: { id: 'o1' },
        grants: [
          { grantee: { type_: 'CanonicalUser', id: 'o1' }, permission: 'FULL_CONTROL' },
          { grantee: { type_: 'Group', uRI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, permission: 'READ' },
        ],
      },
    },
    true,
  ],
  [
    'grant headers vs grants',
    { grantFullControl: 'id="o1"', grantRead: 'uri=http://acs.amazonaws.com/groups/global/AllUsers' },
    {
      acl: {
        owner: { id: 'o1' },
        grants: [
          { grantee: { type_: 'CanonicalUser', id: 'o1' }, permission: 'FULL_CONTROL' },
          { grantee: { type_: 'Group', uRI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, permission: 'READ' },
        ],
      },
    },
    true,
  ],
  ['abac Disabled vs unset', { abac: { status: 'Disabled' } }, {}, true],
];

for (const [label, spec, configs, inSync] of cases) {
  t.test(label, async (t) => {
    const { writes } = await writesFor(spec, configs);
    t.same(writes.length === 0, inSync, `writes: ${writes.join(', ') || 'none'}`);
  });
}

t.test('after any apply, the next sync writes nothing (per field)', async (t) => {
  const specs: Array<Record<string, unknown>> = [
    { versioning: { status: 'Enabled' } },
    { encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyID: 'k' }, bucketKeyEnabled: true }] } },
    { publicAccessBlock: { blockPublicACLs: true, restrictPublicBuckets: true } },
    { ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] } },
    { policy: '{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}' },
    { cors: { corsRules: [{ allowedMethods: ['GET'], allowedOrigins: ['*'] }] } },
    { lifecycle: { rules: [{ id: 'r', status: 'Enabled', expiration: { days: 3 } }] } },
    { website: { indexDocument: { suffix: 'index.html' }, errorDocument: { key: 'e.html' } } },
    { logging: { loggingEnabled: { targetBucket: 'logs', targetPrefix: 'x/' } } },
    { accelerate: { status: 'Enabled' } },
    { requestPayment: { payer: 'Requester' } },
    { notification: { topicConfigurations: [{ id: 't', topicARN: 'arn:t', events: ['s3:ObjectCreated:*'] }] } },
    { objectLockConfiguration: { rule: { defaultRetention: { mode: 'GOVERNANCE', days: 1 } } } },
    { replication: { role: 'arn:r', rules: [{ id: 'r', status: 'Enabled', destination: { bucket: 'arn:aws:s3:::d' } }] } },
    { abac: { status: 'Enabled' } },
    { analytics: [{ id: 'a', storageClassAnalysis: {} }] },
    { metrics: [{ id: 'm' }] },
    {
      inventory: [
        {
          id: 'i',
          isEnabled: true,
          includedObjectVersions: 'All',
          schedule: { frequency: 'Daily' },
          destination: { s3BucketDestination: { bucket: 'arn:aws:s3:::d', format: 'CSV' } },
        },
      ],
    },
    { intelligentTiering: [{ id: 'it', status: 'Enabled', tierings: [{ accessTier: 'ARCHIVE_ACCESS', days: 90 }] }] },
  ];
  for (const spec of specs) {
    const fake = new FakeS3();
    fake.seed(NAME, { tags: OURS });
    const deps = testDeps(fake.factory());
    const first = await sync(bucketResource({ spec: { name: NAME, ...spec } }), deps);
    const label = Object.keys(spec)[0]!;
    t.ok(fake.writes().length > 0, `${label}: applied`);
    t.equal(first.status.conditions?.[1]?.status, 'True', `${label}: synced`);
    fake.calls.length = 0;
    await sync(bucketResource({ spec: { name: NAME, ...spec }, status: first.status }), deps);
    t.same(fake.writes(), [], `${label}: then nothing`);
  }
});

t.test('removal: Delete only after S3 reported a configuration', async (t) => {
  const present = await writesFor({ cors: { corsRules: [] } }, { cors: { corsRules: [{ allowedMethods: ['GET'], allowedOrigins: ['*'] }] } });
  t.same(present.writes, ['DeleteBucketCors']);
  const absent = await writesFor(
    {
      cors: { corsRules: [] },
      policy: '',
      lifecycle: { rules: [] },
      website: {},
      ownershipControls: { rules: [] },
      encryption: { rules: [] },
      replication: { rules: [] },
    },
    {},
  );
  t.same(absent.writes, [], 'nothing configured: no Delete at all');
  const logging = await writesFor({ logging: {} }, { logging: { loggingEnabled: { targetBucket: 'logs' } } });
  t.same(logging.writes, ['PutBucketLogging'], 'logging has no Delete: an empty status is put');
  t.same(logging.fake.buckets.get(NAME)?.configs.logging, {});
});

t.test('collections: put what differs, delete what the spec dropped, leave alone when omitted', async (t) => {
  const { writes, fake } = await writesFor(
    { metrics: [{ id: 'keep' }, { id: 'new', filter: { prefix: 'a/' } }] },
    {},
    { metrics: [{ id: 'keep' }, { id: 'old' }] },
  );
  t.same(writes, ['PutBucketMetricsConfiguration', 'DeleteBucketMetricsConfiguration']);
  t.same(fake.buckets.get(NAME)?.collections.metrics, [{ id: 'keep' }, { id: 'new', filter: { prefix: 'a/' } }]);
  const omitted = await writesFor({}, {}, { metrics: [{ id: 'x' }] });
  t.same(omitted.writes, []);
  t.notOk(omitted.fake.calls.includes('ListBucketMetricsConfigurations'), 'not even read');
});

t.test('writes follow the order S3 needs', async (t) => {
  const { writes } = await writesFor(
    {
      replication: { role: 'arn:r', rules: [{ id: 'r', status: 'Enabled', destination: { bucket: 'arn:aws:s3:::d' } }] },
      versioning: { status: 'Enabled' },
      policy: '{"Statement":[]}',
      acl: 'private',
      publicAccessBlock: { blockPublicPolicy: true },
      ownershipControls: { rules: [{ objectOwnership: 'ObjectWriter' }] },
      tagging: { tagSet: [{ key: 'k', value: 'v' }] },
    },
    {},
  );
  t.same(writes, [
    'PutBucketTagging',
    'PutBucketOwnershipControls',
    'PutPublicAccessBlock',
    'PutBucketAcl',
    'PutBucketPolicy',
    'PutBucketVersioning',
    'PutBucketReplication',
  ]);
});

t.test('spec rules the schema cannot express are InvalidSpec, before any S3 call', async (t) => {
  const problems: Array<[Record<string, unknown>, RegExp]> = [
    [{ policy: '{not json' }, /^spec\.policy is not a JSON policy document/],
    // 10,000 levels in 20 KB: a stack overflow in the canonicaliser (HTTP 500 on every sync) before the bound.
    [
      { policy: `{"Statement":${'['.repeat(10_000)}${']'.repeat(10_000)}}` },
      /^spec\.policy nests objects and arrays deeper than 32 levels \(a bucket policy needs about 6\): flatten the document\. Fix the Bucket resource; nothing was sent to S3\.$/,
    ],
    [{ policy: '['.repeat(33) + ']'.repeat(33) }, /^spec\.policy nests objects and arrays deeper than 32 levels/],
    [{ acl: 'private', grantRead: 'id=x' }, /^spec\.acl and spec\.grantRead are both set/],
    [{ replication: { roleRef: { from: { name: 'r' } }, rules: [] } }, /^spec\.replication\.roleRef is not supported/],
    [{ metrics: [{ id: 'a' }, { id: 'a' }] }, /^spec\.metrics\[1\]\.id must be a non-empty id, unique/],
    [{ createBucketConfiguration: { bucket: { type: 'Directory' } } }, /directory bucket/],
  ];
  for (const [spec, message] of problems) {
    const fake = new FakeS3();
    const res = await sync(bucketResource({ spec: { name: NAME, ...spec } }), testDeps(fake.factory()));
    t.same(fake.calls, []);
    t.match(res.status.conditions?.find((c) => c.type === 'ACK.Terminal')?.message, message);
  }
});

t.test('spec.policy bounds: 32 levels pass, 33 do not; the length is checked before the depth; a deep policy read from S3 compares as text', async (t) => {
  const nested = (levels: number) =>
    `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"X":{"k":${'['.repeat(levels - 5)}"v"${']'.repeat(levels - 5)}}}}]}`;
  t.equal(policyField.desired(desiredOf({ name: NAME, policy: nested(32) })), nested(32), '32 levels: accepted');
  t.throws(() => policyField.desired(desiredOf({ name: NAME, policy: nested(33) })), /deeper than 32 levels/);
  t.throws(() => policyField.desired(desiredOf({ name: NAME, policy: ' '.repeat(40_961) })), {
    message: 'is 40961 characters long; at most 40960 are accepted (S3 takes 20 KB)',
  });
  const deep = `{"Statement":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
  t.equal(canonicalPolicy(deep), deep, 'S3 reporting such a document: compared as text, no stack overflow');
  t.equal(policyField.inSync('{"Statement":[]}', deep), false);
});

t.test('create-time settings go with CreateBucket', async (t) => {
  const fake = new FakeS3();
  await sync(
    bucketResource({ spec: { name: NAME, objectOwnership: 'BucketOwnerPreferred', objectLockEnabledForBucket: true, acl: 'private' } }),
    testDeps(fake.factory()),
  );
  t.same(fake.buckets.get(NAME)?.created?.extras, { objectOwnership: 'BucketOwnerPreferred', objectLockEnabledForBucket: true });
});

t.test('an unsupported API is reported per field while the others still apply', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS });
  fake.fail('PutBucketEncryption', { code: 'NotImplemented', kind: 'unsupported', status: 501 });
  const res = await sync(
    bucketResource({
      spec: { name: NAME, versioning: { status: 'Enabled' }, encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }] } },
    }),
    testDeps(fake.factory()),
  );
  t.equal(fake.versioningOf(NAME), 'Enabled');
  const terminal = res.status.conditions?.find((c) => c.type === 'ACK.Terminal');
  t.equal(terminal?.reason, 'Unsupported');
  t.equal(
    terminal?.message,
    'Not in sync: spec.encryption. spec.encryption: PutBucketEncryption failed with NotImplemented (HTTP 501): this S3 endpoint does not implement PutBucketEncryption: remove spec.encryption from the spec to stop managing it.',
  );
});

t.test("each field's desired value is computed once per sync (resolveDesired), whatever the path", async (t) => {
  const calls = new Map<string, number>();
  for (const field of FIELDS) {
    const original = field.desired.bind(field);
    field.desired = (d) => {
      calls.set(field.path, (calls.get(field.path) ?? 0) + 1);
      const value: unknown = original(d);
      return value;
    };
    t.teardown(() => void (field.desired = original));
  }
  const spec = {
    name: NAME,
    versioning: { status: 'Enabled' },
    cors: { corsRules: [{ allowedMethods: ['GET'], allowedOrigins: ['*'] }] },
    metrics: [{ id: 'm' }],
  };
  const once = (label: string) => {
    t.same(
      [...calls.values()],
      FIELDS.map(() => 1),
      `${label}: every field once (${FIELDS.length})`,
    );
    calls.clear();
  };
  const fresh = new FakeS3('me', 'ignored');
  const first = await sync(bucketResource({ spec }), testDeps(fresh.factory()));
  once('the reservation step');
  await sync(bucketResource({ spec, status: first.status }), testDeps(fresh.factory()));
  t.same(fresh.writes(), ['CreateBucket', 'PutBucketTagging', 'PutBucketVersioning', 'PutBucketCors', 'PutBucketMetricsConfiguration']);
  once('create, read back, diff and apply');
  const drifted = new FakeS3();
  drifted.seed(NAME, { tags: OURS, versioning: 'Suspended' });
  await sync(bucketResource({ spec }), testDeps(drifted.factory()));
  t.same(drifted.writes(), ['PutBucketVersioning', 'PutBucketCors', 'PutBucketMetricsConfiguration']);
  once('observe, diff and apply');
});
