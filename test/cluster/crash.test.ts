// A crash in the middle of a fleet's creation: 20 Buckets applied at once, the hook SIGKILLed while
// Metacontroller works through them, restarted on the same port. Every Bucket must end Ready, RGW must hold
// exactly their 20 buckets, each tagged with its own Bucket's uid (no orphan from a create the crash cut
// short), and kubectl delete must remove them all.
import { GetBucketTaggingCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { bucketPath, isReady, kubectlOk, waitForCollection, waitForObject } from './support/cluster.js';
import type { KubeObject } from './support/kube-client.js';
import { clusterSuite } from './support/suite.js';

const COUNT = 20;

t.test('SIGKILL the hook while 20 Buckets are created: all Ready, no orphan, all deleted', async (t) => {
  const s = await clusterSuite(t);
  const ns = s.namespace('crash');
  const prefix = `crash-${randomBytes(3).toString('hex')}`;
  const names = Array.from({ length: COUNT }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);
  t.teardown(async () => {
    const { removeBucket } = await import('../support/rgw.js');
    for (const n of names) await removeBucket(s.mine, n).catch(() => undefined);
  });
  const items = names.map((n, i) => ({
    apiVersion: 's3.services.k8s.aws/v1alpha1',
    kind: 'Bucket',
    metadata: { name: `b${i}`, namespace: ns },
    spec: { name: n, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'fleet', value: prefix }] } },
  }));
  kubectlOk(s.env, ['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });

  // Kill once Metacontroller is well into the fleet: some Buckets have a status (a name reserved or a
  // bucket made), most not yet.
  const written = await waitForCollection(
    s.api,
    bucketPath(ns),
    (items) => items.filter((o) => o.status !== undefined).length >= 6,
    120_000,
    'six Buckets with a status',
  );
  const started = written.filter((o) => o.status !== undefined).length;
  await s.hook.kill();
  t.comment(`hook killed once ${started} of ${COUNT} Buckets had a status`);
  const killedAt = (await s.mc.calls()).length;
  // Restart only once Metacontroller has met the dead hook, so the retry path is always exercised (a fast
  // restart could otherwise fall between two calls).
  await s.mc.waitForCall((c) => c.code === 'transport' || c.code === 'timeout', 60_000, 'a hook call that found the hook gone');
  await s.restartHook();

  for (const i of names.keys()) {
    await waitForObject(s.api, bucketPath(ns, `b${i}`), isReady, 180_000, `b${i} Ready after the restart`);
  }
  const calls = await s.mc.calls();
  t.ok(
    calls.slice(killedAt).some((c) => c.code === '200'),
    'syncs answered after the restart',
  );
  t.ok(
    calls.some((c) => c.code === 'transport' || c.code === 'timeout'),
    'Metacontroller saw the hook gone (and retried)',
  );

  const listed = ((await s.mine.send(new ListBucketsCommand({}))).Buckets ?? [])
    .map((b) => b.Name!)
    .filter((n) => n.startsWith(prefix))
    .sort();
  t.same(listed, names, 'RGW holds exactly the 20 buckets: no orphan, none missing');
  const uids = new Map(names.map((n, i) => [n, (JSON.parse(kubectlOk(s.env, ['-n', ns, 'get', 'bucket', `b${i}`, '-o', 'json'])) as KubeObject).metadata.uid]));
  for (const n of names) {
    const tags = Object.fromEntries(((await s.mine.send(new GetBucketTaggingCommand({ Bucket: n }))).TagSet ?? []).map((x) => [x.Key!, x.Value!]));
    t.equal(tags['services.k8s.aws/uid'], uids.get(n), `${n} tagged with its Bucket's uid`);
  }

  kubectlOk(s.env, ['-n', ns, 'delete', 'buckets', '--all', '--timeout=180s']);
  const left = ((await s.mine.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name!).filter((n) => n.startsWith(prefix));
  t.same(left, [], 'finalize deleted every bucket');
});
