// A Bucket's life as a user drives it, on the local control plane: `kubectl apply` of a Bucket, the real API
// server storing it, the Metacontroller stand-in calling the hook (a process with its ServiceAccount's
// identity), the hook against Ceph RGW, the status written back through /status; in each region RGW runs
// (us-east-1 and eu-west-1: RGW_ENV_FILES), every step a kubectl command and its values asserted.
import { GetBucketTaggingCommand, GetBucketVersioningCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { bucketExists, type RgwEnv } from '../support/rgw.js';
import { bucketPath, condition, isReady, kubectl, kubectlOk, waitForObject } from './support/cluster.js';
import type { KubeObject } from './support/kube-client.js';
import { clusterSuite } from './support/suite.js';

/** The RGWs to run against: RGW_ENV_FILES (colon-separated env files of test/rgw/rgw.sh), else the current one. */
function regions(): RgwEnv[] {
  const files = (process.env.RGW_ENV_FILES ?? '').split(':').filter(Boolean);
  if (files.length === 0) return [undefined as unknown as RgwEnv];
  return files.map((file) => {
    const v = Object.fromEntries(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    return {
      endpoint: v.S3_TEST_ENDPOINT!,
      region: v.S3_TEST_REGION!,
      hook: { accessKeyId: v.S3_TEST_ACCESS_KEY!, secretAccessKey: v.S3_TEST_SECRET_KEY! },
      other: { accessKeyId: v.S3_TEST_OTHER_ACCESS_KEY!, secretAccessKey: v.S3_TEST_OTHER_SECRET_KEY! },
    };
  });
}

const WAIT = 60_000;

for (const rgw of regions()) {
  t.test(`a Bucket's life through kubectl (RGW in ${rgw?.region ?? 'the default region'})`, async (t) => {
    const s = await clusterSuite(t, rgw ? { rgw } : {});
    const { env, api } = s;
    const ns = s.namespace('team');
    const name = s.bucket('life');
    const tagsOf = async (bucket: string): Promise<Record<string, string>> => {
      const res = await s.mine.send(new GetBucketTaggingCommand({ Bucket: bucket })).catch((err: { name?: string }) => {
        if (err.name === 'NoSuchTagSet') return { TagSet: [] };
        throw err;
      });
      return Object.fromEntries((res.TagSet ?? []).map((x) => [x.Key!, x.Value!]));
    };
    const get = (n = 'artifacts'): KubeObject => JSON.parse(kubectlOk(env, ['-n', ns, 'get', 'bucket', n, '-o', 'json'])) as KubeObject;
    const manifest = (spec: Record<string, unknown>, annotations: Record<string, string> = {}, n = 'artifacts'): string =>
      JSON.stringify({ apiVersion: 's3.services.k8s.aws/v1alpha1', kind: 'Bucket', metadata: { name: n, namespace: ns, annotations }, spec });

    await t.test('apply -> kubectl wait Ready -> the bucket in RGW with its settings and ownership tags', async (t) => {
      kubectlOk(env, ['apply', '-f', '-'], {
        input: manifest({ name, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } }),
      });
      const wait = kubectl(env, ['-n', ns, 'wait', '--for=condition=Ready', '--timeout=60s', 'bucket/artifacts']);
      t.equal(wait.code, 0, `kubectl wait: ${wait.stderr}`);
      t.match(wait.stdout, /bucket.s3.services.k8s.aws\/artifacts condition met/);
      const bucket = get();
      t.equal(condition(bucket, 'Ready')?.reason, 'Available');
      t.equal(condition(bucket, 'ACK.ResourceSynced')?.status, 'True');
      t.same((bucket.status as { ackResourceMetadata?: unknown }).ackResourceMetadata, { arn: `arn:aws:s3:::${name}`, region: s.rgw.region });
      t.equal((bucket.status as { observedGeneration?: number }).observedGeneration, 1, 'observedGeneration written and kept by the CRD');
      t.ok(bucket.metadata.finalizers?.includes('metacontroller.io/compositecontroller-bucket-hook'), 'the finalizer is on the Bucket');
      t.same(await tagsOf(name), {
        team: 'a',
        'services.k8s.aws/namespace': ns,
        'services.k8s.aws/name': 'artifacts',
        'services.k8s.aws/uid': bucket.metadata.uid,
        'services.k8s.aws/origin': 'created',
      });
      t.equal((await s.mine.send(new GetBucketVersioningCommand({ Bucket: name }))).Status, 'Enabled');
    });

    await t.test('kubectl get buckets: the printer columns', async (t) => {
      const out = kubectlOk(env, ['-n', ns, 'get', 'buckets']);
      const [header, row] = out.trim().split('\n');
      t.match(header, /^NAME\s+BUCKET\s+READY\s+SYNCED\s+AGE$/);
      t.match(row, new RegExp(`^artifacts\\s+${name}\\s+True\\s+True\\s+\\d+s$`));
    });

    await t.test('update the spec -> S3 follows', async (t) => {
      kubectlOk(env, ['apply', '-f', '-'], {
        input: manifest({
          name,
          versioning: { status: 'Suspended' },
          tagging: {
            tagSet: [
              { key: 'team', value: 'a' },
              { key: 'env', value: 'prod' },
            ],
          },
        }),
      });
      const updated = await waitForObject(api, bucketPath(ns, 'artifacts'), (o) => o?.metadata.generation === 2 && isReady(o), WAIT, 'generation 2 Ready');
      t.equal(condition(updated, 'ACK.ResourceSynced')?.reason, 'Synced');
      t.equal((await s.mine.send(new GetBucketVersioningCommand({ Bucket: name }))).Status, 'Suspended');
      t.equal((await tagsOf(name)).env, 'prod');
    });

    await t.test('S3 changed out of band, a check requested with the annotation -> corrected', async (t) => {
      // lastCheck.inputHash covers the annotations that ask for a check: it changes with the requested check.
      const lastCheck = (o: KubeObject | undefined): string | undefined =>
        (o?.status as { lastCheck?: { inputHash?: string } } | undefined)?.lastCheck?.inputHash;
      const before = lastCheck(get());
      await s.mine.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }));
      kubectlOk(env, ['-n', ns, 'annotate', 'bucket', 'artifacts', 's3.services.k8s.aws/requested-at=2026-12-07T10:00:00Z', '--overwrite']);
      // The check writes before it answers: once its lastCheck lands, S3 is already corrected.
      const checked = await waitForObject(api, bucketPath(ns, 'artifacts'), (o) => lastCheck(o) !== before, WAIT, 'the requested check');
      t.equal(condition(checked, 'ACK.ResourceSynced')?.status, 'True');
      t.equal((await s.mine.send(new GetBucketVersioningCommand({ Bucket: name }))).Status, 'Suspended', 'versioning put back to the spec');
    });

    await t.test('the API server refuses what the CRD forbids, with messages a user understands', async (t) => {
      const badName = kubectl(env, ['apply', '-f', '-'], { input: manifest({ name: 'Not_A_Bucket' }, {}, 'bad-name') });
      t.not(badName.code, 0);
      t.match(badName.stderr, /spec.name: Invalid value: .*S3 bucket names may contain only lowercase letters, digits, dots/);
      const badEnum = kubectl(env, ['apply', '-f', '-'], { input: manifest({ name: s.bucket('enum'), versioning: { status: 'On' } }, {}, 'bad-enum') });
      t.match(badEnum.stderr, /spec.versioning.status: Unsupported value: "On": supported values: "Enabled", "Suspended"/);
      const badType = kubectl(env, ['apply', '-f', '-'], { input: manifest({ name: s.bucket('type'), objectLockEnabledForBucket: 'yes' }, {}, 'bad-type') });
      t.match(badType.stderr, /spec.objectLockEnabledForBucket: Invalid value: "string": spec.objectLockEnabledForBucket in body must be of type boolean/);
      const rename = kubectl(env, ['apply', '-f', '-'], { input: manifest({ name: `${name}-renamed`, versioning: { status: 'Suspended' } }) });
      t.match(rename.stderr, new RegExp(`The Bucket "artifacts" is invalid: spec.name: Invalid value: "${name}-renamed": Value is immutable once set`));
      t.equal(kubectl(env, ['-n', ns, 'get', 'bucket', 'bad-name']).code, 1, 'nothing stored');
    });

    await t.test('NameTaken and InvalidSpec, as a user reads them', async (t) => {
      const taken = s.bucket('taken');
      const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
      await s.theirs.send(
        new CreateBucketCommand({
          Bucket: taken,
          ...(s.rgw.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: s.rgw.region as never } }),
        }),
      );
      kubectlOk(env, ['apply', '-f', '-'], { input: manifest({ name: taken }, {}, 'taken') });
      const refused = await waitForObject(api, bucketPath(ns, 'taken'), (o) => condition(o, 'ACK.Terminal')?.status === 'True', WAIT, 'NameTaken');
      t.equal(condition(refused, 'ACK.Terminal')?.reason, 'NameTaken');
      t.equal(condition(refused, 'Ready')?.status, 'False');
      t.match(kubectlOk(env, ['-n', ns, 'describe', 'bucket', 'taken']), /NameTaken/);
      // A name the CRD accepts but the hook cannot serve: a directory bucket (S3 Express One Zone).
      kubectlOk(env, ['apply', '-f', '-'], { input: manifest({ name: 'logs--usw2-az1--x-s3' }, {}, 'invalid') });
      const invalid = await waitForObject(api, bucketPath(ns, 'invalid'), (o) => condition(o, 'ACK.Terminal') !== undefined, WAIT, 'a terminal condition');
      t.equal(condition(invalid, 'ACK.Terminal')?.reason, 'InvalidSpec');
      t.match(condition(invalid, 'ACK.Terminal')?.message ?? '', /directory bucket \(S3 Express One Zone\)/);
      kubectlOk(env, ['-n', ns, 'delete', 'bucket', 'taken', 'invalid', '--timeout=60s']);
      t.ok(await bucketExists(s.theirs, taken), "the other account's bucket is untouched");
    });

    await t.test("Events: kubectl get events shows the hook's, sent with the ServiceAccount's token", async (t) => {
      const out = kubectlOk(env, ['-n', ns, 'get', 'events.events.k8s.io', '--field-selector', 'regarding.name=artifacts', '-o', 'json']);
      const events = (JSON.parse(out) as { items: Array<{ reason: string; reportingController: string; type: string; note?: string }> }).items;
      const reasons = events.map((e) => e.reason);
      t.ok(reasons.includes('Created'), `Created among ${reasons.join(', ')}`);
      t.ok(reasons.includes('Updated'), 'Updated');
      t.ok(reasons.includes('DriftCorrected'), 'DriftCorrected');
      t.ok(events.every((e) => e.reportingController === 's3.services.k8s.aws/bucket-hook'));
      const describe = kubectlOk(env, ['-n', ns, 'describe', 'bucket', 'artifacts']);
      t.match(describe, /Normal\s+Created\s+.*s3\.services\.k8s\.aws\/bucket-hook/);
      const hookLog = s.hook.process.output();
      t.notMatch(hookLog, /"events".*"failed"/, 'no event refused');
    });

    await t.test('paused: no S3 call, deletion waits; unpaused: it goes on', async (t) => {
      kubectlOk(env, ['-n', ns, 'annotate', 'bucket', 'artifacts', 's3.services.k8s.aws/paused=true']);
      const paused = await waitForObject(api, bucketPath(ns, 'artifacts'), (o) => condition(o, 'ACK.ResourceSynced')?.reason === 'Paused', WAIT, 'Paused');
      t.equal(condition(paused, 'Ready')?.status, 'True', 'Ready as it was');
      kubectlOk(env, ['-n', ns, 'delete', 'bucket', 'artifacts', '--wait=false']);
      const waiting = await waitForObject(
        api,
        bucketPath(ns, 'artifacts'),
        (o) => o?.metadata.deletionTimestamp !== undefined && condition(o, 'ACK.ResourceSynced')?.reason === 'Paused',
        WAIT,
        'a paused deletion',
      );
      t.ok(waiting, 'the Bucket stays while paused');
      t.ok(await bucketExists(s.mine, name), 'the bucket stays while paused');
      kubectlOk(env, ['-n', ns, 'annotate', 'bucket', 'artifacts', 's3.services.k8s.aws/paused-']);
      await waitForObject(api, bucketPath(ns, 'artifacts'), (o) => o === undefined, WAIT, 'the Bucket gone');
      t.notOk(await bucketExists(s.mine, name), 'kubectl delete -> finalize -> the bucket deleted');
    });

    await t.test('retain keeps the bucket; a non-empty bucket waits, then empty-on-delete finishes it', async (t) => {
      const kept = s.bucket('kept');
      kubectlOk(env, ['apply', '-f', '-'], { input: manifest({ name: kept }, { 'services.k8s.aws/deletion-policy': 'retain' }, 'kept') });
      await waitForObject(api, bucketPath(ns, 'kept'), isReady, WAIT, 'kept Ready');
      kubectlOk(env, ['-n', ns, 'delete', 'bucket', 'kept', '--timeout=60s']);
      t.ok(await bucketExists(s.mine, kept), 'retained');
      t.same(await tagsOf(kept), {}, 'released: the ownership tags removed');

      const full = s.bucket('full');
      kubectlOk(env, ['apply', '-f', '-'], { input: manifest({ name: full }, {}, 'full') });
      await waitForObject(api, bucketPath(ns, 'full'), isReady, WAIT, 'full Ready');
      await s.mine.send(new PutObjectCommand({ Bucket: full, Key: 'report.csv', Body: 'a,b\n' }));
      kubectlOk(env, ['-n', ns, 'delete', 'bucket', 'full', '--wait=false']);
      const blocked = await waitForObject(
        api,
        bucketPath(ns, 'full'),
        (o) => condition(o, 'ACK.Recoverable')?.reason === 'BucketNotEmpty',
        WAIT,
        'BucketNotEmpty',
      );
      t.match(
        condition(blocked, 'ACK.Recoverable')?.message ?? '',
        /annotate the Bucket s3\.services\.k8s\.aws\/empty-on-delete=true/,
        'the message names the opt-in',
      );
      t.ok(await bucketExists(s.mine, full), 'nothing removed');
      kubectlOk(env, ['-n', ns, 'annotate', 'bucket', 'full', 's3.services.k8s.aws/empty-on-delete=true']);
      await waitForObject(api, bucketPath(ns, 'full'), (o) => o === undefined, WAIT, 'the emptied Bucket gone');
      t.notOk(await bucketExists(s.mine, full), 'emptied, then deleted');
    });

    await t.test('the calls Metacontroller made broke no contract rule', async (t) => {
      const calls = await s.mc.calls();
      t.ok(calls.length > 10, `${calls.length} hook calls`);
      t.same(
        calls.flatMap((c) => c.violations),
        [],
        'no violation',
      );
      t.same([...new Set(calls.map((c) => c.code))], ['200'], 'every call answered 200');
    });
  });
}
