// npm run test:long: IAM role credentials that really expire on Ceph RGW's STS (3 s sessions) are renewed
// before they do. Real time by nature: RGW's clock sets the Expiration, and its shortest session is 2 s.
// The renewal rule itself is checked with an injected clock in test/unit/sdk-sts.test.ts.
import t from 'tap';
import { removeBucket, uniqueBucket } from '../support/rgw.js';
import { mine, rolesApp, TEAM_A, related, once, sync, condition, A } from '../support/roles-app.js';

t.teardown(() => mine.destroy());

t.test('credentials that expire are renewed before they do: no failed S3 request, one more AssumeRole', async (t) => {
  // rgw.sh lowers rgw_sts_min_session_duration to 2 s; the hook asks for 3 s sessions here (an hour in production).
  const { app, s3Calls, s3Failures, stsResults } = rolesApp(t, 3);
  const failed: string[] = [];
  const name = uniqueBucket('team-a-expiry');
  t.teardown(() => removeBucket(mine, name));
  const rel = related([TEAM_A]);
  const input = { ...A, spec: { name, tagging: { tagSet: [{ key: 'k', value: 'v' }] } } };
  const created = await sync(app, input, rel);
  t.equal(condition(created, 'Ready')?.reason, 'Available');
  const assumed = stsResults.length;
  let last = created;
  for (let round = 0; round < 3; round++) {
    await new Promise((resolve) => setTimeout(resolve, 1600));
    s3Calls.reset();
    last = await once(app, { ...input, status: last.status }, rel);
    t.equal(
      condition(last, 'ACK.ResourceSynced')?.status,
      'True',
      `drift check ${round + 1} after ${(round + 1) * 1.6} s: Synced (${condition(last, 'ACK.ResourceSynced')?.message})`,
    );
    if (condition(last, 'ACK.Recoverable')) failed.push(condition(last, 'ACK.Recoverable')!.reason);
  }
  t.same(failed, [], 'no sync failed');
  t.same(
    s3Failures.filter((f) => /403|Forbidden|AccessDenied|Expired/.test(f)),
    [],
    'no S3 request refused for its credentials (expired ones answer 403)',
  );
  t.ok(stsResults.length > assumed, `renewed: ${stsResults.length - assumed} more AssumeRole`);
  t.ok(
    stsResults.every((r) => r === '200'),
    'every AssumeRole succeeded',
  );
});
