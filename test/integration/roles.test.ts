// One IAM role per team, against Ceph RGW's real STS (test/rgw/rgw.sh makes the roles: team-a and
// team-b trust the hook user and may use only buckets named team-a-* / team-b-*; untrusted trusts only
// the other user). The hook app is wired as main.ts wires it, with the IAMRoleSelectors and the Bucket's
// Namespace in `related` as Metacontroller sends them after the customize hook. Every bucket of this
// file is named team-a-* or team-b-*: only the roles' policies tell those names apart, so a create that
// works, or is refused, says which identity made the call.
import t from 'tap';
import type { BucketInput } from '../support/envelope.js';
import { ROLE_CONDITION } from '../../src/reconciler/rules/roles.js';
import { bucketExists, removeBucket, uniqueBucket } from '../support/rgw.js';
import { ROLE_A, ROLE_B, UNTRUSTED, mine, rolesApp, selector, TEAM_A, TEAM_B, related, once, sync, condition, A } from '../support/roles-app.js';

t.teardown(() => mine.destroy());

t.test("team-a's Bucket is created with team-a's role: one AssumeRole for its syncs, the same S3 calls as the hook's own identity", async (t) => {
  const { app, s3Calls, stsResults, asked } = rolesApp(t);
  const name = uniqueBucket('team-a-roles');
  t.teardown(() => removeBucket(mine, name));
  const rel = related([TEAM_A, TEAM_B]);
  const created = await sync(app, { ...A, spec: { name, versioning: { status: 'Enabled' } } }, rel);
  t.equal(condition(created, 'Ready')?.reason, 'Available', condition(created, 'Ready')?.message ?? '');
  t.equal(await bucketExists(mine, name), true);
  t.same(new Set(asked), new Set([ROLE_A]), "every port of team-a's syncs is team-a's role");
  t.same(stsResults, ['200'], 'one AssumeRole, cached for the next syncs');
  t.same(condition(created, ROLE_CONDITION), {
    type: ROLE_CONDITION,
    status: 'True',
    reason: 'Selected',
    message: `roleARN: ${ROLE_A}, selectorName: team-a`,
    lastTransitionTime: condition(created, ROLE_CONDITION)!.lastTransitionTime,
  });
  t.equal(created.status.ackResourceMetadata?.ownerAccountID, undefined, "RGW's role ARN has no account: none reported");
  t.equal(created.status.ackResourceMetadata?.arn, `arn:aws:s3:::${name}`);

  // A drift check with the role and one with the hook's own identity (no selector matches team-c) read the same.
  s3Calls.reset();
  const checked = await once(app, { ...A, spec: { name, versioning: { status: 'Enabled' } }, status: created.status }, rel);
  t.equal(condition(checked, 'ACK.ResourceSynced')?.status, 'True');
  const withRole = [...s3Calls.calls].sort();
  t.same(stsResults, ['200'], 'credentials cached: no STS call for the drift check');
  t.same(condition(checked, ROLE_CONDITION)?.lastTransitionTime, condition(created, ROLE_CONDITION)?.lastTransitionTime, 'the condition is stable');

  const own = uniqueBucket('team-a-own');
  t.teardown(() => removeBucket(mine, own));
  const C = { namespace: 'team-c', name: 'artifacts', uid: 'cccccccc-1313-4000-8000-000000000003' };
  const ownCreated = await sync(app, { ...C, spec: { name: own, versioning: { status: 'Enabled' } } }, related([TEAM_A, TEAM_B], 'team-c'));
  t.equal(condition(ownCreated, ROLE_CONDITION), undefined, "no selector matches team-c: the hook's own identity, no condition");
  s3Calls.reset();
  await once(app, { ...C, spec: { name: own, versioning: { status: 'Enabled' } }, status: ownCreated.status }, related([TEAM_A, TEAM_B], 'team-c'));
  t.same(withRole, [...s3Calls.calls].sort(), 'the same S3 calls per drift check with and without a role');
  t.same(stsResults, ['200'], "and no STS call for the hook's own identity");

  // The zero-cost answer holds while the role is the same, and not once it changes.
  s3Calls.reset();
  const echo = await once(app, { ...A, spec: { name, versioning: { status: 'Enabled' } }, status: checked.status, keepLastCheck: true }, rel);
  t.same(s3Calls.calls, [], 'echo with the same role: no S3 call');
  t.same(echo.status, checked.status);
  const moved = await once(app, { ...A, spec: { name, versioning: { status: 'Enabled' } }, status: checked.status, keepLastCheck: true }, related([]));
  t.ok(s3Calls.calls.length > 0, "the selector gone: a full check with the hook's own identity");
  t.equal(condition(moved, ROLE_CONDITION), undefined);

  // Finalize uses the role sync used.
  asked.length = 0;
  const fin = await once(app, { ...A, spec: { name }, deletionTimestamp: '2026-12-01T12:00:00Z' }, rel, true);
  t.equal(fin.finalized, true);
  t.equal(condition(fin, 'Ready')?.reason, 'Deleted');
  t.same(new Set(asked), new Set([ROLE_A]), "finalize's port is team-a's role too");
  t.equal(await bucketExists(mine, name), false);
});

t.test("a team-a Bucket whose name team-a's role may not use is refused as AccessDenied naming the role", async (t) => {
  const { app } = rolesApp(t);
  const name = uniqueBucket('team-b-foreign');
  t.teardown(() => removeBucket(mine, name));
  const refused = await sync(app, { ...A, spec: { name } }, related([TEAM_A, TEAM_B]));
  const recoverable = condition(refused, 'ACK.Recoverable');
  t.equal(recoverable?.reason, 'AccessDenied');
  t.match(
    recoverable?.message,
    new RegExp(`CreateBucket failed with AccessDenied \\(HTTP 403\\): the IAM role ${ROLE_A.replaceAll('/', '\\/')} .*allow s3:CreateBucket`),
  );
  t.equal(await bucketExists(mine, name), false, 'nothing created');
});

t.test(
  "a Bucket in namespace evil labelled to match team-a's label-only selector gets no role; ALLOW_UNSCOPED_ROLE_SELECTORS restores ACK's matching",
  async (t) => {
    const labelOnly = selector('team-a-by-label', ROLE_A, { resourceLabelSelector: { matchLabels: { team: 'a' } } });
    const EVIL = { namespace: 'evil', name: 'loot', uid: 'eeeeeeee-2323-4000-8000-000000000004' };
    const evilInput = (name: string) => ({ ...EVIL, spec: { name } });
    const labelled = (input: BucketInput): BucketInput => ({ ...input, labels: { team: 'a' } });
    const { app, s3Calls, stsResults, asked } = rolesApp(t);
    // A team-a-* name: only team-a's role may create it, so a created bucket says which identity made it.
    const name = uniqueBucket('team-a-evil');
    t.teardown(() => removeBucket(mine, name));
    const refused = await once(app, labelled(evilInput(name)), related([labelOnly], 'evil'));
    t.equal(condition(refused, 'ACK.Terminal')?.reason, 'InvalidRoleSelector');
    t.match(
      condition(refused, 'ACK.Terminal')?.message,
      /^IAMRoleSelector team-a-by-label matches this Bucket by its labels alone: it has no spec\.namespaceSelector/,
    );
    t.notMatch(condition(refused, 'ACK.Terminal')?.message, ROLE_A, "team-a's role is not named to evil");
    t.equal(condition(refused, ROLE_CONDITION), undefined);
    t.same([s3Calls.calls, stsResults, asked], [[], [], []], 'no STS call, no S3 call, no port asked for');
    t.equal(await bucketExists(mine, name), false);

    // The admin's explicit setting: ACK's behaviour, so evil's Bucket is made with team-a's role (what issue 23 found).
    const ack = rolesApp(t, 900, { allowUnscoped: true });
    const taken = await sync(ack.app, labelled(evilInput(name)), related([labelOnly], 'evil'));
    t.equal(condition(taken, 'Ready')?.reason, 'Available', condition(taken, 'Ready')?.message ?? '');
    t.equal(condition(taken, ROLE_CONDITION)?.message, `roleARN: ${ROLE_A}, selectorName: team-a-by-label`);
    t.same(new Set(ack.asked), new Set([ROLE_A]));
    t.equal(await bucketExists(mine, name), true);
  },
);

t.test('two matching IAMRoleSelectors are terminal, name both, and send nothing to S3 or STS', async (t) => {
  const { app, s3Calls, stsResults } = rolesApp(t);
  const twice = selector('team-a-too', ROLE_B, { namespaceSelector: { labelSelector: { matchLabels: { team: 'a' } } } });
  const name = uniqueBucket('team-a-twice');
  const answer = await once(app, { ...A, spec: { name } }, related([TEAM_A, twice], 'team-a', { team: 'a' }));
  t.equal(condition(answer, 'ACK.Terminal')?.reason, 'RoleSelectorConflict');
  t.match(condition(answer, 'ACK.Terminal')?.message, /IAMRoleSelectors team-a, team-a-too all match this Bucket/);
  t.equal(answer.resyncAfterSeconds, undefined, 'waits for a selector to change');
  t.same(s3Calls.calls, []);
  t.same(stsResults, []);
  const fin = await once(app, { ...A, spec: { name }, deletionTimestamp: '2026-12-01T12:00:00Z' }, related([TEAM_A, twice], 'team-a', { team: 'a' }), true);
  t.equal(fin.finalized, false, 'a deletion waits too: which identity owns the bucket is unknown');
  t.same(s3Calls.calls, []);
  // The namespace label gone, one selector matches again.
  const one = await sync(app, { ...A, spec: { name }, status: answer.status }, related([TEAM_A, twice], 'team-a', {}));
  t.teardown(() => removeBucket(mine, name));
  t.equal(condition(one, 'Ready')?.reason, 'Available');
  t.equal(condition(one, ROLE_CONDITION)?.message, `roleARN: ${ROLE_A}, selectorName: team-a`);
});

t.test('a refused AssumeRole names the role, the STS answer and what to grant; RGW answers S3-shaped errors, classified by status', async (t) => {
  const { app, s3Calls, stsResults, metrics } = rolesApp(t);
  const untrusted = selector('team-a', UNTRUSTED, { namespaceSelector: { names: ['team-a'] } });
  const refused = await once(app, { ...A, spec: { name: uniqueBucket('team-a-untrusted') } }, related([untrusted]));
  const message = condition(refused, 'ACK.Recoverable')?.message ?? '';
  t.equal(condition(refused, 'ACK.Recoverable')?.reason, 'AccessDenied');
  t.match(message, `AssumeRole failed with Forbidden (HTTP 403): the hook may not assume the IAM role ${UNTRUSTED}`);
  t.match(message, /trust policy must allow the hook's own identity .*sts:AssumeRole/);
  t.same(s3Calls.calls, [], 'no S3 request without credentials');
  t.same(stsResults, ['Forbidden', 'Forbidden'], 'with the namespace tag, then once without (a tag refusal looks the same)');
  const missing = selector('team-a', ROLE_A.replace(/team-a$/, 'no-such-role'), { namespaceSelector: { names: ['team-a'] } });
  const gone = await once(app, { ...A, spec: { name: uniqueBucket('team-a-missing') } }, related([missing]));
  t.equal(condition(gone, 'ACK.Recoverable')?.reason, 'AccessDenied', 'a missing role (RGW: 404) is an access problem, not BucketGone');
  t.match(condition(gone, 'ACK.Recoverable')?.message, /AssumeRole failed with NotFound \(HTTP 404\).*does arn:aws:iam:::role\/no-such-role exist\?/);
  const text = await metrics.registry.metrics();
  t.match(text, /bucket_hook_sts_requests_total\{result="Forbidden"\} 2/);
  t.match(text, /bucket_hook_sts_requests_total\{result="NotFound"\} 2/);
  t.notMatch(text, /SessionToken|secretAccessKey/i);
});
