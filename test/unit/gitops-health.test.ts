// Health as GitOps tools read it, for every condition reason the README lists. Each reason is produced by
// the real sync or finalize core (over the fake S3), then judged by two rules restated here in our own
// code from their documented behaviour:
// - Argo CD's built-in check for ACK kinds (*.services.k8s.aws): walk status.conditions in list order and
//   stop at the first match: ACK.Terminal=True -> Degraded, Ready=False -> Progressing, Ready=True ->
//   Healthy; no conditions -> Progressing.
// - kstatus (Flux's health checks, `kstatus`-based waits): deletionTimestamp -> Terminating; generation
//   not yet observed -> InProgress; Reconciling=True -> InProgress; Stalled=True -> Failed; else Current.
// Plus what `kubectl wait --for=condition=Ready` needs: a Ready condition on every answer.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { ANNOTATION } from '../../src/reconciler/annotations.js';
import { finalize } from '../../src/reconciler/finalize.js';
import type { BucketStatus, HookResponse } from '../../src/reconciler/resource.js';
import { sync } from '../../src/reconciler/sync.js';
import { testDeps } from '../support/deps.js';
import { bucketResource, type BucketInput } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

type ArgoHealth = 'Healthy' | 'Progressing' | 'Degraded';
type Kstatus = 'Current' | 'InProgress' | 'Failed' | 'Terminating';

export function argoHealth(status: BucketStatus | undefined): ArgoHealth {
  for (const c of status?.conditions ?? []) {
    if (c.type === 'ACK.Terminal' && c.status === 'True') return 'Degraded';
    if (c.type === 'Ready' && c.status === 'False') return 'Progressing';
    if (c.type === 'Ready' && c.status === 'True') return 'Healthy';
  }
  return 'Progressing';
}

export function kstatus(object: { metadata: { generation?: number; deletionTimestamp?: string }; status?: BucketStatus }): Kstatus {
  if (object.metadata.deletionTimestamp) return 'Terminating';
  if (object.status?.observedGeneration !== undefined && object.status.observedGeneration !== object.metadata.generation) return 'InProgress';
  for (const c of object.status?.conditions ?? []) {
    if (c.type === 'Reconciling' && c.status === 'True') return 'InProgress';
    if (c.type === 'Stalled' && c.status === 'True') return 'Failed';
  }
  return 'Current';
}

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };
/** A bucket this resource created: empty-on-delete may empty it. */
const CREATED = { ...OURS, 'services.k8s.aws/origin': 'created' };
const DELETING = { deletionTimestamp: '2026-11-24T10:00:00Z', generation: 3 };

interface Case {
  /** How to get there with the fake. */
  make: () => Promise<{ input: BucketInput; response: HookResponse }>;
  argo: ArgoHealth;
  /** What kstatus says of the Bucket once Metacontroller wrote this status. */
  kstatus: Kstatus;
}

async function viaSync(fake: FakeS3, input: BucketInput) {
  const full = { uid: UID, spec: { name: NAME, versioning: { status: 'Enabled' } }, ...input };
  return { input: full, response: await sync(bucketResource(full), testDeps(fake.factory())) };
}
async function viaFinalize(fake: FakeS3, input: BucketInput) {
  const full = { uid: UID, spec: { name: NAME }, ...DELETING, ...input };
  return { input: full, response: await finalize(bucketResource(full), testDeps(fake.factory())) };
}
function failing(operation: string, code: string, kind: Parameters<FakeS3['fail']>[1]['kind'], status?: number): FakeS3 {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS });
  return fake.fail(operation, { code, kind, ...(status ? { status } : {}) });
}

const CASES: Record<string, Case> = {
  Available: { make: () => viaSync(new FakeS3(), {}), argo: 'Healthy', kstatus: 'Current' },
  Synced: { make: () => viaSync(new FakeS3(), {}), argo: 'Healthy', kstatus: 'Current' },
  Creating: { make: () => viaSync(new FakeS3('me', 'ignored'), {}), argo: 'Progressing', kstatus: 'InProgress' },
  InvalidSpec: { make: () => viaSync(new FakeS3(), { spec: { name: '192.168.1.1' } }), argo: 'Degraded', kstatus: 'Failed' },
  NameTaken: {
    make: () => {
      const fake = new FakeS3();
      fake.seed(NAME, { owner: 'another-account' });
      return viaSync(fake, {});
    },
    argo: 'Degraded',
    kstatus: 'Failed',
  },
  NotOwned: {
    make: () => {
      const fake = new FakeS3();
      fake.seed(NAME, { tags: { team: 'ops' } });
      return viaSync(fake, {});
    },
    argo: 'Degraded',
    kstatus: 'Failed',
  },
  ManagedElsewhere: {
    make: () => {
      const fake = new FakeS3();
      fake.seed(NAME, { tags: { ...OURS, 'services.k8s.aws/uid': 'someone-else' } });
      return viaSync(fake, { annotations: { [ANNOTATION.adoptionPolicy]: 'adopt' } });
    },
    argo: 'Degraded',
    kstatus: 'Failed',
  },
  AdoptionNotAllowed: {
    make: async () => {
      const fake = new FakeS3();
      fake.seed(NAME, { tags: { team: 'ops' } });
      const input = { uid: UID, spec: { name: NAME }, annotations: { [ANNOTATION.adoptionPolicy]: 'adopt' } };
      return { input, response: await sync(bucketResource(input), { ...testDeps(fake.factory()), tenancy: { adoptionNamespaces: [] } }) };
    },
    argo: 'Degraded',
    kstatus: 'Failed',
  },
  WrongRegion: {
    make: () => {
      const fake = new FakeS3();
      fake.seed(NAME, { region: 'us-west-2', tags: OURS });
      return viaSync(fake, {});
    },
    argo: 'Degraded',
    kstatus: 'Failed',
  },
  AdoptionTargetNotFound: { make: () => viaSync(new FakeS3(), { annotations: { [ANNOTATION.adoptionPolicy]: 'adopt' } }), argo: 'Progressing', kstatus: 'InProgress' },
  NotFound: { make: () => viaSync(new FakeS3(), { annotations: { [ANNOTATION.readOnly]: 'true' } }), argo: 'Progressing', kstatus: 'InProgress' },
  ReadOnlyDrift: {
    make: () => {
      const fake = new FakeS3();
      fake.seed(NAME, { versioning: 'Suspended' });
      return viaSync(fake, { annotations: { [ANNOTATION.readOnly]: 'true' } });
    },
    argo: 'Healthy',
    kstatus: 'Current',
  },
  AccessDenied: { make: () => viaSync(failing('PutBucketVersioning', 'AccessDenied', 'access-denied', 403), {}), argo: 'Progressing', kstatus: 'InProgress' },
  Throttled: { make: () => viaSync(failing('PutBucketVersioning', 'SlowDown', 'throttled', 503), {}), argo: 'Progressing', kstatus: 'InProgress' },
  S3Unavailable: { make: () => viaSync(failing('PutBucketVersioning', 'InternalError', 'transient', 500), {}), argo: 'Progressing', kstatus: 'InProgress' },
  DeadlineExceeded: { make: () => viaSync(failing('PutBucketVersioning', 'AbortError', 'aborted'), {}), argo: 'Progressing', kstatus: 'InProgress' },
  S3Error: { make: () => viaSync(failing('PutBucketVersioning', 'UnknownError', 'unknown'), {}), argo: 'Progressing', kstatus: 'InProgress' },
  BucketGone: { make: () => viaSync(failing('PutBucketVersioning', 'NoSuchBucket', 'not-found', 404), {}), argo: 'Progressing', kstatus: 'InProgress' },
  InvalidValue: { make: () => viaSync(failing('PutBucketVersioning', 'InvalidArgument', 'invalid', 400), {}), argo: 'Degraded', kstatus: 'Failed' },
  Unsupported: { make: () => viaSync(failing('PutBucketVersioning', 'NotImplemented', 'unsupported', 501), {}), argo: 'Degraded', kstatus: 'Failed' },
  BucketNotEmpty: {
    make: () => {
      const fake = new FakeS3();
      fake.seed(NAME, { tags: OURS, objects: 2 });
      return viaFinalize(fake, {});
    },
    argo: 'Progressing',
    kstatus: 'Terminating',
  },
  InvalidDeletionPolicy: { make: () => viaFinalize(new FakeS3(), { annotations: { [ANNOTATION.deletionPolicy]: 'keep-it' } }), argo: 'Degraded', kstatus: 'Terminating' },
  // empty-on-delete: a call that did not finish (here: objects written while it emptied), and versions under Object Lock.
  Emptying: {
    make: () => {
      const fake = new FakeS3();
      fake.seed(NAME, { tags: CREATED, objects: 2 });
      fake.fail('DeleteBucket', { code: 'BucketNotEmpty', kind: 'not-empty', status: 409, times: 1 });
      return viaFinalize(fake, { annotations: { [ANNOTATION.emptyOnDelete]: 'true' } });
    },
    argo: 'Progressing',
    kstatus: 'Terminating',
  },
  ObjectsLocked: {
    make: () => {
      const fake = new FakeS3();
      fake.seed(NAME, { tags: CREATED, versions: [{ key: 'audit.log', versionId: 'v1', refuse: 'AccessDenied' }] });
      return viaFinalize(fake, { annotations: { [ANNOTATION.emptyOnDelete]: 'true' } });
    },
    argo: 'Progressing',
    kstatus: 'Terminating',
  },
  // empty-on-delete on a bucket this resource adopted, in a namespace the admin has not allowed.
  EmptyingNotAllowed: {
    make: () => {
      const fake = new FakeS3();
      fake.seed(NAME, { tags: { ...OURS, 'services.k8s.aws/origin': 'adopted' }, objects: 2 });
      return viaFinalize(fake, { annotations: { [ANNOTATION.emptyOnDelete]: 'true' } });
    },
    argo: 'Degraded',
    kstatus: 'Terminating',
  },
  // An unmarked bucket meets this resource's valid claim, and ListBuckets does not list it (yet).
  ClaimUnconfirmed: {
    make: async () => {
      const fake = new FakeS3('me', 'ignored');
      const reserved = await viaSync(fake, {});
      fake.seed(NAME, {});
      const listed = fake.factory();
      const unlisted: typeof listed = (region) => ({ ...listed(region), bucketCreationDate: async () => undefined });
      const input = { ...reserved.input, status: reserved.response.status };
      return { input, response: await sync(bucketResource(input), testDeps(unlisted)) };
    },
    argo: 'Progressing',
    kstatus: 'InProgress',
  },
  // A paused Bucket keeps the Ready it had (Healthy here); only ACK.ResourceSynced says Paused.
  Paused: {
    make: async () => {
      const fake = new FakeS3();
      const first = await viaSync(fake, {});
      return viaSync(fake, { annotations: { [ANNOTATION.paused]: 'true' }, status: first.response.status });
    },
    argo: 'Healthy',
    kstatus: 'Current',
  },
  // IAMRoleSelectors (roles.ts): two match, or the one that matches names no role; no S3 call.
  RoleSelectorConflict: {
    make: async () => {
      const input = { uid: UID, spec: { name: NAME } };
      return { input, response: await sync(bucketResource(input), { ...testDeps(new FakeS3().factory()), role: { kind: 'ambiguous', selectors: ['a', 'b'] } }) };
    },
    argo: 'Degraded',
    kstatus: 'Failed',
  },
  InvalidRoleSelector: {
    make: async () => {
      const input = { uid: UID, spec: { name: NAME } };
      return { input, response: await sync(bucketResource(input), { ...testDeps(new FakeS3().factory()), role: { kind: 'invalid', selector: 'a', arn: 'arn:aws:s3:::x' } }) };
    },
    argo: 'Degraded',
    kstatus: 'Failed',
  },
  Deleted: {
    make: () => {
      const fake = new FakeS3();
      fake.seed(NAME, { tags: OURS });
      return viaFinalize(fake, {});
    },
    argo: 'Progressing',
    kstatus: 'Terminating',
  },
  Retained: { make: () => viaFinalize(new FakeS3(), { annotations: { [ANNOTATION.deletionPolicy]: 'retain' } }), argo: 'Progressing', kstatus: 'Terminating' },
  LeftInPlace: {
    make: () => {
      const fake = new FakeS3();
      fake.seed(NAME, { tags: { team: 'ops' } });
      return viaFinalize(fake, {});
    },
    argo: 'Progressing',
    kstatus: 'Terminating',
  },
};

/** The reasons in the README's "Status and conditions" table (first column, in backticks). */
function readmeReasons(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Status and conditions'), readme.indexOf('### When the hook calls S3'));
  const rows = section.split('\n').filter((l) => l.startsWith('| `'));
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Za-z0-9]+)`/g)].map((m) => m[1]!));
}

t.test('the table covers exactly the reasons the README lists', async (t) => {
  const listed = readmeReasons();
  t.ok(listed.length >= 20, `README lists ${listed.length} reasons`);
  t.same([...listed].sort(), Object.keys(CASES).sort());
});

for (const [reason, c] of Object.entries(CASES)) {
  t.test(`${reason}: Argo CD ${c.argo}, kstatus ${c.kstatus}`, async (t) => {
    const { input, response } = await c.make();
    const conditions = response.status.conditions ?? [];
    t.ok(conditions.some((x) => x.reason === reason), `the answer carries reason ${reason}: ${conditions.map((x) => `${x.type}=${x.reason}`).join(', ')}`);
    t.ok(conditions.some((x) => x.type === 'Ready'), 'a Ready condition, for kubectl wait --for=condition=Ready');
    t.equal(conditions.at(-1)?.type, 'Ready', 'Ready is listed last');
    t.equal(argoHealth(response.status), c.argo);
    const written = bucketResource({ ...input, status: response.status });
    // Metacontroller sets observedGeneration to the generation it handed over.
    t.equal(kstatus({ metadata: written.metadata, status: { ...response.status, observedGeneration: written.metadata.generation } }), c.kstatus);
    const terminal = conditions.find((x) => x.type === 'ACK.Terminal');
    t.equal(conditions.find((x) => x.type === 'Stalled')?.status, terminal ? 'True' : undefined, 'Stalled mirrors ACK.Terminal');
    if (terminal) t.equal(conditions[0]?.type, 'ACK.Terminal', 'ACK.Terminal comes first');
  });
}

t.test('the order is stable: resyncing a terminal or a recovering Bucket returns the very status it received', async (t) => {
  const stores: Record<string, () => FakeS3> = {
    NameTaken: () => {
      const fake = new FakeS3();
      fake.seed(NAME, { owner: 'another-account' });
      return fake;
    },
    Throttled: () => failing('PutBucketVersioning', 'SlowDown', 'throttled', 503),
  };
  for (const [reason, store] of Object.entries(stores)) {
    const first = await viaSync(store(), {});
    const again = await sync(bucketResource({ ...first.input, status: first.response.status }), testDeps(store().factory()));
    t.strictSame(again.status, first.response.status, `${reason}: no churn`);
  }
});
