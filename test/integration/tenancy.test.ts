// Two teams, one account, Ceph RGW: team-b's Bucket with adoption-policy adopt and team-a's spec.name
// cannot take team-a's bucket over, and deleting team-b's Bucket leaves it intact; a hand-over works
// through deletion-policy retain, which releases the bucket for team-b to adopt.
import { GetBucketTaggingCommand, GetBucketVersioningCommand } from '@aws-sdk/client-s3';
import t from 'tap';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { bucketExists, rgwHarness, uniqueBucket } from '../support/rgw.js';

const { mine, counter, post, track } = rgwHarness(t);
const deleting = { deletionTimestamp: '2026-11-24T12:00:00Z' };
const A = { namespace: 'team-a', name: 'reports', uid: 'aaaaaaaa-1111-4000-8000-000000000001' };
const B = { namespace: 'team-b', name: 'reports', uid: 'bbbbbbbb-2222-4000-8000-000000000002' };
const ADOPT = { 'services.k8s.aws/adoption-policy': 'adopt' };
const reason = (r: HookResponse, type: string) => r.status.conditions?.find((c) => c.type === type)?.reason;
const message = (r: HookResponse, type: string) => r.status.conditions?.find((c) => c.type === type)?.message ?? '';
const tagsOf = async (bucket: string): Promise<Record<string, string | undefined>> =>
  Object.fromEntries(
    ((await mine.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet ?? []).map((x): [string, string | undefined] => [x.Key ?? '', x.Value]),
  );
const versioningOf = async (bucket: string) => (await mine.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;

t.test("the takeover is refused: the owner stays Synced, its bucket intact after the other Bucket's finalize", async (t) => {
  const name = uniqueBucket('tenant');
  track(name);
  const specA = { name, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };
  const owned = await post({ ...A, spec: specA });
  t.equal(reason(owned, 'Ready'), 'Available');

  counter.reset();
  const grab = await post({
    ...B,
    annotations: ADOPT,
    spec: { name, versioning: { status: 'Suspended' }, tagging: { tagSet: [{ key: 'team', value: 'b' }] } },
  });
  t.equal(reason(grab, 'ACK.Terminal'), 'ManagedElsewhere');
  t.notMatch(message(grab, 'ACK.Terminal'), new RegExp(`${A.uid}|team-a`), 'names nothing of team-a');
  t.same(counter.writes(), [], 'nothing written for team-b');
  t.equal((await tagsOf(name))['services.k8s.aws/uid'], A.uid);
  t.equal(await versioningOf(name), 'Enabled');

  const finB = await post({ ...B, annotations: ADOPT, spec: { name }, ...deleting }, true);
  t.equal(finB.finalized, true, "team-b's Bucket can go");
  t.equal(await bucketExists(mine, name), true, "without deleting team-a's bucket");

  const again = await post({ ...A, spec: specA, status: owned.status });
  t.equal(reason(again, 'ACK.ResourceSynced'), 'Synced', 'team-a still Synced');
});

t.test('hand-over: team-a retains and goes (released), then team-b adopts it', async (t) => {
  const name = uniqueBucket('handover');
  track(name);
  await post({ ...A, spec: { name, tagging: { tagSet: [{ key: 'data', value: 'keep' }] } } });
  const released = await post({ ...A, spec: { name }, annotations: { 'services.k8s.aws/deletion-policy': 'retain' }, ...deleting }, true);
  t.equal(released.finalized, true);
  t.match(message(released, 'Ready'), /released/);
  t.same(await tagsOf(name), { data: 'keep' }, "only the hook's tags removed");

  const adopted = await post({ ...B, annotations: ADOPT, spec: { name, versioning: { status: 'Enabled' } } });
  t.equal(reason(adopted, 'Ready'), 'Available');
  t.equal((await tagsOf(name))['services.k8s.aws/uid'], B.uid);
  t.equal(await versioningOf(name), 'Enabled', "team-b's spec applied");
  const finB = await post({ ...B, spec: { name }, ...deleting }, true);
  t.equal(finB.finalized, true);
  t.equal(await bucketExists(mine, name), false, 'team-b owns it now: its delete deletes it');
});
