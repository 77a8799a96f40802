// `npm run import` against Ceph RGW, as a user runs it (the CLI as a child process, the SDK's credentials
// from the environment): buckets configured by hand (versioning, tags, lifecycle, CORS, policy, website,
// a canned ACL), one left plain, one managed by another Bucket resource; the printed manifests are synced
// through the hook, which finds them in sync: no setting is written, only the ownership tags adoption adds.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  CreateBucketCommand,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutBucketWebsiteCommand,
  GetBucketTaggingCommand,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { rgwHarness, uniqueBucket } from '../support/rgw.js';
import { tsChild } from '../support/ts-child.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Each run of the CLI is a child process that loads the SDK (a few seconds): more than tap's 30 s per file.
t.setTimeout(300_000);
const { env, mine, counter, post, track } = rgwHarness(t);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runImport(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const loader = tsChild();
    const childEnv = {
      ...process.env,
      ...loader.env,
      AWS_ACCESS_KEY_ID: env.hook.accessKeyId,
      AWS_SECRET_ACCESS_KEY: env.hook.secretAccessKey,
      AWS_ENDPOINT_URL_S3: env.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_REGION: env.region,
      ...extraEnv,
    };
    execFile(process.execPath, [...loader.nodeArgs, 'src/cli/import.ts', ...args], { cwd: ROOT, timeout: 120_000, env: childEnv }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const tagsOf = async (bucket: string): Promise<Record<string, string>> =>
  Object.fromEntries(
    ((await mine.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet ?? []).map((x): [string, string] => [x.Key ?? '', x.Value ?? '']),
  );

t.test('configured by hand, imported, applied: the hook reads every manifest as in sync and writes no setting', async (t) => {
  const prefix = `${uniqueBucket('imp')}-`;
  const configured = `${prefix}site`;
  const plain = `${prefix}plain`;
  const managed = `${prefix}managed`;
  const create = async (bucket: string) => {
    track(bucket);
    await mine.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(env.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: env.region as BucketLocationConstraint } }),
      }),
    );
  };
  for (const b of [configured, plain, managed]) await create(b);
  await mine.send(new PutBucketVersioningCommand({ Bucket: configured, VersioningConfiguration: { Status: 'Enabled' } }));
  await mine.send(
    new PutBucketTaggingCommand({
      Bucket: configured,
      Tagging: {
        TagSet: [
          { Key: 'team', Value: 'web' },
          { Key: 'cost-center', Value: '4711' },
        ],
      },
    }),
  );
  await mine.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: configured,
      LifecycleConfiguration: {
        Rules: [
          { ID: 'expire-tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 7 } },
          { ID: 'old-versions', Status: 'Enabled', Filter: { Prefix: '' }, NoncurrentVersionExpiration: { NoncurrentDays: 30 } },
        ],
      },
    }),
  );
  await mine.send(
    new PutBucketCorsCommand({
      Bucket: configured,
      CORSConfiguration: {
        CORSRules: [{ AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['https://example.com'], AllowedHeaders: ['*'], MaxAgeSeconds: 300 }],
      },
    }),
  );
  await mine.send(
    new PutBucketPolicyCommand({
      Bucket: configured,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${configured}/*`] }],
      }),
    }),
  );
  await mine.send(
    new PutBucketWebsiteCommand({
      Bucket: configured,
      WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' }, ErrorDocument: { Key: 'error.html' } },
    }),
  );
  await mine.send(new PutBucketAclCommand({ Bucket: configured, ACL: 'public-read' }));
  const owner = { 'services.k8s.aws/namespace': 'team-b', 'services.k8s.aws/name': 'theirs', 'services.k8s.aws/uid': '99999999-0000-4000-8000-000000000001' };
  await mine.send(new PutBucketTaggingCommand({ Bucket: managed, Tagging: { TagSet: Object.entries(owner).map(([Key, Value]) => ({ Key, Value })) } }));

  const run = await runImport(['--prefix', prefix, '--namespace', 'team-a', '--region', env.region]);
  t.equal(run.code, 0, run.stderr);
  const docs = parseAllDocuments(run.stdout);
  const manifests = docs
    .map((d) => d.toJS() as { metadata: { name: string; namespace: string; annotations: Record<string, string> }; spec: Record<string, unknown> })
    .filter((m) => m !== null);
  t.same(
    manifests.map((m) => m.metadata.name),
    [plain, configured],
    'a manifest per bucket not managed elsewhere, in name order',
  );
  t.match(
    run.stdout,
    new RegExp(`# skipped ${managed}: its ownership tags say Bucket team-b/theirs \\(uid 99999999-0000-4000-8000-000000000001\\) manages it`),
    'the managed one is a comment, not re-adopted',
  );
  t.match(run.stdout, /# 3 buckets found, 2 imported, 1 skipped\./);
  const site = manifests.find((m) => m.metadata.name === configured)!;
  t.same(site.metadata, {
    name: configured,
    namespace: 'team-a',
    annotations: { 'services.k8s.aws/adoption-policy': 'adopt', 'services.k8s.aws/region': env.region, 'services.k8s.aws/deletion-policy': 'retain' },
  });
  t.same(
    Object.keys(site.spec).sort(),
    ['acl', 'cors', 'lifecycle', 'name', 'policy', 'tagging', 'versioning', 'website'],
    'every setting made by hand, no default',
  );
  t.same(site.spec.acl, 'public-read', "the ACL's grants read back as the canned name");
  const tagSet = (site.spec.tagging as { tagSet: Array<{ key: string; value: string }> }).tagSet;
  t.same(
    [...tagSet].sort((a, b) => (a.key < b.key ? -1 : 1)),
    [
      { key: 'cost-center', value: '4711' },
      { key: 'team', value: 'web' },
    ],
    'the tags made by hand (order as S3 lists them)',
  );
  t.same(site.spec.versioning, { status: 'Enabled' });
  t.same(manifests.find((m) => m.metadata.name === plain)!.spec, { name: plain }, 'a plain bucket: nothing but its name (every reading was a default)');
  const notes = run.stdout.split('\n').filter((l) => l.includes(': spec.') && l.startsWith('#'));
  t.comment(`import notes: ${notes.length ? notes.join(' | ') : 'none (RGW answered every read)'}`);

  let adoptionWrites = 0;
  let settingWrites = 0;
  for (const [i, m] of manifests.entries()) {
    const uid = `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`;
    const before = await tagsOf(m.metadata.name).catch(() => ({}));
    counter.reset();
    const first = await post({ name: m.metadata.name, namespace: m.metadata.namespace, uid, annotations: m.metadata.annotations, spec: m.spec });
    const conditions = Object.fromEntries((first.status.conditions ?? []).map((c) => [c.type, c.reason]));
    t.same(conditions, { 'ACK.ResourceSynced': 'Synced', Ready: 'Available' }, `${m.metadata.name}: adopted and in sync`);
    const writes = counter.writes();
    t.same(writes, ['PutBucketTagging'], `${m.metadata.name}: the one write is the adoption's ownership mark`);
    adoptionWrites += writes.filter((w) => w === 'PutBucketTagging').length;
    settingWrites += writes.filter((w) => w !== 'PutBucketTagging').length;
    t.same(
      await tagsOf(m.metadata.name),
      {
        ...before,
        'services.k8s.aws/namespace': 'team-a',
        'services.k8s.aws/name': m.metadata.name,
        'services.k8s.aws/uid': uid,
        'services.k8s.aws/origin': 'adopted',
      },
      `${m.metadata.name}: the user's tags as they were, plus the marks`,
    );
    counter.reset();
    const second: HookResponse = await post({
      name: m.metadata.name,
      namespace: m.metadata.namespace,
      uid,
      annotations: m.metadata.annotations,
      spec: m.spec,
      status: first.status,
    });
    t.same(counter.writes(), [], `${m.metadata.name}: the next full check writes nothing`);
    t.equal(second.status.conditions?.find((c) => c.type === 'ACK.ResourceSynced')?.reason, 'Synced');
  }
  t.equal(settingWrites, 0, 'no setting written');
  const figures = `${env.region}: ${manifests.length} imported buckets applied: ${settingWrites} setting writes, ${adoptionWrites} ownership-tag writes (adoption), 0 writes on the next check`;
  t.comment(figures);
  console.log(`# import figures: ${figures}`);
});

t.test('misuse and failures: exit 2 without a prefix or a namespace, 1 when S3 refuses the listing', async (t) => {
  const noPrefix = await runImport(['--namespace', 'team-a']);
  t.equal(noPrefix.code, 2);
  t.match(noPrefix.stderr, /--prefix is required/);
  const badNamespace = await runImport(['--prefix', 'x-', '--namespace', 'Team_A']);
  t.equal(badNamespace.code, 2);
  t.match(badNamespace.stderr, /--namespace "Team_A" must be a Kubernetes namespace name/);
  const unknown = await runImport(['--prefix', 'x-', '--namespace', 'a', '--bogus']);
  t.equal(unknown.code, 2);
  const badForeign = await runImport(['--prefix', 'x-', '--namespace', 'a'], { FOREIGN_TAG_PREFIXES: 'services.' });
  t.equal(badForeign.code, 2);
  const badTuning = await runImport(['--prefix', 'x-', '--namespace', 'a'], { S3_CLIENT_TUNING: 'maybe' });
  t.equal(badTuning.code, 2);
  t.match(badTuning.stderr, /S3_CLIENT_TUNING="maybe" must be on or off/);
  const help = await runImport(['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /^usage: npm run import/);
  const denied = await runImport(['--prefix', 'x-', '--namespace', 'a'], { AWS_SECRET_ACCESS_KEY: 'wrong' });
  t.equal(denied.code, 1);
  t.match(denied.stderr, /S3 refused ListBuckets: (AccessDenied|SignatureDoesNotMatch) \(HTTP 403\) \(the import needs s3:ListAllMyBuckets/);
  const none = await runImport(['--prefix', `${uniqueBucket('nothing')}-`, '--namespace', 'a']);
  t.equal(none.code, 0);
  t.match(none.stdout, /^# npm run import .*\n.*\n# 0 buckets found, 0 imported, 0 skipped\.\n$/);
});

// Issue 23, finding 2, as the issue reproduced it: three ownership tags on one bucket whose values hold
// newlines (RGW keeps them). When every bucket found was skipped, the notes were written as comments by
// hand, and the output parsed to exactly one document: a ClusterRoleBinding of cluster-admin. Now tags
// that are not Kubernetes names are never quoted, and every note is one comment line whatever it quotes.
const SMUGGLING_TAGS = {
  'services.k8s.aws/namespace': 'x\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: imported-pwn}\n#',
  'services.k8s.aws/uid': 'x\nsubjects: [{kind: ServiceAccount, name: default, namespace: team-x}]\n#',
  'services.k8s.aws/name': 'x\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\n#',
};

t.test('ownership tags smuggling YAML: the output holds no ClusterRoleBinding, only the documents expected', async (t) => {
  const prefix = `${uniqueBucket('inj')}-`;
  const create = async (bucket: string, tags?: Record<string, string>) => {
    track(bucket);
    await mine.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(env.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: env.region as BucketLocationConstraint } }),
      }),
    );
    if (tags)
      await mine.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } }));
  };
  const pwn = `${prefix}pwn`;
  await create(pwn, SMUGGLING_TAGS);
  t.same(await tagsOf(pwn), SMUGGLING_TAGS, 'RGW kept the newlines');

  const kinds = (stdout: string) =>
    parseAllDocuments(stdout)
      .map((d) => d.toJS() as { kind?: string; metadata?: { name?: string } } | null)
      .filter((o) => o !== null);
  const alone = await runImport(['--prefix', prefix, '--namespace', 'team-a', '--region', env.region]);
  t.equal(alone.code, 0, 'exit 0');
  t.same(kinds(alone.stdout), [], 'no document at all: the one bucket found was skipped');
  t.ok(
    alone.stdout
      .split('\n')
      .filter((l) => l !== '')
      .every((l) => l.startsWith('#')),
    'comment lines only',
  );
  t.match(alone.stdout, new RegExp(`# skipped ${pwn}: its ownership tags \\(services\\.k8s\\.aws/namespace, name, uid\\) are not Kubernetes names`));
  t.notMatch(alone.stdout + alone.stderr, /ClusterRoleBinding|cluster-admin|imported-pwn/, 'the tag values are quoted nowhere, not even escaped');

  // With a bucket that is imported beside it (the notes then go through the YAML library's comments).
  await create(`${prefix}plain`);
  const mixed = await runImport(['--prefix', prefix, '--namespace', 'team-a', '--region', env.region]);
  t.equal(mixed.code, 0, 'exit 0');
  t.same(
    kinds(mixed.stdout).map((o) => [o.kind, o.metadata?.name]),
    [['Bucket', `${prefix}plain`]],
    'exactly the one Bucket',
  );
  t.notMatch(mixed.stdout, /ClusterRoleBinding|cluster-admin/);
});
