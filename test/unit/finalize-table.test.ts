// The finalize core as a table, in crossplane-runtime's manner, through the production entry (reconcile(),
// via test/support/core.ts): each row is (the S3 state the fake starts from, the Bucket's spec and
// annotations) -> (the answer's conditions in order, finalized, when to call again, the emptying
// progress, every S3 call the fake saw in order, and the S3 state after). One loop runs them all.
import t from 'tap';
import { finalize, sync } from '../support/core.js';
import { testDeps } from '../support/deps.js';
import { bucketResource } from '../support/envelope.js';
import { FakeS3, type FakeBucket, type Injected } from '../support/fake-s3.js';
import { ANNOTATION } from '../../src/reconciler/rules/annotations.js';
import type { EmptyingProgress, HookResponse } from '../../src/reconciler/model/resource.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };
const CREATED = { ...OURS, 'services.k8s.aws/origin': 'created' };
const ADOPTED = { ...OURS, 'services.k8s.aws/origin': 'adopted' };
const OTHER_RESOURCE = { ...OURS, 'services.k8s.aws/uid': 'someone-else' };

/** The bucket as the fake holds it after the call (null: no such bucket); `objects` counts versions too. */
interface BucketState {
  tags: Record<string, string>;
  objects: number;
}

interface Row {
  name: string;
  /** The bucket NAME as it is before the call (none: no bucket). */
  seed?: Partial<FakeBucket>;
  fail?: [operation: string, failure: Injected];
  /**
   * The bucket was created by an earlier sync of this Bucket, whose status (this hook's claim on the name,
   * the ARN) the deletion receives; then, out of band, deleted or taken over by another account.
   */
  created?: { then?: 'gone' | 'another-account' };
  spec?: Record<string, unknown>;
  annotations?: Record<string, string>;
  want: {
    /** type=status/reason, in the answer's order. */
    conditions: string[];
    finalized: boolean;
    resync: number | undefined;
    /** Whether ackResourceMetadata names the region (it does for every answer about a bucket; not when the Bucket names none). */
    metadata: boolean;
    emptying?: EmptyingProgress;
    calls: string[];
    bucket: BucketState | null;
  };
}

/** Over (Deleted, Retained, LeftInPlace): no condition is True, Reconciling says it until the object is gone. */
const settledAs = (reason: string) => [`ACK.ResourceSynced=False/${reason}`, `Reconciling=True/${reason}`, `Ready=False/${reason}`];
const terminalAs = (reason: string) => [`ACK.Terminal=True/${reason}`, `ACK.ResourceSynced=False/${reason}`, `Stalled=True/${reason}`, `Ready=False/${reason}`];
const bucket = (tags: Record<string, string>, objects = 0): BucketState => ({ tags, objects });
const READ_TAGS = ['HeadBucket', 'GetBucketTagging'];
/** With this hook's claim and the ARN in the status: the tags first, in place of HeadBucket (observe.ts, tagsFirst). */
const CLAIMED = ['GetBucketTagging'];

const rows: Row[] = [
  {
    name: 'deleted: our empty bucket',
    seed: { tags: OURS },
    want: { conditions: settledAs('Deleted'), finalized: true, resync: undefined, metadata: true, calls: [...READ_TAGS, 'DeleteBucket'], bucket: null },
  },
  {
    name: 'deleted: the bucket this resource created, its claim in the status: the tags read first, no HeadBucket',
    created: {},
    want: { conditions: settledAs('Deleted'), finalized: true, resync: undefined, metadata: true, calls: [...CLAIMED, 'DeleteBucket'], bucket: null },
  },
  {
    name: 'retained, claimed: the tags read first, the ownership tags removed',
    created: {},
    annotations: { [ANNOTATION.deletionPolicy]: 'retain' },
    want: {
      conditions: settledAs('Retained'),
      finalized: true,
      resync: undefined,
      metadata: true,
      calls: [...CLAIMED, 'DeleteBucketTagging'],
      bucket: bucket({}),
    },
  },
  {
    name: 'claimed, already gone: NoSuchBucket from GetBucketTagging, Deleted after that one call',
    created: { then: 'gone' },
    want: { conditions: settledAs('Deleted'), finalized: true, resync: undefined, metadata: true, calls: CLAIMED, bucket: null },
  },
  {
    name: "claimed, the name now another account's: GetBucketTagging 403 says nothing sure, HeadBucket 403: left in place",
    created: { then: 'another-account' },
    want: {
      conditions: settledAs('LeftInPlace'),
      finalized: true,
      resync: undefined,
      metadata: true,
      calls: [...CLAIMED, 'HeadBucket'],
      bucket: bucket(CREATED),
    },
  },
  {
    name: 'retained: only the ownership tags removed, the other tags written back',
    seed: { tags: { ...OURS, team: 'a' } },
    annotations: { [ANNOTATION.deletionPolicy]: 'retain' },
    want: {
      conditions: settledAs('Retained'),
      finalized: true,
      resync: undefined,
      metadata: true,
      calls: [...READ_TAGS, 'PutBucketTagging'],
      bucket: bucket({ team: 'a' }),
    },
  },
  {
    name: 'retained with nothing but the ownership tags: the tag set deleted',
    seed: { tags: CREATED },
    annotations: { [ANNOTATION.deletionPolicy]: 'retain' },
    want: {
      conditions: settledAs('Retained'),
      finalized: true,
      resync: undefined,
      metadata: true,
      calls: [...READ_TAGS, 'DeleteBucketTagging'],
      bucket: bucket({}),
    },
  },
  {
    name: 'retained, not ours: tags left as they are',
    seed: { tags: { owner: 'ops' } },
    annotations: { [ANNOTATION.deletionPolicy]: 'retain' },
    want: { conditions: settledAs('Retained'), finalized: true, resync: undefined, metadata: true, calls: READ_TAGS, bucket: bucket({ owner: 'ops' }) },
  },
  {
    name: 'left in place: an unmarked bucket is not ours to delete',
    seed: { tags: { owner: 'ops' } },
    want: { conditions: settledAs('LeftInPlace'), finalized: true, resync: undefined, metadata: true, calls: READ_TAGS, bucket: bucket({ owner: 'ops' }) },
  },
  {
    name: "left in place: another Bucket resource's bucket",
    seed: { tags: OTHER_RESOURCE },
    want: { conditions: settledAs('LeftInPlace'), finalized: true, resync: undefined, metadata: true, calls: READ_TAGS, bucket: bucket(OTHER_RESOURCE) },
  },
  {
    name: "left in place: another account's bucket (HeadBucket 403), tags never read",
    seed: { owner: 'another-account', tags: OURS },
    want: { conditions: settledAs('LeftInPlace'), finalized: true, resync: undefined, metadata: true, calls: ['HeadBucket'], bucket: bucket(OURS) },
  },
  {
    name: 'not empty: BucketNotEmpty, nothing deleted, the finalizer kept, backoff',
    seed: { tags: OURS, objects: 3 },
    want: {
      conditions: ['ACK.Recoverable=True/BucketNotEmpty', 'ACK.ResourceSynced=False/BucketNotEmpty', 'Reconciling=True/Deleting', 'Ready=False/Deleting'],
      finalized: false,
      resync: 5,
      metadata: true,
      calls: [...READ_TAGS, 'DeleteBucket'],
      bucket: bucket(OURS, 3),
    },
  },
  {
    name: 'empty-on-delete on a bucket it created: versions listed and deleted, uploads listed, then the bucket',
    seed: { tags: CREATED, objects: 2 },
    annotations: { [ANNOTATION.emptyOnDelete]: 'true' },
    want: {
      conditions: settledAs('Deleted'),
      finalized: true,
      resync: undefined,
      metadata: true,
      emptying: { objectsDeleted: 2, uploadsAborted: 0 },
      calls: [...READ_TAGS, 'ListObjectVersions', 'DeleteObjects', 'ListMultipartUploads', 'DeleteBucket'],
      bucket: null,
    },
  },
  {
    name: 'empty-on-delete on an adopted bucket (no admin consent): no object deleted, EmptyingNotAllowed, re-checked',
    seed: { tags: ADOPTED, objects: 2 },
    annotations: { [ANNOTATION.emptyOnDelete]: 'true' },
    want: {
      conditions: terminalAs('EmptyingNotAllowed'),
      finalized: false,
      resync: 5,
      metadata: true,
      calls: [...READ_TAGS, 'DeleteBucket'],
      bucket: bucket(ADOPTED, 2),
    },
  },
  {
    name: 'invalid deletion policy: no S3 call, the bucket and the finalizer kept, no requeue',
    seed: { tags: OURS },
    annotations: { [ANNOTATION.deletionPolicy]: 'retian' },
    want: { conditions: terminalAs('InvalidDeletionPolicy'), finalized: false, resync: undefined, metadata: false, calls: [], bucket: bucket(OURS) },
  },
  {
    name: 'bucket already gone: Deleted after one HeadBucket',
    want: { conditions: settledAs('Deleted'), finalized: true, resync: undefined, metadata: true, calls: ['HeadBucket'], bucket: null },
  },
  {
    name: 'read-only: no S3 call, LeftInPlace',
    seed: { tags: OURS },
    annotations: { [ANNOTATION.readOnly]: 'true' },
    want: { conditions: settledAs('LeftInPlace'), finalized: true, resync: undefined, metadata: true, calls: [], bucket: bucket(OURS) },
  },
  {
    name: 'an invalid name: nothing can have been created, Deleted without S3 calls',
    spec: { name: 'Bad_Name' },
    want: { conditions: settledAs('Deleted'), finalized: true, resync: undefined, metadata: false, calls: [], bucket: null },
  },
  {
    name: 'S3 refuses DeleteBucket (AccessDenied): the finalizer kept, backoff',
    seed: { tags: OURS },
    fail: ['DeleteBucket', { code: 'AccessDenied', kind: 'access-denied', status: 403 }],
    want: {
      conditions: ['ACK.Recoverable=True/AccessDenied', 'ACK.ResourceSynced=False/AccessDenied', 'Reconciling=True/AccessDenied', 'Ready=False/AccessDenied'],
      finalized: false,
      resync: 5,
      metadata: true,
      calls: [...READ_TAGS, 'DeleteBucket'],
      bucket: bucket(OURS),
    },
  },
  {
    name: 'paused: the deletion waits, no S3 call',
    seed: { tags: OURS },
    annotations: { [ANNOTATION.paused]: 'true' },
    want: { conditions: settledAs('Paused'), finalized: false, resync: undefined, metadata: false, calls: [], bucket: bucket(OURS) },
  },
];

function conditionPairs(response: HookResponse): string[] {
  return (response.status.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`);
}

function stateOf(fake: FakeS3): BucketState | null {
  const b = fake.buckets.get(NAME);
  return b ? { tags: b.tags, objects: b.objects + (b.versions?.length ?? 0) } : null;
}

for (const row of rows) {
  t.test(row.name, async (t) => {
    const fake = new FakeS3();
    if (row.seed) fake.seed(NAME, row.seed);
    const deps = testDeps(fake.factory());
    const status = row.created ? (await sync(bucketResource({ uid: UID, spec: row.spec ?? { name: NAME } }), deps)).status : undefined;
    if (row.created) {
      t.equal(status?.claim?.bucket, NAME, 'the earlier sync claimed the name');
      fake.calls.length = 0;
    }
    if (row.created?.then === 'gone') fake.buckets.delete(NAME);
    if (row.created?.then === 'another-account') fake.buckets.get(NAME)!.owner = 'another-account';
    if (row.fail) fake.fail(...row.fail);
    const response = await finalize(
      bucketResource({
        uid: UID,
        spec: row.spec ?? { name: NAME },
        deletionTimestamp: '2026-11-24T10:00:00Z',
        generation: 3,
        ...(row.annotations ? { annotations: row.annotations } : {}),
        ...(status ? { status } : {}),
      }),
      deps,
    );

    const { want } = row;
    t.same(conditionPairs(response), want.conditions, 'conditions');
    t.equal(response.finalized, want.finalized, 'finalized');
    t.equal(response.resyncAfterSeconds, want.resync, 'resyncAfterSeconds');
    // A deletion never reports the bucket as the resource's (no ARN, no location, no claim).
    t.same(response.status.ackResourceMetadata, want.metadata ? { region: 'eu-west-1' } : undefined, 'ackResourceMetadata, without ARN');
    t.equal(response.status.location, undefined, 'no location');
    t.equal(response.status.claim, undefined, 'no claim');
    t.equal(response.status.observedGeneration, 3, 'observedGeneration');
    t.same(response.status.emptying, want.emptying, 'emptying progress');
    t.same(fake.calls, want.calls, 'S3 calls, in order');
    t.same(stateOf(fake), want.bucket, 'S3 after');
  });
}
