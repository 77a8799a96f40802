// IAMRoleSelectors through the Metacontroller imitation (test/support/metacontroller-driver.ts) and the
// real app over the fake S3, on loopback: the customize hook asked once per Bucket generation, the
// selectors and the Namespace in `related`, and a selector or namespace-label change re-triggering the
// sync ('related'), which then chooses again: a role, a conflict (terminal, no S3 call), the hook's own.
import t, { type Test } from 'tap';
import { buildApp } from '../../src/http/app.js';
import type { RoleSession, S3PortFactory } from '../../src/s3/port.js';
import { testDeps } from '../support/deps.js';
import { FakeS3 } from '../support/fake-s3.js';
import { MetacontrollerDriver, keyOf, type BucketObject, type CallRecord } from '../support/metacontroller-driver.js';

const ROLE_A = 'arn:aws:iam::111122223333:role/bucket-hook-team-a';
const ROLE_X = 'arn:aws:iam::444455556666:role/bucket-hook-labelled';
const condition = (o: BucketObject | undefined, type: string) => (o?.status?.conditions as Array<{ type: string; status: string; reason: string; message: string }> | undefined)?.find((c) => c.type === type);

async function setup(t: Test) {
  const fake = new FakeS3();
  const sessions: Array<string> = [];
  const inner = fake.factory();
  const s3: S3PortFactory = (region: string, session?: RoleSession) => (sessions.push(session?.roleArn ?? 'hook'), inner(region));
  const { log: _log, clock: _clock, ...deps } = testDeps(s3);
  const app = buildApp({ deps, logger: false });
  let customizeCalls = 0;
  app.addHook('onRequest', async (request) => {
    if (request.url === '/customize') customizeCalls++;
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const calls: CallRecord[] = [];
  const driver = new MetacontrollerDriver({ syncUrl: `${address}/sync`, customizeUrl: `${address}/customize`, onCall: (c) => calls.push(c) });
  t.teardown(async () => {
    await driver.close();
    await app.close();
  });
  const settle = async (until: (d: MetacontrollerDriver) => boolean) => {
    const run = await driver.run({ until: (d) => d.idle() && until(d), maxMs: 10_000, pollMs: 10 });
    t.equal(run.reason, 'until', 'settled');
  };
  return { fake, sessions, driver, settle, calls, customizeCalls: () => customizeCalls };
}

t.test('selectors and namespace labels re-trigger the sync; the role follows them; customize is asked once per generation', async (t) => {
  const { fake, sessions, driver, settle, calls, customizeCalls } = await setup(t);
  driver.applyNamespace('team-a', { team: 'a' });
  driver.applyRoleSelector('team-a', { arn: ROLE_A, namespaceSelector: { names: ['team-a'] } });
  const key = keyOf('team-a', driver.apply({ namespace: 'team-a', name: 'artifacts', spec: { name: 'team-a-artifacts-7f3c' } }).metadata.name);
  await settle((d) => condition(d.get(key), 'Ready')?.status === 'True');
  t.equal(condition(driver.get(key), 'ACK.IAMRoleSelected')?.message, `roleARN: ${ROLE_A}, selectorName: team-a`);
  t.equal(driver.get(key)?.status?.ackResourceMetadata && (driver.get(key)!.status!.ackResourceMetadata as { ownerAccountID?: string }).ownerAccountID, '111122223333');
  t.same(new Set(sessions), new Set([ROLE_A]), "every S3 port of team-a's syncs is team-a's role");
  t.equal(customizeCalls(), 1, 'customize asked once for generation 1');

  // A second selector that also matches (by the namespace's label): re-synced as 'related', terminal, no S3 call.
  const before = calls.length;
  fake.calls.length = 0;
  driver.applyRoleSelector('labelled', { arn: ROLE_X, namespaceSelector: { names: [], labelSelector: { matchLabels: { team: 'a' } } } });
  await settle((d) => condition(d.get(key), 'ACK.Terminal')?.reason === 'RoleSelectorConflict');
  t.ok(calls.slice(before).some((c) => c.triggers.includes('related')), 'the selector change re-triggered the sync');
  t.match(condition(driver.get(key), 'ACK.Terminal')?.message, 'IAMRoleSelectors labelled, team-a all match this Bucket');
  t.same(fake.calls, [], 'nothing sent to S3');

  // The namespace loses its label: team-a's selector alone matches again.
  driver.applyNamespace('team-a', {});
  await settle((d) => condition(d.get(key), 'Ready')?.status === 'True');
  t.equal(condition(driver.get(key), 'ACK.Terminal'), undefined);
  t.equal(condition(driver.get(key), 'ACK.IAMRoleSelected')?.message, `roleARN: ${ROLE_A}, selectorName: team-a`);

  // team-a's selector deleted: the hook's own identity, the condition gone, the account no longer the role's.
  sessions.length = 0;
  driver.deleteRoleSelector('team-a');
  await settle((d) => condition(d.get(key), 'ACK.IAMRoleSelected') === undefined && condition(d.get(key), 'Ready')?.status === 'True');
  t.same(new Set(sessions), new Set(['hook']));
  t.equal((driver.get(key)!.status!.ackResourceMetadata as { ownerAccountID?: string }).ownerAccountID, undefined);
  t.equal(customizeCalls(), 1, 'related changes do not call customize again (same generation)');
  t.same(driver.stats.violations, []);

  // A new generation: customize is asked again.
  driver.update(key, (o) => void ((o.spec as Record<string, unknown>).versioning = { status: 'Enabled' }));
  await settle(() => fake.versioningOf('team-a-artifacts-7f3c') === 'Enabled');
  t.equal(customizeCalls(), 2);
});
