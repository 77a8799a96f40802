// Issue 23, finding 1, against Ceph RGW: a status is not proof of ownership. An untagged bucket of this
// account holding objects ("victim"), and a fresh Bucket of another namespace whose status forges the
// victim's ARN and location (what a token holder, or anyone who may write buckets/status, can send).
// Before the fix the hook answered Synced, tagged the victim as the Bucket's, planned its policy, and a
// finalize with empty-on-delete then deleted its objects and the bucket. Now: nothing is written, the
// answer is NotOwned, and finalize leaves the bucket and its objects alone. Under the three admin
// settings the issue names: the defaults, ADOPTION_NAMESPACES=none, BUCKET_NAME_PREFIX={namespace}-.
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import t from 'tap';
import type { BucketStatus, HookResponse } from '../../src/reconciler/model/resource.js';
import { ClaimKey } from '../../src/reconciler/rules/claim-proof.js';
import type { TenancyRules } from '../../src/reconciler/rules/tenancy.js';
import { bucketResource, envelope, type BucketInput } from '../support/envelope.js';
import { CallCounter, hookApp, rawClient, removeBucket, rgwEnv, uniqueBucket } from '../support/rgw.js';

const env = rgwEnv();
const mine = rawClient(env, 'hook');
const cleanup: Array<() => Promise<void>> = [];
t.teardown(async () => {
  for (const c of cleanup) await c();
  mine.destroy();
});

const ATTACKER = { namespace: 'team-x', name: 'grab', uid: 'eeeeeeee-0000-4000-8000-00000000000e' };
const reason = (r: HookResponse, type: string) => r.status.conditions?.find((c) => c.type === type)?.reason;
const publicRead = (bucket: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] });
/** The forged status: "this Bucket already reports that bucket", as the crash-safe create's status did. */
const forged = (bucket: string): BucketStatus => ({ ackResourceMetadata: { arn: `arn:aws:s3:::${bucket}`, region: env.region }, location: `/${bucket}` });

async function victim(): Promise<string> {
  const bucket = uniqueBucket('victim');
  await mine.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(env.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: env.region as BucketLocationConstraint } }),
    }),
  );
  cleanup.push(() => removeBucket(mine, bucket));
  for (const key of ['ledger.csv', 'report.pdf']) await mine.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${key} of another team` }));
  return bucket;
}

const objectCount = async (bucket: string) => (await mine.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount ?? 0;
const tagCount = async (bucket: string) =>
  mine.send(new GetBucketTaggingCommand({ Bucket: bucket })).then(
    (out) => out.TagSet?.length ?? 0,
    () => 0,
  );
async function hasPolicy(bucket: string): Promise<boolean> {
  try {
    await mine.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchBucketPolicy') return false;
    throw err;
  }
}

const SETTINGS: Array<[string, TenancyRules | undefined]> = [
  ['the defaults (ADOPTION_NAMESPACES=*)', undefined],
  ['ADOPTION_NAMESPACES=none', { adoptionNamespaces: [] }],
  ['BUCKET_NAME_PREFIX={namespace}-', { adoptionNamespaces: 'all', bucketNamePrefix: '{namespace}-' }],
];

for (const [setting, tenancy] of SETTINGS) {
  t.test(`a forged status takes no untagged bucket, with ${setting}`, async (t) => {
    const counter = new CallCounter();
    const app = hookApp(env, counter, tenancy ? { tenancy } : {});
    t.teardown(() => app.close());
    const call = async (input: BucketInput, finalizing: boolean): Promise<HookResponse> => {
      const res = await app.inject({ method: 'POST', url: finalizing ? '/finalize' : '/sync', payload: envelope(bucketResource(input), finalizing) });
      t.equal(res.statusCode, 200, 'answered 200');
      return res.json<HookResponse>();
    };
    const bucket = await victim();
    const input: BucketInput = { ...ATTACKER, spec: { name: bucket, policy: publicRead(bucket) }, status: forged(bucket) };

    const answer = await call(input, false);
    t.equal(reason(answer, 'ACK.Terminal'), 'NotOwned', 'a clear terminal answer');
    t.equal(answer.status.ackResourceMetadata?.arn, undefined, "the bucket is not reported as this Bucket's");
    t.same(counter.writes(), [], 'nothing written to S3');
    t.equal(await tagCount(bucket), 0, 'no ownership tag');
    t.equal(await hasPolicy(bucket), false, 'no policy');

    // Metacontroller would send the answered status; a hostile writer of buckets/status sends the forged one again.
    for (const status of [answer.status, forged(bucket)]) {
      const gone = await call(
        { ...input, status, annotations: { 's3.services.k8s.aws/empty-on-delete': 'true' }, deletionTimestamp: '2026-11-24T12:00:00Z' },
        true,
      );
      t.equal(gone.finalized, true, 'the resource may go');
      t.equal(reason(gone, 'Ready'), 'LeftInPlace');
    }
    t.same(counter.writes(), [], 'still nothing written: no object deleted, no bucket deleted');
    t.equal(await objectCount(bucket), 2, 'every object is still there');
  });
}

// The claims, on RGW: only one this hook signed for this resource and bucket counts, and only on a bucket
// no older than the claim (ListBuckets' CreationDate, which RGW reports to the millisecond).
t.test('claims: forged or older than the bucket, nothing is written; the interrupted create of this very Bucket finishes', async (t) => {
  const key = ClaimKey.random();
  const counter = new CallCounter();
  const app = hookApp(env, counter, { claimKey: key });
  t.teardown(() => app.close());
  const call = async (input: BucketInput): Promise<HookResponse> =>
    (await app.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource(input)) })).json<HookResponse>();
  const bucket = await victim();
  const before = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const cases: Array<[string, BucketStatus['claim']]> = [
    ['a claim signed with another key', ClaimKey.random().sign(ATTACKER, bucket, before)],
    ['a claim of this hook for another resource', key.sign({ ...ATTACKER, uid: 'ffffffff-0000-4000-8000-00000000000f' }, bucket, before)],
    ['a valid claim made after the bucket was created', key.sign(ATTACKER, bucket, new Date(Date.now() + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'))],
  ];
  for (const [what, claim] of cases) {
    counter.reset();
    const answer = await call({ ...ATTACKER, spec: { name: bucket, policy: publicRead(bucket) }, status: { ...forged(bucket), claim } });
    t.equal(reason(answer, 'ACK.Terminal'), 'NotOwned', what);
    t.same(counter.writes(), [], `${what}: nothing written`);
    t.equal(answer.status.claim, undefined, `${what}: no claim answered`);
  }
  t.equal(await tagCount(bucket), 0);
  t.equal(await hasPolicy(bucket), false);
  t.equal(await objectCount(bucket), 2);

  // The claim made an hour before the bucket existed (the reservation of an interrupted create): it is ours.
  counter.reset();
  const finished = await call({ ...ATTACKER, spec: { name: bucket }, status: { ...forged(bucket), claim: key.sign(ATTACKER, bucket, before) } });
  t.equal(reason(finished, 'Ready'), 'Available');
  t.same(
    counter.calls.filter((c) => c === 'ListBuckets'),
    ['ListBuckets'],
    'one ListBuckets, for the creation date',
  );
  t.same(counter.writes(), ['PutBucketTagging']);
  const tags: Record<string, string | undefined> = Object.fromEntries(
    ((await mine.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet ?? []).map((x) => [x.Key ?? '', x.Value]),
  );
  t.equal(tags['services.k8s.aws/origin'], 'created');
  t.equal(tags['services.k8s.aws/uid'], ATTACKER.uid);
});
