// The import core (src/reconciler/import.ts) over the fake S3, for what RGW does not show: buckets that
// cannot be imported (a bad name, gone, another account's, another region, another Bucket's), reads that
// fail, defaults left out, header grants, Object Lock, foreign tags; and the round trip the CLI promises:
// each manifest, synced, is in sync and writes only the ownership tags.
import t from 'tap';
import { sync } from '../support/core.js';
import { importBucket, type ImportResult } from '../../src/reconciler/import/import.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { testDeps } from '../support/deps.js';
import { bucketResource } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const OPTIONS = { namespace: 'team-a', region: 'eu-west-1' };
const B = 'team-a-reports';

function manifestOf(r: ImportResult) {
  if (!('manifest' in r)) throw new Error(`skipped: ${r.skipped}`);
  return r;
}

/** Syncs the imported manifest through the core and returns the writes it made. */
async function apply(fake: FakeS3, r: ImportResult): Promise<{ writes: string[]; response: HookResponse }> {
  const { manifest } = manifestOf(r);
  fake.calls.length = 0;
  const response = await sync(
    bucketResource({ name: manifest.metadata.name, namespace: manifest.metadata.namespace, annotations: manifest.metadata.annotations, spec: manifest.spec }),
    testDeps(fake.factory()),
  );
  return { writes: fake.writes(), response };
}

t.test('what cannot be imported is said, never guessed', async (t) => {
  const fake = new FakeS3();
  const port = fake.port('eu-west-1');
  t.match(await importBucket(port, 'Legacy_Bucket', OPTIONS), { skipped: /its name may contain only lowercase letters/ });
  t.match(await importBucket(port, 'gone-bucket', OPTIONS), { skipped: 'it no longer exists' });
  fake.seed('theirs-bucket', { owner: 'another-account' });
  t.match(await importBucket(port, 'theirs-bucket', OPTIONS), { skipped: /HeadBucket answered 403/ });
  fake.seed('far-bucket', { region: 'us-west-2' });
  t.match(await importBucket(port, 'far-bucket', OPTIONS), { skipped: 'it is in us-west-2, not eu-west-1: run the import again with --region us-west-2' });
  fake.seed(B, { tags: { 'services.k8s.aws/namespace': 'team-b', 'services.k8s.aws/name': 'x', 'services.k8s.aws/uid': 'u-1' } });
  t.match(await importBucket(port, B, OPTIONS), {
    skipped: /ownership tags say Bucket team-b\/x \(uid u-1\) manages it; .* set services\.k8s\.aws\/deletion-policy: retain/,
  });
  fake.buckets.get(B)!.tags = {};
  fake.fail('GetBucketTagging', { code: 'AccessDenied', kind: 'access-denied', status: 403, times: 1 });
  t.match(await importBucket(port, B, OPTIONS), { skipped: /its tags cannot be read \(GetBucketTagging answered AccessDenied \(HTTP 403\)\)/ });
  fake.fail('HeadBucket', { code: 'InternalError', kind: 'transient', status: 500, times: 1 });
  t.match(await importBucket(port, B, OPTIONS), { skipped: 'HeadBucket failed: HeadBucket answered InternalError (HTTP 500)' });
  const bug = { ...port, headBucket: () => Promise.reject(new TypeError('bug')) };
  await t.rejects(importBucket(bug, B, OPTIONS), TypeError, 'a bug is not a skipped bucket');
});

t.test('defaults are left out; S3 settings mirrored; unreadable ones noted; applied: only the ownership tags are written', async (t) => {
  const fake = new FakeS3();
  fake.seed(B, {
    tags: { team: 'a', 'aws:cloudformation:stack-id': 'x', 'org:owner': 'finance' },
    configs: {
      versioning: { status: 'Suspended' },
      encryption: {
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyID: 'arn:aws:kms:eu-west-1:111122223333:key/k' },
            bucketKeyEnabled: true,
          },
        ],
      },
      publicAccessBlock: { blockPublicACLs: true, ignorePublicACLs: true, blockPublicPolicy: true, restrictPublicBuckets: true },
      ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] },
      acl: { owner: { id: 'me' }, grants: [{ grantee: { type_: 'CanonicalUser', id: 'me' }, permission: 'FULL_CONTROL' }] },
      requestPayment: { payer: 'BucketOwner' },
      accelerate: { status: 'Enabled' },
      objectLock: { objectLockEnabled: 'Enabled', rule: { defaultRetention: { mode: 'GOVERNANCE', days: 30 } } },
      policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::team-a-reports/*"}]}',
    },
    collections: { metrics: [{ id: 'all' }] },
  });
  fake.fail('GetBucketAbac', { code: 'NotImplemented', kind: 'unsupported', status: 501 });
  const imported = manifestOf(await importBucket(fake.port('eu-west-1'), B, { ...OPTIONS, foreignTagPrefixes: ['org:'] }));
  t.same(imported.manifest.metadata, {
    name: B,
    namespace: 'team-a',
    annotations: { 'services.k8s.aws/adoption-policy': 'adopt', 'services.k8s.aws/region': 'eu-west-1', 'services.k8s.aws/deletion-policy': 'retain' },
  });
  const spec = imported.manifest.spec;
  t.same(
    Object.keys(spec).sort(),
    [
      'accelerate',
      'encryption',
      'metrics',
      'name',
      'objectLockConfiguration',
      'objectLockEnabledForBucket',
      'ownershipControls',
      'policy',
      'publicAccessBlock',
      'tagging',
    ],
    'no versioning (Suspended), ACL (private), request payment (BucketOwner): S3 defaults',
  );
  t.same(spec.tagging, { tagSet: [{ key: 'team', value: 'a' }] }, 'without aws: and foreign tags');
  t.same(spec.objectLockConfiguration, { rule: { defaultRetention: { mode: 'GOVERNANCE', days: 30 } } });
  t.match(spec.policy, /^\{\n {2}"Version": "2012-10-17",/, 'the policy laid out for reading');
  t.same(imported.notes, ['spec.abac not imported: GetBucketAbac answered NotImplemented (HTTP 501); left unmanaged']);
  fake.fail('GetBucketAbac', { code: 'NotImplemented', kind: 'unsupported', status: 501, times: 0 });

  const deps = testDeps(fake.factory());
  deps.defaults = { ...deps.defaults, foreignTagPrefixes: ['org:'] };
  fake.calls.length = 0;
  const response = await sync(bucketResource({ name: B, annotations: imported.manifest.metadata.annotations, spec }), deps);
  t.equal(response.status.conditions?.find((c) => c.type === 'Ready')?.reason, 'Available');
  t.same(fake.writes(), ['PutBucketTagging'], 'only the ownership tags');
  // (The fake keeps what was put: aws: tags are never written by the hook, as before.)
  t.same(fake.buckets.get(B)!.tags, {
    team: 'a',
    'org:owner': 'finance',
    'services.k8s.aws/namespace': 'team-a',
    'services.k8s.aws/name': B,
    'services.k8s.aws/uid': '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01',
    'services.k8s.aws/origin': 'adopted',
  });
});

t.test('ACLs: a canned name when one fits, header grants otherwise; what cannot be compared is noted', async (t) => {
  const fake = new FakeS3();
  const group = (uRI: string, permission: string) => ({ grantee: { type_: 'Group', uRI }, permission });
  const owner = { grantee: { type_: 'CanonicalUser', id: 'me' }, permission: 'FULL_CONTROL' };
  fake.seed('acl-canned', { configs: { acl: { owner: { id: 'me' }, grants: [owner, group('http://acs.amazonaws.com/groups/global/AllUsers', 'READ')] } } });
  fake.seed('acl-grants', {
    configs: {
      acl: {
        owner: { id: 'me' },
        grants: [
          owner,
          { grantee: { type_: 'CanonicalUser', id: 'partner' }, permission: 'READ' },
          group('http://acs.amazonaws.com/groups/s3/LogDelivery', 'WRITE'),
        ],
      },
    },
  });
  fake.seed('acl-email', {
    configs: {
      acl: { owner: { id: 'me' }, grants: [owner, { grantee: { type_: 'AmazonCustomerByEmail', emailAddress: 'a@example.com' }, permission: 'READ' }] },
    },
  });
  const port = fake.port('eu-west-1');
  t.equal(manifestOf(await importBucket(port, 'acl-canned', OPTIONS)).manifest.spec.acl, 'public-read');
  const grants = manifestOf(await importBucket(port, 'acl-grants', OPTIONS));
  t.same(
    [grants.manifest.spec.grantFullControl, grants.manifest.spec.grantRead, grants.manifest.spec.grantWrite],
    ['id="me"', 'id="partner"', 'uri="http://acs.amazonaws.com/groups/s3/LogDelivery"'],
  );
  t.same((await apply(fake, grants)).writes, ['PutBucketTagging']);
  const email = manifestOf(await importBucket(port, 'acl-email', OPTIONS));
  t.equal(email.manifest.spec.grantRead, undefined);
  t.same(email.notes, ['spec.acl not imported: what S3 holds would not read back as in sync; left unmanaged']);
});

t.test('Object Lock without a default retention; the lock flag alone', async (t) => {
  const fake = new FakeS3();
  fake.seed('locked-bucket', { configs: { objectLock: { objectLockEnabled: 'Enabled' }, versioning: { status: 'Enabled' } } });
  const r = manifestOf(await importBucket(fake.port('eu-west-1'), 'locked-bucket', OPTIONS));
  t.same(r.manifest.spec, { name: 'locked-bucket', versioning: { status: 'Enabled' }, objectLockEnabledForBucket: true });
  t.same((await apply(fake, r)).writes, ['PutBucketTagging']);
});

t.test('a value the spec schema refuses is left out with a note; the rest is kept', async (t) => {
  const fake = new FakeS3();
  fake.seed('odd-bucket', {
    configs: { versioning: { status: 'Enabled' }, cors: { corsRules: [{ allowedMethods: ['GET'], allowedOrigins: ['*'], maxAgeSeconds: 'soon' }] } },
  });
  const r = manifestOf(await importBucket(fake.port('eu-west-1'), 'odd-bucket', OPTIONS));
  t.same(r.manifest.spec, { name: 'odd-bucket', versioning: { status: 'Enabled' } });
  t.match(r.notes, [/^spec\.cors not imported: spec\.cors\.corsRules\[0\]\.maxAgeSeconds must be integer; left unmanaged$/]);
  fake.seed('odd-name.with.dots', {});
  t.equal(
    manifestOf(await importBucket(fake.port('eu-west-1'), 'odd-name.with.dots', OPTIONS)).manifest.metadata.name,
    'odd-name-with-dots',
    'a DNS label for the object, the bucket name in the spec',
  );
});
