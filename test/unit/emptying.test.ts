// Opt-in emptying on delete (s3.services.k8s.aws/empty-on-delete: "true") over the fake S3: only with
// deletion policy delete and only for a bucket this resource owns; incremental within a time budget,
// progress in status.emptying; versions under Object Lock never deleted and named; uploads aborted; dry
// runs plan the deletes without making them; without the annotation, BucketNotEmpty as before.
import t from 'tap';
import { deadlineAnswer, finalize } from '../support/core.js';
import { ANNOTATION } from '../../src/reconciler/rules/annotations.js';
import { emptyPass } from '../../src/reconciler/deletion/emptying.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { dryRun } from '../../src/s3/dry-run-port.js';
import type { S3PortFactory } from '../../src/s3/port.js';
import { testDeps } from '../support/deps.js';
import { bucketResource, type BucketInput } from '../support/envelope.js';
import { FakeS3, type FakeVersion } from '../support/fake-s3.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
/** The tags of a bucket this resource created (origin created): emptying needs nobody's consent. */
const OURS = {
  'services.k8s.aws/namespace': 'team-a',
  'services.k8s.aws/name': 'artifacts',
  'services.k8s.aws/uid': UID,
  'services.k8s.aws/origin': 'created',
};
const ADOPTED = { ...OURS, 'services.k8s.aws/origin': 'adopted' };
/** Marked by a hook from before the origin tag: how it became the resource's is unknown. */
const LEGACY = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };
const EMPTY = { [ANNOTATION.emptyOnDelete]: 'true' };
const DELETING = { deletionTimestamp: '2026-11-24T12:00:00Z', generation: 3 };

const brief = (r: HookResponse) => Object.fromEntries((r.status.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));
const message = (r: HookResponse, type = 'Ready') => r.status.conditions?.find((c) => c.type === type)?.message ?? '';

/** `n` versions: keys k00000..., two versions each, every fifth one a delete marker's worth. */
function versions(n: number, prefix = 'k'): FakeVersion[] {
  return Array.from({ length: n }, (_, i) => ({ key: `${prefix}${String(Math.floor(i / 2)).padStart(5, '0')}`, versionId: `v${i % 2}` }));
}

function setup(options: { budgetMs?: number; listMs?: number; factory?: (fake: FakeS3) => S3PortFactory } = {}) {
  const fake = new FakeS3();
  const clock = { now: new Date('2026-11-24T12:00:00Z') };
  // A listing "takes" listMs on the clock the core reads.
  const slow: S3PortFactory = (region) => {
    const port = fake.port(region);
    return {
      ...port,
      listObjectVersions: async (bucket, from, signal) => {
        clock.now = new Date(clock.now.getTime() + (options.listMs ?? 0));
        return port.listObjectVersions(bucket, from, signal);
      },
    };
  };
  const deps = testDeps(options.factory ? options.factory(fake) : slow, clock);
  if (options.budgetMs !== undefined) deps.emptyBudgetMs = options.budgetMs;
  const call = (input: BucketInput = {}) => finalize(bucketResource({ uid: UID, spec: { name: NAME }, ...DELETING, annotations: EMPTY, ...input }), deps);
  return { fake, clock, deps, call };
}

t.test('without the annotation nothing changes: BucketNotEmpty, no listing, nothing deleted', async (t) => {
  const { fake, call } = setup();
  fake.seed(NAME, { tags: OURS, versions: versions(4) });
  const res = await call({ annotations: {} });
  t.equal(res.finalized, false);
  t.equal(brief(res)['ACK.Recoverable'], 'True/BucketNotEmpty');
  t.same(fake.writes(), ['DeleteBucket']);
  t.equal(fake.buckets.get(NAME)!.versions!.length, 4);
  t.equal(res.status.emptying, undefined);
});

t.test('one call: every version and marker deleted in batches of 1,000, uploads aborted, the bucket deleted', async (t) => {
  const { fake, call } = setup();
  fake.seed(NAME, {
    tags: OURS,
    versions: versions(2500),
    uploads: [
      { key: 'big.iso', uploadId: 'u1' },
      { key: 'big.iso', uploadId: 'u2' },
    ],
  });
  const res = await call();
  t.equal(res.finalized, true);
  t.same(brief(res), { 'ACK.ResourceSynced': 'False/Deleted', Reconciling: 'True/Deleted', Ready: 'False/Deleted' });
  t.equal(message(res), `Bucket "${NAME}" was emptied (2500 object versions and delete markers deleted and 2 multipart uploads aborted) and deleted.`);
  t.same(res.status.emptying, { objectsDeleted: 2500, uploadsAborted: 2 });
  t.notOk(fake.buckets.has(NAME));
  t.same(fake.calls, [
    'HeadBucket',
    'GetBucketTagging',
    'ListObjectVersions',
    'DeleteObjects',
    'ListObjectVersions',
    'DeleteObjects',
    'ListObjectVersions',
    'DeleteObjects',
    'ListMultipartUploads',
    'AbortMultipartUpload',
    'AbortMultipartUpload',
    'DeleteBucket',
  ]);
});

t.test('an empty bucket: one listing of each, then DeleteBucket; plain objects (version null) too', async (t) => {
  const { fake, call } = setup();
  fake.seed(NAME, { tags: OURS });
  const res = await call();
  t.equal(res.finalized, true);
  t.same(fake.writes(), ['DeleteBucket'], 'no DeleteObjects for nothing');
  t.same(res.status.emptying, { objectsDeleted: 0, uploadsAborted: 0 });

  const { fake: other, call: call2 } = setup();
  other.seed(NAME, { tags: OURS, objects: 3 });
  const done = await call2();
  t.equal(done.finalized, true);
  t.same(done.status.emptying, { objectsDeleted: 3, uploadsAborted: 0 });
});

t.test('incremental: each call stops before its budget, reports its progress, and asks to be called in a second', async (t) => {
  // Each batch (list + delete) takes 3 s of a 10 s budget: after three, a fourth would overrun.
  const { fake, call } = setup({ budgetMs: 10_000, listMs: 3000 });
  fake.pageSize = 100;
  fake.seed(NAME, { tags: OURS, versions: versions(1000), uploads: [{ key: 'a', uploadId: 'u' }] });
  const first = await call();
  t.equal(first.finalized, false);
  t.same(brief(first), { 'ACK.ResourceSynced': 'False/Emptying', Reconciling: 'True/Emptying', Ready: 'False/Emptying' });
  t.equal(first.resyncAfterSeconds, 1, 'soon');
  t.same(first.status.emptying, { objectsDeleted: 300, uploadsAborted: 0 });
  t.match(
    message(first),
    /^Emptying bucket "team-a-artifacts-7f3c" before deleting it \(annotation s3\.services\.k8s\.aws\/empty-on-delete: "true"\): 300 object versions and delete markers deleted and 0 multipart uploads aborted so far; the next call continues in a second\.$/,
  );
  t.equal(fake.buckets.get(NAME)!.versions!.length, 700);

  let last = first;
  let calls = 1;
  while (last.finalized !== true && calls < 10) {
    last = await call({ status: last.status });
    calls++;
  }
  t.equal(calls, 4, '1,000 versions at 300 per call, then the upload and the bucket');
  t.same(last.status.emptying, { objectsDeleted: 1000, uploadsAborted: 1 }, 'summed over the calls from the status');
  t.notOk(fake.buckets.has(NAME));
  const transitions = new Set([first.status.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime]);
  t.equal(transitions.size, 1);
});

t.test('Object Lock: refused versions are never retried as deleted, named (first five and a count), and wait with backoff', async (t) => {
  const { fake, call } = setup();
  const locked = Array.from({ length: 7 }, (_, i): FakeVersion => ({ key: `locked/${i}`, versionId: `L${i}`, refuse: 'AccessDenied' }));
  fake.seed(NAME, { tags: OURS, versions: [...versions(10), ...locked, { key: 'held', versionId: 'null', refuse: 'AccessDenied' }] });
  const res = await call();
  t.equal(res.finalized, false);
  t.same(brief(res), {
    'ACK.Recoverable': 'True/ObjectsLocked',
    'ACK.ResourceSynced': 'False/ObjectsLocked',
    Reconciling: 'True/Deleting',
    Ready: 'False/Deleting',
  });
  t.equal(
    message(res, 'ACK.ResourceSynced'),
    `Bucket "${NAME}" cannot be emptied: DeleteObjects refused 8 object versions (AccessDenied): "held", "locked/0" (version L0), "locked/1" (version L1), "locked/2" (version L2), "locked/3" (version L3) and 3 more. ` +
      'They are under Object Lock retention or a legal hold, which the hook never bypasses (or its IAM policy lacks s3:DeleteObjectVersion). Everything else is gone (10 object versions and delete markers deleted and 0 multipart uploads aborted so far). ' +
      'The deletion is retried with backoff and completes once the retention ends or the hold is lifted; to keep the bucket instead, set the annotation services.k8s.aws/deletion-policy: retain.',
  );
  t.equal(res.resyncAfterSeconds, 5, 'backoff');
  t.equal(fake.buckets.get(NAME)!.versions!.length, 8, 'the locked ones stay');
  t.notOk(fake.calls.includes('DeleteBucket'), 'no DeleteBucket while anything is left');
  const again = await call({ status: res.status });
  t.strictSame(again.status, res.status, 'the retry answers the same status: nothing to write');
  // The hold is lifted, the retention ends: the next retry finishes.
  for (const v of fake.buckets.get(NAME)!.versions!) delete v.refuse;
  const done = await call({ status: again.status });
  t.equal(done.finalized, true);
  t.same(done.status.emptying, { objectsDeleted: 18, uploadsAborted: 0 });
});

t.test('passing per-object errors are retried by the next call; the bucket is kept until a clean pass', async (t) => {
  const { fake, call } = setup();
  fake.seed(NAME, { tags: OURS, versions: [...versions(4), { key: 'z', versionId: 'v', refuse: 'InternalError' }] });
  const res = await call();
  t.equal(res.finalized, false);
  t.equal(brief(res).Ready, 'False/Emptying');
  t.match(
    message(res),
    /4 object versions and delete markers deleted .*; S3 did not delete 1 version this time \(InternalError\), retried next, with backoff\.$/,
  );
  delete fake.buckets.get(NAME)!.versions![0]!.refuse;
  t.equal((await call({ status: res.status })).finalized, true);
});

t.test('a version S3 keeps refusing (InternalError, SlowDown) is retried with backoff, not every second', async (t) => {
  const { fake, clock, call } = setup();
  fake.seed(NAME, { tags: OURS, versions: [...versions(4), { key: 'z', versionId: 'v', refuse: 'InternalError' }] });
  const waits: number[] = [];
  let status: HookResponse['status'] | undefined;
  for (let i = 0; i < 9; i++) {
    const res = await call(status ? { status } : {});
    t.equal(res.finalized, false);
    waits.push(res.resyncAfterSeconds ?? -1);
    status = res.status;
    clock.now = new Date(clock.now.getTime() + (res.resyncAfterSeconds ?? 0) * 1000);
  }
  t.same(waits, [5, 5, 10, 20, 40, 80, 160, 300, 300], 'as long as the problem has lasted, 5 s to 5 min (it was 1 s every time)');
  t.same(brief({ status: status!, children: [] }), {
    'ACK.Recoverable': 'True/S3Error',
    'ACK.ResourceSynced': 'False/S3Error',
    Reconciling: 'True/Emptying',
    Ready: 'False/Emptying',
  });
  t.same(status?.emptying, { objectsDeleted: 4, uploadsAborted: 0 }, 'the progress is kept');
  fake.buckets.get(NAME)!.versions![0]!.refuse = 'SlowDown';
  t.equal(brief(await call({ status }))['ACK.Recoverable'], 'True/Throttled');
});

t.test('passing refusals while more is left to list: the next call still comes in a second (progress, not a failure)', async (t) => {
  const { fake, call } = setup({ budgetMs: 1000, listMs: 600 });
  fake.seed(NAME, { tags: OURS, versions: [{ key: 'a', versionId: 'v', refuse: 'InternalError' }, ...versions(2400, 'm')] });
  const res = await call();
  t.equal(res.resyncAfterSeconds, 1);
  t.equal(brief(res).Ready, 'False/Emptying');
  t.equal(brief(res)['ACK.Recoverable'], undefined);
  t.match(message(res), /retried next; the next call continues in a second\.$/);
});

t.test('only with deletion policy delete, only for a bucket this resource owns, never read-only; a bad value waits', async (t) => {
  const { fake, call } = setup();
  fake.seed(NAME, { tags: OURS, versions: versions(3) });
  const kept = await call({ annotations: { ...EMPTY, [ANNOTATION.deletionPolicy]: 'retain' } });
  t.equal(kept.finalized, true);
  t.equal(brief(kept).Ready, 'False/Retained');
  t.equal(fake.buckets.get(NAME)!.versions!.length, 3, 'retain wins: nothing deleted');

  const { fake: foreign, call: callForeign } = setup();
  foreign.seed(NAME, { tags: { ...OURS, 'services.k8s.aws/uid': 'someone-else' }, versions: versions(3) });
  const left = await callForeign();
  t.equal(brief(left).Ready, 'False/LeftInPlace');
  t.same(foreign.calls, ['HeadBucket', 'GetBucketTagging'], 'not ours: not even listed');

  const { fake: ro, call: callRo } = setup();
  ro.seed(NAME, { tags: OURS, versions: versions(3) });
  t.equal(brief(await callRo({ annotations: { ...EMPTY, [ANNOTATION.readOnly]: 'true' } })).Ready, 'False/LeftInPlace');
  t.same(ro.calls, []);

  const { fake: bad, call: callBad } = setup();
  bad.seed(NAME, { tags: OURS, versions: versions(3) });
  const waiting = await callBad({ annotations: { [ANNOTATION.emptyOnDelete]: 'yes please' } });
  t.equal(waiting.finalized, false);
  t.equal(brief(waiting)['ACK.Terminal'], 'True/InvalidSpec');
  t.match(message(waiting), /empty-on-delete"\] must be "true" or "false" \(got "yes please"\)\. The bucket and its objects are kept/);
  t.same(bad.calls, []);
});

t.test('failures mid-pass: the deadline continues next call, a refusal backs off with the progress kept, a vanished bucket is done', async (t) => {
  const aborted = setup();
  aborted.fake.seed(NAME, { tags: OURS, versions: versions(3) });
  aborted.fake.fail('ListMultipartUploads', { code: 'AbortError', kind: 'aborted', times: 1 });
  const cut = await aborted.call();
  t.equal(cut.finalized, false);
  t.equal(brief(cut).Ready, 'False/Emptying');
  t.match(message(cut), /3 object versions .* so far; this call ran out of time \(ListMultipartUploads\), and the next one continues\.$/);
  t.same(cut.status.emptying, { objectsDeleted: 3, uploadsAborted: 0 });

  const denied = setup();
  denied.fake.seed(NAME, { tags: OURS, versions: versions(3) });
  denied.fake.fail('ListObjectVersions', { code: 'AccessDenied', kind: 'access-denied', status: 403 });
  const refused = await denied.call({ status: cut.status });
  t.equal(refused.finalized, false);
  t.same(brief(refused), {
    'ACK.Recoverable': 'True/AccessDenied',
    'ACK.ResourceSynced': 'False/AccessDenied',
    Reconciling: 'True/Deleting',
    Ready: 'False/Deleting',
  });
  t.match(message(refused), /ListObjectVersions failed with AccessDenied \(HTTP 403\): .*allow s3:ListBucketVersions on arn:aws:s3:::team-a-artifacts-7f3c/);
  t.same(refused.status.emptying, { objectsDeleted: 3, uploadsAborted: 0 }, 'the progress reported before is kept');

  const gone = setup();
  gone.fake.seed(NAME, { tags: OURS, versions: versions(3) });
  gone.fake.fail('DeleteObjects', { code: 'NoSuchBucket', kind: 'not-found', status: 404 });
  const done = await gone.call();
  t.equal(done.finalized, true);
  t.equal(brief(done).Ready, 'False/Deleted');
});

t.test('DeleteBucket after a clean pass: new objects mean another pass; a vanished bucket is deleted; a refusal backs off', async (t) => {
  const cases: Array<[code: string, kind: Parameters<FakeS3['fail']>[1]['kind'], finalized: boolean, ready: string]> = [
    ['BucketNotEmpty', 'not-empty', false, 'False/Emptying'],
    ['NoSuchBucket', 'not-found', true, 'False/Deleted'],
    ['AbortError', 'aborted', false, 'False/Emptying'],
    ['AccessDenied', 'access-denied', false, 'False/Deleting'],
  ];
  for (const [code, kind, finalized, ready] of cases) {
    const { fake, call } = setup();
    fake.seed(NAME, { tags: OURS, versions: versions(2) });
    fake.fail('DeleteBucket', { code, kind, times: 1 });
    const res = await call();
    t.equal(res.finalized, finalized, code);
    t.equal(brief(res).Ready, ready, code);
  }
});

t.test('a dry run lists for real and plans every DeleteObjects, abort and the DeleteBucket, deleting nothing', async (t) => {
  let plan: ReturnType<typeof dryRun>['plan'] = [];
  const { fake, call } = setup({
    factory: (f) => {
      const dry = dryRun(f.factory());
      plan = dry.plan;
      return dry.factory;
    },
  });
  fake.pageSize = 2;
  fake.seed(NAME, { tags: OURS, versions: versions(3), uploads: [{ key: 'x', uploadId: 'u' }] });
  const res = await call();
  t.equal(res.finalized, true);
  t.same(
    plan.map((w) => [w.operation, w.input]),
    [
      [
        'DeleteObjects',
        {
          versions: [
            { key: 'k00000', versionId: 'v0' },
            { key: 'k00000', versionId: 'v1' },
          ],
        },
      ],
      ['DeleteObjects', { versions: [{ key: 'k00001', versionId: 'v0' }] }],
      ['AbortMultipartUpload', { key: 'x', uploadId: 'u' }],
      ['DeleteBucket', {}],
    ],
  );
  t.equal(fake.buckets.get(NAME)!.versions!.length, 3, 'nothing deleted');
  t.same(fake.writes(), []);
});

t.test('emptyPass: an error that is not an S3Error is a bug and fails the call', async (t) => {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS });
  const port = { ...fake.port('eu-west-1'), listObjectVersions: () => Promise.reject(new TypeError('bug')) };
  await t.rejects(emptyPass(port, NAME, { spent: () => 0, ms: 1000, signal: undefined }), TypeError);
});

t.test('the count survives an answer that is not an emptying pass: a paused deletion, a failed call, the deadline backstop', async (t) => {
  const so = { objectsDeleted: 1200, uploadsAborted: 1 };
  const status = { emptying: so, conditions: [] };
  const { fake, deps, call } = setup();
  fake.seed(NAME, { tags: OURS, versions: versions(2) });
  const paused = await call({ annotations: { ...EMPTY, [ANNOTATION.paused]: 'true' }, status });
  t.same([paused.finalized, paused.status.emptying], [false, so], 'paused');
  fake.fail('HeadBucket', { code: 'InternalError', kind: 'transient', status: 500, times: 1 });
  const failed = await call({ status });
  t.same([failed.finalized, brief(failed)['ACK.Recoverable'], failed.status.emptying], [false, 'True/S3Unavailable', so], 'a failed HeadBucket');
  const overrun = await deadlineAnswer(bucketResource({ uid: UID, spec: { name: NAME }, ...DELETING, annotations: EMPTY, status }), deps, 20_000, true);
  t.same([overrun.finalized, overrun.status.emptying], [false, so], 'the backstop');
  const next = await call({ status: overrun.status });
  t.same(next.status.emptying, { objectsDeleted: 1202, uploadsAborted: 1 }, 'and the next pass adds to it');
});

// Issue 23, finding 3: with ADOPTION_NAMESPACES=* (the default) any namespace could adopt an untagged or
// released bucket with empty-on-delete and delete everything in it. Emptying a bucket the resource did
// not create is now the admin's decision (EMPTY_ADOPTED_BUCKETS_NAMESPACES, default none).
t.test('adopted, or marked before the origin tag: empty-on-delete deletes no object unless the admin allows the namespace', async (t) => {
  for (const [what, tags] of [
    ['adopted', ADOPTED],
    ['marked before the origin tag existed', LEGACY],
  ] as const) {
    const { fake, call } = setup();
    fake.seed(NAME, { tags, versions: versions(4) });
    const res = await call();
    t.equal(res.finalized, false, `${what}: the resource waits`);
    t.same(
      brief(res),
      {
        'ACK.Terminal': 'True/EmptyingNotAllowed',
        'ACK.ResourceSynced': 'False/EmptyingNotAllowed',
        Stalled: 'True/EmptyingNotAllowed',
        Ready: 'False/EmptyingNotAllowed',
      },
      what,
    );
    t.match(
      message(res),
      /was not created by this resource .*EMPTY_ADOPTED_BUCKETS_NAMESPACES, which does not list namespace team-a\). Nothing was deleted\./,
      what,
    );
    t.same(fake.writes(), ['DeleteBucket'], `${what}: only the DeleteBucket S3 refused, no DeleteObjects`);
    t.equal(fake.buckets.get(NAME)!.versions!.length, 4, `${what}: every version kept`);
    t.ok((res.resyncAfterSeconds ?? 0) >= 5, 're-checked with backoff: the bucket may be emptied by hand, or the admin allow it');
  }
  const empty = setup();
  empty.fake.seed(NAME, { tags: ADOPTED });
  const deleted = await empty.call();
  t.equal(deleted.finalized, true, 'an empty adopted bucket is still deleted: nothing is lost');
  t.equal(brief(deleted).Ready, 'False/Deleted');
});

t.test('EMPTY_ADOPTED_BUCKETS_NAMESPACES lets the listed namespaces (or all) empty adopted buckets', async (t) => {
  for (const allowed of [['team-a'], 'all'] as const) {
    const { fake, deps, call } = setup();
    deps.tenancy = { adoptionNamespaces: 'all', emptyAdoptedNamespaces: allowed };
    fake.seed(NAME, { tags: LEGACY, versions: versions(4) });
    const res = await call();
    t.equal(res.finalized, true, JSON.stringify(allowed));
    t.notOk(fake.buckets.has(NAME), 'emptied and deleted');
  }
  const { fake, deps, call } = setup();
  deps.tenancy = { adoptionNamespaces: 'all', emptyAdoptedNamespaces: ['team-b'] };
  fake.seed(NAME, { tags: ADOPTED, versions: versions(4) });
  t.equal(brief(await call())['ACK.Terminal'], 'True/EmptyingNotAllowed', 'another namespace listed: not this one');
  t.equal(fake.buckets.get(NAME)!.versions!.length, 4);
});
