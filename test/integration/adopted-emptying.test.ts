// Issue 23, finding 3, against Ceph RGW: with the default ADOPTION_NAMESPACES=* any namespace could adopt
// an untagged (or released) bucket with empty-on-delete and delete everything in it. The ownership tags
// now say how the bucket became the Bucket's (services.k8s.aws/origin), and emptying one it adopted is the
// admin's decision (EMPTY_ADOPTED_BUCKETS_NAMESPACES, default none); a bucket it created is emptied as before.
import { CreateBucketCommand, GetBucketTaggingCommand, ListObjectsV2Command, PutObjectCommand, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import t from 'tap';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import type { TenancyRules } from '../../src/reconciler/rules/tenancy.js';
import { bucketResource, envelope, type BucketInput } from '../support/envelope.js';
import { bucketExists, CallCounter, hookApp, rawClient, removeBucket, rgwEnv, settle, uniqueBucket } from '../support/rgw.js';

const env = rgwEnv();
const mine = rawClient(env, 'hook');
const cleanup: Array<() => Promise<void>> = [];
t.teardown(async () => {
  for (const c of cleanup) await c();
  mine.destroy();
});

const TEAM = { namespace: 'team-x', name: 'data', uid: 'eeeeeeee-3333-4000-8000-000000000003' };
const EMPTY = { 's3.services.k8s.aws/empty-on-delete': 'true' };
const ADOPT = { 's3.services.k8s.aws/empty-on-delete': 'true', 'services.k8s.aws/adoption-policy': 'adopt' };
const deleting = { deletionTimestamp: '2026-11-24T12:00:00Z', generation: 2 };
const reason = (r: HookResponse, type: string) => r.status.conditions?.find((c) => c.type === type)?.reason;
const message = (r: HookResponse, type: string) => r.status.conditions?.find((c) => c.type === type)?.message ?? '';
const objectCount = async (bucket: string) => (await mine.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount ?? 0;
const originOf = async (bucket: string) =>
  ((await mine.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet ?? []).find((x) => x.Key === 'services.k8s.aws/origin')?.Value;

function hook(tenancy?: TenancyRules) {
  const counter = new CallCounter();
  const app = hookApp(env, counter, tenancy ? { tenancy } : {});
  t.teardown(() => app.close());
  const once = async (input: BucketInput, finalizing: boolean): Promise<HookResponse> =>
    (await app.inject({ method: 'POST', url: finalizing ? '/finalize' : '/sync', payload: envelope(bucketResource(input), finalizing) })).json<HookResponse>();
  const sync = (input: BucketInput) => settle((status) => once(status ? { ...input, status } : input, false), input.status);
  return { counter, sync, finalize: (input: BucketInput) => once(input, true) };
}

async function bucketWithObjects(prefix: string): Promise<string> {
  const bucket = uniqueBucket(prefix);
  await mine.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(env.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: env.region as BucketLocationConstraint } }),
    }),
  );
  cleanup.push(() => removeBucket(mine, bucket));
  await putObjects(bucket);
  return bucket;
}

async function putObjects(bucket: string): Promise<void> {
  for (const key of ['a.csv', 'b.csv', 'c.csv']) await mine.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
}

t.test('adopted in the default install: empty-on-delete deletes no object, the deletion waits as EmptyingNotAllowed', async (t) => {
  const { counter, sync, finalize } = hook();
  const bucket = await bucketWithObjects('adopted');
  const adopted = await sync({ ...TEAM, annotations: ADOPT, spec: { name: bucket } });
  t.equal(reason(adopted, 'Ready'), 'Available', 'adoption is allowed by default (ADOPTION_NAMESPACES=*)');
  t.equal(await originOf(bucket), 'adopted');

  counter.reset();
  const refused = await finalize({ ...TEAM, annotations: ADOPT, spec: { name: bucket }, status: adopted.status, ...deleting });
  t.equal(refused.finalized, false, 'the resource waits');
  t.equal(reason(refused, 'ACK.Terminal'), 'EmptyingNotAllowed');
  t.match(
    message(refused, 'ACK.Terminal'),
    /this resource adopted it.*EMPTY_ADOPTED_BUCKETS_NAMESPACES, which does not list namespace team-x\). Nothing was deleted\./,
  );
  t.ok((refused.resyncAfterSeconds ?? 0) > 0, 're-checked with backoff');
  t.same(counter.writes(), ['DeleteBucket'], 'the one write S3 refused (BucketNotEmpty): no DeleteObjects');
  t.equal(await objectCount(bucket), 3, 'every object kept');
  t.equal(await bucketExists(mine, bucket), true);
});

t.test('EMPTY_ADOPTED_BUCKETS_NAMESPACES lists the namespace: the adopted bucket is emptied and deleted', async (t) => {
  const { sync, finalize } = hook({ adoptionNamespaces: 'all', emptyAdoptedNamespaces: ['team-x'] });
  const bucket = await bucketWithObjects('allowed');
  const adopted = await sync({ ...TEAM, annotations: ADOPT, spec: { name: bucket } });
  t.equal(reason(adopted, 'Ready'), 'Available');
  let answer = await finalize({ ...TEAM, annotations: ADOPT, spec: { name: bucket }, status: adopted.status, ...deleting });
  for (let call = 0; call < 10 && answer.finalized !== true; call++)
    answer = await finalize({ ...TEAM, annotations: ADOPT, spec: { name: bucket }, status: answer.status, ...deleting });
  t.equal(answer.finalized, true);
  t.equal(reason(answer, 'Ready'), 'Deleted');
  t.equal(await bucketExists(mine, bucket), false);
});

t.test('created by the Bucket: origin created, emptied and deleted with no admin setting', async (t) => {
  const { sync, finalize } = hook();
  const bucket = uniqueBucket('created');
  cleanup.push(() => removeBucket(mine, bucket));
  const created = await sync({ ...TEAM, annotations: EMPTY, spec: { name: bucket } });
  t.equal(reason(created, 'Ready'), 'Available');
  t.equal(await originOf(bucket), 'created');
  await putObjects(bucket);
  let answer = await finalize({ ...TEAM, annotations: EMPTY, spec: { name: bucket }, status: created.status, ...deleting });
  for (let call = 0; call < 10 && answer.finalized !== true; call++)
    answer = await finalize({ ...TEAM, annotations: EMPTY, spec: { name: bucket }, status: answer.status, ...deleting });
  t.equal(answer.finalized, true);
  t.equal(await bucketExists(mine, bucket), false);
});
