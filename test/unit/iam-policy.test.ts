// manifests/iam-policy.json allows exactly what the hook can send: every S3 operation of operations.ts
// plus the bucket calls of the adapter, and every `new XxxCommand(` found in src/s3/ (so a command
// added without updating operations.ts is caught too), mapped to IAM actions by src/s3/iam-actions.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { IAM_ACTIONS, iamActionsFor, OBJECT_ACTIONS } from '../../src/s3/iam-actions.js';
import { COLLECTION_OPERATIONS, CONFIG_OPERATIONS, EMPTYING_OPERATIONS, LIST_BUCKETS_OPERATION } from '../../src/s3/operations.js';

const S3_SRC = fileURLToPath(new URL('../../src/s3/', import.meta.url));
const POLICY_FILE = new URL('../../manifests/iam-policy.json', import.meta.url);
const SDK_COMMANDS = new URL('../../node_modules/@aws-sdk/client-s3/dist-types/commands/', import.meta.url);

/** The calls of sdk-adapter.ts that have no sub-resource entry in operations.ts. */
const BUCKET_OPERATIONS = ['HeadBucket', 'CreateBucket', 'DeleteBucket', 'GetBucketTagging', 'PutBucketTagging', 'DeleteBucketTagging'];
/** The STS call of sdk-sts.ts (assuming an IAMRoleSelector's role): not an S3 command, in the policy all the same. */
const STS_OPERATIONS = ['AssumeRole'];
/** What `npm run import` sends with its user's credentials, never the hook: mapped, but not in the hook's policy (none now: the hook too sends ListBuckets). */
const CLI_OPERATIONS: string[] = [];

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}
interface Policy {
  Version: string;
  Statement: Statement[];
}

function declaredOperations(): string[] {
  const tables = [...Object.values(CONFIG_OPERATIONS), ...Object.values(COLLECTION_OPERATIONS)];
  const ops = tables.flatMap((o) => [o.read, o.write, o.remove]).filter((o): o is string => o !== undefined);
  return [...new Set([...BUCKET_OPERATIONS, LIST_BUCKETS_OPERATION, ...Object.values(EMPTYING_OPERATIONS), ...ops])].sort();
}

/** Every `new XxxCommand(` in src/s3 (recursively): what the adapter can actually put on the wire. */
function constructedCommands(dir = S3_SRC): string[] {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) for (const c of constructedCommands(path)) found.add(c);
    else if (entry.name.endsWith('.ts')) for (const m of readFileSync(path, 'utf8').matchAll(/\bnew\s+([A-Z][A-Za-z0-9]*)Command\s*\(/g)) found.add(m[1]!);
  }
  return [...found].sort();
}

const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);
const allowed = (policy: Policy): string[] => [...new Set(policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => list(s.Action)))].sort();

/** What a policy lacks for a set of operations (the check the real policy must pass). */
function missingActions(policy: Policy, operations: string[]): string[] {
  const granted = new Set(allowed(policy).map((a) => a.toLowerCase()));
  return operations.flatMap((op) => (iamActionsFor(op) ?? [`<no IAM mapping for ${op}>`]).filter((a) => !granted.has(a.toLowerCase())));
}

const policy = JSON.parse(readFileSync(POLICY_FILE, 'utf8')) as Policy;
const operations = declaredOperations();
const constructed = constructedCommands();
/** The hook's commands: every constructed one but the CLI's. */
const commands = constructed.filter((c) => !CLI_OPERATIONS.includes(c));

t.test("the scan finds the adapter's commands (the scan itself works)", async (t) => {
  t.ok(commands.length >= 50, `found ${commands.length} commands`);
  for (const op of ['HeadBucket', 'CreateBucket', 'PutBucketTagging', 'GetBucketCors', 'DeleteBucketIntelligentTieringConfiguration'])
    t.ok(commands.includes(op), op);
});

t.test('every command the adapter constructs is declared (operations.ts or the bucket calls) and mapped', async (t) => {
  t.same(
    commands.filter((c) => !operations.includes(c) && !STS_OPERATIONS.includes(c)),
    [],
    'add the operation to src/s3/operations.ts (and its IAM actions to src/s3/iam-actions.ts)',
  );
  t.same(
    operations.filter((o) => !commands.includes(o)),
    [],
    'operations.ts names an operation the adapter never sends',
  );
  t.same(
    [...operations, ...commands].filter((o) => iamActionsFor(o) === undefined),
    [],
    'map it in src/s3/iam-actions.ts',
  );
  t.same(
    Object.keys(IAM_ACTIONS)
      .filter((o) => !operations.includes(o) && !STS_OPERATIONS.includes(o) && !CLI_OPERATIONS.includes(o))
      .sort(),
    [],
    'no stale entries in the IAM table',
  );
  t.ok(
    constructed.includes(LIST_BUCKETS_OPERATION),
    "ListBuckets (the import CLI's listing, the hook's claimed-bucket age) is constructed (src/s3/sdk-list-buckets.ts)",
  );
  t.same(iamActionsFor(LIST_BUCKETS_OPERATION), ['s3:ListAllMyBuckets']);
});

t.test('the policy allows every action the hook can need, and nothing more', async (t) => {
  t.same(missingActions(policy, [...operations, ...commands]), []);
  const needed = [...new Set([...operations, ...STS_OPERATIONS].flatMap((o) => iamActionsFor(o) ?? []))].sort();
  t.same(allowed(policy), needed, 'exactly the actions of src/s3/iam-actions.ts for these operations');
  t.ok(
    allowed(policy).every((a) => !a.includes('*')),
    'no wildcard actions',
  );
});

t.test('the check fails when the policy lacks an action', async (t) => {
  const without = (action: string): Policy => ({
    ...policy,
    Statement: policy.Statement.map((s) => ({ ...s, Action: list(s.Action).filter((a) => a !== action) })),
  });
  t.same(missingActions(without('s3:ListBucket'), operations), ['s3:ListBucket'], 'HeadBucket needs s3:ListBucket');
  t.same(
    missingActions(without('s3:PutLifecycleConfiguration'), operations),
    ['s3:PutLifecycleConfiguration', 's3:PutLifecycleConfiguration'],
    'put and delete of lifecycle',
  );
  t.same(missingActions(policy, ['GetBucketMetadataConfiguration']), ['<no IAM mapping for GetBucketMetadataConfiguration>'], 'an unknown operation fails too');
});

t.test('the policy document has the expected shape and scope', async (t) => {
  t.equal(policy.Version, '2012-10-17');
  t.ok(policy.Statement.every((s) => s.Effect === 'Allow'));
  const s3 = policy.Statement.filter((s) => list(s.Action).some((a) => a.startsWith('s3:')));
  t.equal(s3.length, 3, 'three statements for S3: bucket actions, the object actions of emptying, and listing buckets');
  // Admins narrow this to their bucket-name prefix, e.g. arn:aws:s3:::team-* (README, "Securing the hook").
  t.same(s3[0]!.Resource, 'arn:aws:s3:::*', 'bucket ARNs only');
  t.ok(
    list(s3[0]!.Action).every((a) => a.startsWith('s3:') && !OBJECT_ACTIONS.includes(a)),
    'no object action on bucket ARNs',
  );
  t.same([s3[1]!.Sid, s3[1]!.Resource], ['EmptyBucketsOnDelete', 'arn:aws:s3:::*/*'], 'object ARNs, for empty-on-delete only');
  t.same(
    list(s3[1]!.Action),
    [...OBJECT_ACTIONS].sort(),
    'exactly the object actions: delete versions, abort uploads (no GetObject, no PutObject, no bypass of retention)',
  );
  t.same(list(s3[1]!.Action), [...list(s3[1]!.Action)].sort());
  // ListBuckets has no resource type: granted on "*", alone in its statement, so admins can drop it
  // (a create interrupted before its tagging then waits as AccessDenied instead of finishing).
  t.same(
    [s3[2]!.Sid, list(s3[2]!.Action), s3[2]!.Resource],
    ['ConfirmClaimedBucketAge', ['s3:ListAllMyBuckets'], '*'],
    "ListAllMyBuckets alone, for a claimed bucket's creation date",
  );
  t.notOk(list(s3[0]!.Action).includes('s3:ListAllMyBuckets'));
  t.notOk(allowed(policy).includes('s3:BypassGovernanceRetention'), 'Object Lock is never bypassed');
  const pass = policy.Statement.filter((s) => list(s.Action).includes('iam:PassRole'));
  t.equal(pass.length, 1);
  t.same(list(pass[0]!.Action), ['iam:PassRole']);
  t.same(pass[0]!.Condition, { StringEquals: { 'iam:PassedToService': 's3.amazonaws.com' } }, 'roles can be passed only to S3 (replication)');
  const text = readFileSync(POLICY_FILE, 'utf8');
  t.equal(text, `${JSON.stringify(policy, null, 2)}\n`, 'formatted as JSON.stringify(policy, null, 2)');
  t.same(list(s3[0]!.Action), [...list(s3[0]!.Action)].sort(), 'actions sorted, so diffs stay readable');
});

// The SDK documents the permission of most commands in its own typings ("you must have the
// s3:PutBucketCORS permission"). Where it names any s3: action, our primary one must be among them.
t.test('the mapping agrees with the permissions the SDK documents for each command', async (t) => {
  let checked = 0;
  for (const op of operations) {
    const doc = readFileSync(new URL(`${op}Command.d.ts`, SDK_COMMANDS), 'utf8');
    const named = new Set([...doc.matchAll(/\bs3:([A-Z][A-Za-z]+)\b/g)].map((m) => `s3:${m[1]!}`.toLowerCase()));
    if (named.size === 0) continue;
    checked++;
    const ours = IAM_ACTIONS[op]!.filter((a) => a.startsWith('s3:'));
    t.ok(named.has(ours[0]!.toLowerCase()), `${op}: ${ours[0]} is among the documented ${[...named].join(', ')}`);
    if (op === 'CreateBucket') {
      for (const a of ours.slice(1).filter((a) => a !== 's3:TagResource')) t.ok(named.has(a.toLowerCase()), `CreateBucket: ${a} documented`);
    }
  }
  t.ok(checked >= 30, `checked ${checked} commands against the SDK's documentation`);
  const models = readdirSync(new URL('../models/', SDK_COMMANDS))
    .map((f) => readFileSync(new URL(`../models/${f}`, SDK_COMMANDS), 'utf8'))
    .join('\n');
  t.match(
    models,
    /s3:TagResource<\/code> permission to create a general\s+(\*\s+)?purpose bucket with tags/,
    'CreateBucketConfiguration.Tags needs s3:TagResource',
  );
  t.match(readFileSync(new URL('PutBucketReplicationCommand.d.ts', SDK_COMMANDS), 'utf8'), /iam:PassRole/, 'PutBucketReplication needs iam:PassRole');
});

t.test('STS: AssumeRole and TagSession on IAM roles, in a statement of their own, and the adapter sends AssumeRole', async (t) => {
  t.ok(constructedCommands().includes('AssumeRole'), 'sdk-sts.ts constructs AssumeRoleCommand');
  const sts = policy.Statement.filter((s) => list(s.Action).some((a) => a.startsWith('sts:')));
  t.equal(sts.length, 1);
  t.same([sts[0]!.Sid, list(sts[0]!.Action), sts[0]!.Resource], ['AssumeIAMRoleSelectorRoles', ['sts:AssumeRole', 'sts:TagSession'], 'arn:aws:iam::*:role/*']);
  t.same(
    allowed(policy).filter((a) => a.startsWith('sts:')),
    [...(iamActionsFor('AssumeRole') ?? [])].sort(),
    'exactly the actions the STS call needs (no GetCallerIdentity: Ceph RGW lacks it, and the hook never asks)',
  );
});
