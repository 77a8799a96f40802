// Every sub-resource Ceph RGW implements, against RGW: apply from the spec, then a second sync makes
// zero writes (no false drift in RGW's answers), then an out-of-band change is put back. What RGW
// lacks (encryption, ownership controls, logging) must give a clear condition, not silence.
import {
  DeleteBucketCorsCommand,
  PutBucketAclCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketWebsiteCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import t from 'tap';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { bucketResource, withoutLastCheck, envelope } from '../support/envelope.js';
import { CallCounter, hookApp, rawClient, removeBucket, rgwEnv, settle, uniqueBucket } from '../support/rgw.js';

const env = rgwEnv();
const mine = rawClient(env, 'hook');
const counter = new CallCounter();
const app = hookApp(env, counter);
const made: string[] = [];
t.teardown(async () => {
  for (const b of made) await removeBucket(mine, b);
  await app.close();
  mine.destroy();
});

/** One sync, following the reservation before a create (stores that drop tags sent with CreateBucket). */
function sync(spec: Record<string, unknown>, status?: HookResponse['status']): Promise<HookResponse> {
  return settle(async (current) => {
    const res = await app.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource({ spec, ...(current ? { status: current } : {}) })) });
    if (res.statusCode !== 200) throw new Error(`hook answered ${res.statusCode}: ${res.body}`);
    return res.json<HookResponse>();
  }, status);
}
const condition = (r: HookResponse, type: string) => r.status.conditions?.find((c) => c.type === type);

interface Case {
  field: string;
  spec: (bucket: string) => Record<string, unknown>;
  /** The write the apply must make (besides tagging/creation). */
  write: string;
  /** An out-of-band change behind the hook's back, and the write that puts it back. */
  drift?: (client: S3Client, bucket: string) => Promise<unknown>;
}

const cases: Case[] = [
  { field: 'versioning', spec: () => ({ versioning: { status: 'Enabled' } }), write: 'PutBucketVersioning' },
  {
    field: 'publicAccessBlock',
    spec: () => ({ publicAccessBlock: { blockPublicACLs: true, blockPublicPolicy: true } }),
    write: 'PutPublicAccessBlock',
    drift: (c, b) => c.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { BlockPublicAcls: false } })),
  },
  {
    field: 'policy',
    spec: (b) => ({
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: { Sid: 'deny-put', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${b}/*` },
      }),
    }),
    write: 'PutBucketPolicy',
    drift: (c, b) =>
      c.send(
        new PutBucketPolicyCommand({
          Bucket: b,
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/*` }],
          }),
        }),
      ),
  },
  {
    field: 'cors',
    spec: () => ({
      cors: {
        corsRules: [
          {
            id: 'web',
            allowedMethods: ['PUT', 'GET'],
            allowedOrigins: ['https://example.com'],
            allowedHeaders: ['*'],
            exposeHeaders: ['ETag'],
            maxAgeSeconds: 3000,
          },
        ],
      },
    }),
    write: 'PutBucketCors',
    drift: (c, b) => c.send(new DeleteBucketCorsCommand({ Bucket: b })),
  },
  {
    field: 'lifecycle',
    spec: () => ({
      lifecycle: {
        rules: [
          { id: 'expire-logs', status: 'Enabled', filter: { prefix: 'logs/' }, expiration: { days: 90 } },
          { id: 'abort-uploads', status: 'Enabled', filter: { prefix: '' }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
        ],
      },
    }),
    write: 'PutBucketLifecycleConfiguration',
    drift: (c, b) =>
      c.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: b,
          LifecycleConfiguration: { Rules: [{ ID: 'other', Status: 'Enabled', Filter: { Prefix: 'x/' }, Expiration: { Days: 1 } }] },
        }),
      ),
  },
  {
    field: 'website',
    spec: () => ({ website: { indexDocument: { suffix: 'index.html' }, errorDocument: { key: 'error.html' } } }),
    write: 'PutBucketWebsite',
    drift: (c, b) => c.send(new PutBucketWebsiteCommand({ Bucket: b, WebsiteConfiguration: { IndexDocument: { Suffix: 'home.html' } } })),
  },
  {
    field: 'acl',
    spec: () => ({ acl: 'public-read' }),
    write: 'PutBucketAcl',
    drift: (c, b) => c.send(new PutBucketAclCommand({ Bucket: b, ACL: 'private' })),
  },
];

for (const c of cases) {
  t.test(`${c.field}: apply, then zero writes, then drift put back`, async (t) => {
    const bucket = uniqueBucket(`f-${c.field.toLowerCase().slice(0, 10)}`);
    made.push(bucket);
    const spec = { name: bucket, ...c.spec(bucket) };
    counter.reset();
    const first = await sync(spec);
    t.equal(condition(first, 'ACK.ResourceSynced')?.status, 'True', condition(first, 'ACK.ResourceSynced')?.message ?? 'no condition');
    t.ok(counter.writes().includes(c.write), `applied with ${c.write}: ${counter.writes().join(', ')}`);
    counter.reset();
    const second = await sync(spec, first.status);
    t.same(counter.writes(), [], 'the next sync writes nothing');
    t.strictSame(withoutLastCheck(second.status), withoutLastCheck(first.status), 'and answers the same status');
    if (c.drift) {
      await c.drift(mine, bucket);
      counter.reset();
      const healed = await sync(spec, second.status);
      t.ok(counter.writes().includes(c.write), `drift put back with ${c.write}`);
      t.equal(condition(healed, 'ACK.ResourceSynced')?.status, 'True');
      counter.reset();
      await sync(spec, healed.status);
      t.same(counter.writes(), [], 'and stays put');
    }
  });
}

t.test('removal: stating a setting empty removes it, and only then', async (t) => {
  const bucket = uniqueBucket('f-remove');
  made.push(bucket);
  const withAll = {
    name: bucket,
    cors: { corsRules: [{ allowedMethods: ['GET'], allowedOrigins: ['*'] }] },
    policy: JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${bucket}/*` }] }),
    website: { indexDocument: { suffix: 'index.html' } },
    lifecycle: { rules: [{ id: 'r', status: 'Enabled', filter: { prefix: 'a/' }, expiration: { days: 5 } }] },
  };
  const first = await sync(withAll);
  t.equal(condition(first, 'ACK.ResourceSynced')?.status, 'True');
  counter.reset();
  const emptied = await sync({ name: bucket, cors: { corsRules: [] }, policy: '', website: {}, lifecycle: { rules: [] } }, first.status);
  t.same(counter.writes().sort(), ['DeleteBucketCors', 'DeleteBucketLifecycle', 'DeleteBucketPolicy', 'DeleteBucketWebsite']);
  t.equal(condition(emptied, 'ACK.ResourceSynced')?.status, 'True');
  counter.reset();
  await sync({ name: bucket, cors: { corsRules: [] }, policy: '', website: {}, lifecycle: { rules: [] } }, emptied.status);
  t.same(counter.writes(), [], 'nothing left to remove: no Delete is ever sent for an unset sub-resource');
});

t.test('what RGW lacks is reported per field, the rest still applies', async (t) => {
  const bucket = uniqueBucket('f-lacks');
  made.push(bucket);
  const res = await sync({
    name: bucket,
    versioning: { status: 'Enabled' },
    encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }] },
    ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerPreferred' }] },
    logging: { loggingEnabled: { targetBucket: bucket, targetPrefix: 'logs/' } },
  });
  const synced = condition(res, 'ACK.ResourceSynced');
  t.equal(synced?.status, 'False');
  t.match(synced?.message, /spec\.ownershipControls, spec\.encryption, spec\.logging/);
  t.match(synced?.message, /PutBucketEncryption failed/);
  t.ok(condition(res, 'ACK.Terminal') ?? condition(res, 'ACK.Recoverable'), 'terminal or recoverable, never silent');
  t.ok(counter.calls.includes('PutBucketVersioning'), 'versioning still applied');
});
