// The sync core as a table, in crossplane-runtime's manner, through the production entry (reconcile(),
// via test/support/core.ts): each row is (the status received, the S3 state the fake starts from, the
// Bucket's spec and annotations) -> (the answer's conditions in order, the status fields that matter,
// when to call again, every S3 call the fake saw in order, and the S3 state after). One loop runs them all.
import t from 'tap';
import { sync } from '../support/core.js';
import { testDeps } from '../support/deps.js';
import { bucketResource } from '../support/envelope.js';
import { FakeS3, type FakeBucket, type FakeCreateTags, type Injected } from '../support/fake-s3.js';
import { ANNOTATION } from '../../src/reconciler/rules/annotations.js';
import type { BucketStatus, DriftCorrections, HookResponse } from '../../src/reconciler/model/resource.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const NOW = '2026-11-24T10:00:00Z';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };
const CREATED = { ...OURS, 'services.k8s.aws/origin': 'created' };
const ADOPTED = { ...OURS, 'services.k8s.aws/origin': 'adopted' };
const SPEC = { name: NAME, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };
/** HeadBucket, then the ownership tags and every managed field in one parallel round trip (in FIELDS order). */
const CHECK = ['HeadBucket', 'GetBucketTagging', 'GetBucketVersioning'];
/** A bucket this hook claimed and reported: its tags first, in place of HeadBucket (observe.ts, tagsFirst), then the other fields. */
const CLAIMED_CHECK = ['GetBucketTagging', 'GetBucketVersioning'];

/** The bucket as the fake holds it after the call (null: no such bucket). */
interface BucketState {
  tags: Record<string, string>;
  versioning?: string;
  region: string;
}

interface Row {
  name: string;
  /** What the store does with tags sent in CreateBucket: FakeS3's default keeps them (AWS); 'ignored' drops them (Ceph RGW). */
  store?: FakeCreateTags;
  /** The bucket NAME as it is before the call (none: no bucket). */
  seed?: Partial<FakeBucket> & { versioning?: string };
  fail?: [operation: string, failure: Injected];
  /**
   * The status received: literal, or the answer of an earlier sync of this table's Bucket (default spec
   * and annotations) on the same store: 'created' after its create, 'reserved' after the reservation.
   */
  previous?: BucketStatus | 'created' | 'reserved';
  /** What changes in S3 out of band after that earlier sync. */
  outOfBand?: { tags?: Record<string, string>; versioning?: string; gone?: boolean; owner?: string };
  spec?: Record<string, unknown>;
  annotations?: Record<string, string>;
  generation?: number;
  want: {
    /** type=status/reason, in the answer's order. */
    conditions: string[];
    arn: boolean;
    claim: boolean;
    resync: number | undefined;
    calls: string[];
    bucket: BucketState | null;
    /** status.plan's writes (calls), when a plan waits for approval. */
    plan?: string[];
    driftCorrections?: DriftCorrections;
  };
}

const SYNCED = ['ACK.ResourceSynced=True/Synced', 'Ready=True/Available'];
const terminalAs = (reason: string) => [`ACK.Terminal=True/${reason}`, `ACK.ResourceSynced=False/${reason}`, `Stalled=True/${reason}`, `Ready=False/${reason}`];
const recoverableAs = (reason: string) => [
  `ACK.Recoverable=True/${reason}`,
  `ACK.ResourceSynced=False/${reason}`,
  `Reconciling=True/${reason}`,
  `Ready=False/${reason}`,
];
const progressingAs = (reason: string) => [`ACK.ResourceSynced=False/${reason}`, `Reconciling=True/${reason}`, `Ready=False/${reason}`];
const bucket = (tags: Record<string, string>, versioning?: string, region = 'eu-west-1'): BucketState => ({
  tags,
  ...(versioning ? { versioning } : {}),
  region,
});

const rows: Row[] = [
  {
    name: 'create on a store that keeps the create tags: tags ride on CreateBucket, nothing read back, versioning written',
    want: {
      conditions: SYNCED,
      arn: true,
      claim: true,
      resync: 600,
      calls: ['HeadBucket', 'CreateBucket', 'PutBucketVersioning'],
      bucket: bucket({ team: 'a', ...CREATED }, 'Enabled'),
    },
  },
  {
    name: 'create on a store that drops create tags, first sync: only the claim on the name is answered (Creating, again in 1 s)',
    store: 'ignored',
    want: { conditions: progressingAs('Creating'), arn: true, claim: true, resync: 0.2, calls: ['HeadBucket'], bucket: null },
  },
  {
    name: 'create on a store that drops create tags, with the claim: create, tags read back (dropped), then written with versioning',
    store: 'ignored',
    previous: 'reserved',
    want: {
      conditions: SYNCED,
      arn: true,
      claim: true,
      resync: 600,
      // The reservation reported the bucket with its claim: the tags are asked first, and NoSuchBucket stands for HeadBucket's 404.
      calls: ['GetBucketTagging', 'CreateBucket', 'GetBucketTagging', 'PutBucketTagging', 'PutBucketVersioning'],
      bucket: bucket({ team: 'a', ...CREATED }, 'Enabled'),
    },
  },
  {
    name: 'in sync: k reads (the tags first, no HeadBucket), no write, the claim kept',
    previous: 'created',
    want: { conditions: SYNCED, arn: true, claim: true, resync: 600, calls: CLAIMED_CHECK, bucket: bucket({ team: 'a', ...CREATED }, 'Enabled') },
  },
  {
    name: 'drift corrected: tags and versioning put back, each correction remembered for the drift-loop guard',
    previous: 'created',
    outOfBand: { tags: { ...CREATED, team: 'b', extra: 'x' }, versioning: 'Suspended' },
    want: {
      conditions: SYNCED,
      arn: true,
      claim: true,
      resync: 600,
      calls: [...CLAIMED_CHECK, 'PutBucketTagging', 'PutBucketVersioning'],
      bucket: bucket({ team: 'a', ...CREATED }, 'Enabled'),
      driftCorrections: {
        fields: [
          { field: 'spec.tagging', times: [NOW] },
          { field: 'spec.versioning', times: [NOW] },
        ],
      },
    },
  },
  {
    name: 'spec change (generation 2): only the changed field written, not counted as drift',
    previous: 'created',
    generation: 2,
    spec: { ...SPEC, versioning: { status: 'Suspended' } },
    want: {
      conditions: SYNCED,
      arn: true,
      claim: true,
      resync: 600,
      calls: [...CLAIMED_CHECK, 'PutBucketVersioning'],
      bucket: bucket({ team: 'a', ...CREATED }, 'Suspended'),
    },
  },
  {
    name: 'the claimed bucket deleted out of band: GetBucketTagging answers NoSuchBucket (no HeadBucket), created again under the claim',
    previous: 'created',
    outOfBand: { gone: true },
    want: {
      conditions: SYNCED,
      arn: true,
      claim: true,
      resync: 600,
      calls: ['GetBucketTagging', 'CreateBucket', 'PutBucketVersioning'],
      bucket: bucket({ team: 'a', ...CREATED }, 'Enabled'),
    },
  },
  {
    name: "the claimed name now another account's: GetBucketTagging 403 says nothing sure, HeadBucket 403 decides NameTaken",
    previous: 'created',
    outOfBand: { owner: 'another-account' },
    want: {
      conditions: terminalAs('NameTaken'),
      arn: false,
      claim: false,
      resync: undefined,
      calls: ['GetBucketTagging', 'HeadBucket'],
      bucket: bucket({ team: 'a', ...CREATED }, 'Enabled'),
    },
  },
  {
    name: 'adopt allowed: the ownership tags (origin adopted) written with the spec tags, versioning already right',
    seed: { tags: { owner: 'ops' }, versioning: 'Enabled' },
    annotations: { [ANNOTATION.adoptionPolicy]: 'adopt' },
    want: {
      conditions: SYNCED,
      arn: true,
      claim: false,
      resync: 600,
      calls: [...CHECK, 'PutBucketTagging'],
      bucket: bucket({ team: 'a', ...ADOPTED }, 'Enabled'),
    },
  },
  {
    name: 'an unmarked bucket without adoption: NotOwned, re-checked with backoff, nothing written',
    seed: { tags: { owner: 'ops' } },
    want: { conditions: terminalAs('NotOwned'), arn: false, claim: false, resync: 5, calls: CHECK, bucket: bucket({ owner: 'ops' }) },
  },
  {
    name: "another Bucket resource's bucket, even with adopt: ManagedElsewhere, re-checked with backoff",
    seed: { tags: { ...OURS, 'services.k8s.aws/uid': 'someone-else' } },
    annotations: { [ANNOTATION.adoptionPolicy]: 'adopt' },
    want: {
      conditions: terminalAs('ManagedElsewhere'),
      arn: false,
      claim: false,
      resync: 5,
      calls: CHECK,
      bucket: bucket({ ...OURS, 'services.k8s.aws/uid': 'someone-else' }),
    },
  },
  {
    name: "another account's name (HeadBucket 403): NameTaken, no requeue, nothing more asked",
    seed: { owner: 'another-account' },
    want: { conditions: terminalAs('NameTaken'), arn: false, claim: false, resync: undefined, calls: ['HeadBucket'], bucket: bucket({}) },
  },
  {
    name: 'the bucket in another region (HeadBucket 301): WrongRegion, no requeue',
    seed: { region: 'us-west-2', tags: OURS },
    want: {
      conditions: terminalAs('WrongRegion'),
      arn: false,
      claim: false,
      resync: undefined,
      calls: ['HeadBucket'],
      bucket: bucket(OURS, undefined, 'us-west-2'),
    },
  },
  {
    name: 'read-only, no bucket: NotFound, retried with backoff, never created',
    annotations: { [ANNOTATION.readOnly]: 'true' },
    want: { conditions: recoverableAs('NotFound'), arn: false, claim: false, resync: 5, calls: ['HeadBucket'], bucket: null },
  },
  {
    name: 'read-only, S3 differs: ReadOnlyDrift (Ready stays True), observed and never written, no ARN',
    seed: { tags: { team: 'b' }, versioning: 'Suspended' },
    annotations: { [ANNOTATION.readOnly]: 'true' },
    want: {
      conditions: ['ACK.ResourceSynced=False/ReadOnlyDrift', 'Ready=True/Available'],
      arn: false,
      claim: false,
      resync: 600,
      calls: CHECK,
      bucket: bucket({ team: 'b' }, 'Suspended'),
    },
  },
  {
    name: 'paused: no S3 call, the ARN, claim and Ready kept, Synced says Paused, no resync asked',
    previous: 'created',
    outOfBand: { versioning: 'Suspended' },
    annotations: { [ANNOTATION.paused]: 'true' },
    want: {
      conditions: ['ACK.ResourceSynced=False/Paused', 'Ready=True/Available'],
      arn: true,
      claim: true,
      resync: undefined,
      calls: [],
      bucket: bucket({ team: 'a', ...CREATED }, 'Suspended'),
    },
  },
  {
    name: 'invalid spec (an IP address as name): InvalidSpec with no S3 call',
    spec: { name: '192.168.1.1' },
    want: { conditions: terminalAs('InvalidSpec'), arn: false, claim: false, resync: undefined, calls: [], bucket: null },
  },
  {
    name: 'S3 refuses one write (AccessDenied): the other field still written, Recoverable, backoff, the ARN reported',
    seed: { tags: OURS },
    fail: ['PutBucketVersioning', { code: 'AccessDenied', kind: 'access-denied', status: 403 }],
    want: {
      conditions: recoverableAs('AccessDenied'),
      arn: true,
      claim: false,
      resync: 5,
      calls: [...CHECK, 'PutBucketTagging', 'PutBucketVersioning'],
      bucket: bucket({ team: 'a', ...OURS }),
    },
  },
  {
    name: 'approval required: reads sent, the write planned and not sent (PlanPending)',
    seed: { tags: { team: 'a', ...CREATED }, versioning: 'Suspended' },
    previous: { observedGeneration: 1 },
    annotations: { [ANNOTATION.approval]: 'required' },
    want: {
      conditions: progressingAs('PlanPending'),
      arn: false,
      claim: false,
      resync: 600,
      calls: CHECK,
      bucket: bucket({ team: 'a', ...CREATED }, 'Suspended'),
      plan: ['PutBucketVersioning'],
    },
  },
  {
    name: 'drift loop: versioning put back 5 times within the hour and reverted again: blocked now, not written',
    seed: { tags: { team: 'a', ...CREATED }, versioning: 'Suspended' },
    previous: {
      observedGeneration: 1,
      driftCorrections: { fields: [{ field: 'spec.versioning', times: ['09:10', '09:20', '09:30', '09:40', '09:50'].map((hm) => `2026-11-24T${hm}:00Z`) }] },
    },
    want: {
      conditions: terminalAs('DriftLoop'),
      arn: true,
      claim: false,
      resync: 600,
      calls: CHECK,
      bucket: bucket({ team: 'a', ...CREATED }, 'Suspended'),
      driftCorrections: {
        fields: [{ field: 'spec.versioning', times: ['09:10', '09:20', '09:30', '09:40', '09:50'].map((hm) => `2026-11-24T${hm}:00Z`), blockedAt: NOW }],
      },
    },
  },
];

function conditionPairs(response: HookResponse): string[] {
  return (response.status.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`);
}

function stateOf(fake: FakeS3): BucketState | null {
  const b = fake.buckets.get(NAME);
  if (!b) return null;
  const versioning = fake.versioningOf(NAME);
  return { tags: b.tags, ...(versioning ? { versioning } : {}), region: b.region };
}

for (const row of rows) {
  t.test(row.name, async (t) => {
    const fake = new FakeS3('me', row.store ?? 'honoured');
    if (row.seed) fake.seed(NAME, row.seed);
    const deps = testDeps(fake.factory());
    let previous: BucketStatus | undefined;
    if (row.previous === 'created' || row.previous === 'reserved') {
      const earlier = await sync(bucketResource({ uid: UID, spec: SPEC }), deps);
      const reason = earlier.status.conditions?.find((c) => c.type === 'Ready')?.reason;
      t.equal(reason, row.previous === 'created' ? 'Available' : 'Creating', 'the earlier sync got there');
      previous = earlier.status;
      fake.calls.length = 0;
    } else {
      previous = row.previous;
    }
    if (row.outOfBand?.tags) fake.buckets.get(NAME)!.tags = { ...row.outOfBand.tags };
    if (row.outOfBand?.versioning) fake.setVersioning(NAME, row.outOfBand.versioning);
    if (row.outOfBand?.owner) fake.buckets.get(NAME)!.owner = row.outOfBand.owner;
    if (row.outOfBand?.gone) fake.buckets.delete(NAME);
    if (row.fail) fake.fail(...row.fail);

    const response = await sync(
      bucketResource({
        uid: UID,
        spec: row.spec ?? SPEC,
        ...(row.annotations ? { annotations: row.annotations } : {}),
        ...(row.generation ? { generation: row.generation } : {}),
        ...(previous ? { status: previous } : {}),
      }),
      deps,
    );

    const { want } = row;
    t.same(conditionPairs(response), want.conditions, 'conditions');
    t.equal(response.status.ackResourceMetadata?.arn, want.arn ? `arn:aws:s3:::${NAME}` : undefined, 'ARN');
    t.equal(response.status.location, want.arn ? `/${NAME}` : undefined, 'location goes with the ARN');
    t.equal(response.status.claim !== undefined, want.claim, 'claim');
    if (want.claim) t.equal(response.status.claim?.bucket, NAME, 'the claim names the bucket');
    t.equal(response.resyncAfterSeconds, want.resync, 'resyncAfterSeconds');
    t.equal(response.finalized, undefined, 'sync never finalizes');
    t.equal(response.status.observedGeneration, row.generation ?? 1, 'observedGeneration');
    t.same(fake.calls, want.calls, 'S3 calls, in order');
    t.same(stateOf(fake), want.bucket, 'S3 after');
    t.same(
      response.status.plan?.writes.map((w) => w.call),
      want.plan,
      'the plan waiting for approval',
    );
    t.same(response.status.driftCorrections, want.driftCorrections, 'drift corrections');
  });
}
