// Periodic drift checks under the shipped CompositeController (ignoreStatusChanges: true, no
// resyncPeriodSeconds): each answer's resyncAfterSeconds is the only thing that brings a synced Bucket back,
// and it must keep doing so, as Metacontroller's queue (AddAfter) is not subject to the status filter. The
// Bucket asks for a 10 s interval (the shortest the annotation allows); the intervals Metacontroller actually
// gives are printed. Then the same with the stand-in behaving as Metacontroller before v4.17.2, whose
// ignoreStatusChanges filter also dropped informer resyncs (#1136): drift checks still come, from AddAfter.
import { GetBucketVersioningCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import t from 'tap';
import { bucketPath, condition, isReady, kubectlOk, startMetacontroller, waitForObject } from './support/cluster.js';
import type { KubeObject } from './support/kube-client.js';
import { clusterSuite } from './support/suite.js';

const lastCheckTime = (o: KubeObject | undefined): string | undefined => (o?.status as { lastCheck?: { time?: string } } | undefined)?.lastCheck?.time;

t.test('drift checks arrive every drift-check-interval, from resyncAfterSeconds alone', async (t) => {
  const s = await clusterSuite(t);
  const ns = s.namespace('drift');
  const name = s.bucket('drift');
  const key = `${ns}/checked`;
  const manifest = {
    apiVersion: 's3.services.k8s.aws/v1alpha1',
    kind: 'Bucket',
    metadata: { name: 'checked', namespace: ns, annotations: { 's3.services.k8s.aws/drift-check-interval': '10s' } },
    spec: { name, versioning: { status: 'Enabled' } },
  };
  kubectlOk(s.env, ['apply', '-f', '-'], { input: JSON.stringify(manifest) });
  await waitForObject(s.api, bucketPath(ns, 'checked'), isReady, 60_000, 'Ready');

  // Three drift checks: each writes a new lastCheck.time (and nothing else), which this watch sees.
  const seen = new Set<string>();
  await waitForObject(
    s.api,
    bucketPath(ns, 'checked'),
    (o) => {
      const time = lastCheckTime(o);
      if (time) seen.add(time);
      return seen.size >= 4;
    },
    120_000,
    'three drift checks after the first',
  );
  const calls = (await s.mc.calls()).filter((c) => c.key === key && c.hook === 'sync');
  const checks = calls.filter((c) => c.triggers.includes('resync-after'));
  t.ok(checks.length >= 3, `${checks.length} syncs came from resyncAfterSeconds`);
  t.same(calls.filter((c) => c.triggers.every((x) => x === 'update')).length, 0, 'no sync was an echo of a status write (ignoreStatusChanges)');
  const times = [...seen].sort().map((x) => Date.parse(x) / 1000);
  const intervals = times.slice(1).map((x, i) => x - times[i]!);
  t.comment(`drift-check intervals Metacontroller gave (drift-check-interval 10s), from lastCheck.time: ${intervals.join(', ')} s`);
  t.ok(
    intervals.every((x) => x >= 9),
    'never sooner than asked (1 s granularity)',
  );

  // The next drift check finds S3 changed behind the hook's back and puts it back, with no annotation.
  await s.mine.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Suspended' } }));
  const corrected = await waitForObject(
    s.api,
    bucketPath(ns, 'checked'),
    (o) => {
      const time = lastCheckTime(o);
      return time !== undefined && !seen.has(time);
    },
    30_000,
    'the next drift check',
  );
  t.equal(condition(corrected, 'ACK.ResourceSynced')?.status, 'True');
  t.equal((await s.mine.send(new GetBucketVersioningCommand({ Bucket: name }))).Status, 'Enabled', 'drift put back by the periodic check');
  const events = JSON.parse(kubectlOk(s.env, ['-n', ns, 'get', 'events.events.k8s.io', '--field-selector', 'regarding.name=checked', '-o', 'json'])) as {
    items: Array<{ reason: string }>;
  };
  t.ok(
    events.items.some((e) => e.reason === 'DriftCorrected'),
    'a DriftCorrected event',
  );

  await t.test('Metacontroller before v4.17.2 (resyncs dropped under ignoreStatusChanges): drift checks still come', async (t) => {
    await s.mc.stop();
    const old = await startMetacontroller(s.env, ['--behave-as', 'v4.16.0']);
    t.teardown(() => old.stop());
    const before = lastCheckTime(JSON.parse(kubectlOk(s.env, ['-n', ns, 'get', 'bucket', 'checked', '-o', 'json'])) as KubeObject);
    const after = new Set<string>();
    // About 20 s (two 10 s intervals) once the stand-in has listed the Bucket; the deadline is generous
    // for a loaded machine, and a miss prints what the stand-in did meanwhile.
    await waitForObject(
      s.api,
      bucketPath(ns, 'checked'),
      (o) => {
        const time = lastCheckTime(o);
        if (time && time !== before) after.add(time);
        return after.size >= 2;
      },
      120_000,
      'two drift checks under v4.16 behaviour',
    ).catch(async (err: unknown) => {
      t.comment(
        `the v4.16 stand-in's calls: ${JSON.stringify((await old.calls()).filter((c) => c.key === key))}; lastCheck times seen: ${[...after].join(', ')}; its log: ${old.output().slice(-3000)}`,
      );
      throw err;
    });
    const oldCalls = (await old.calls()).filter((c) => c.key === key);
    t.ok(oldCalls.filter((c) => c.triggers.includes('resync-after')).length >= 2, 'from resyncAfterSeconds');
  });
});
