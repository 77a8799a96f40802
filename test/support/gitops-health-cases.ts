// Every condition reason the README's "Status and conditions" table lists, each produced by the real sync or
// finalize core over the fake S3, with the health GitOps tools show for a Bucket whose status Metacontroller
// wrote from that answer. One table for two tests: test/unit/gitops-health.test.ts judges it with the rules
// restated in our code, test/cluster/health.test.ts stores each status on a real API server and judges it
// with the real libraries (kstatus from sigs.k8s.io/cli-utils, Argo CD's own Lua rule).
import { readFileSync } from 'node:fs';
import { finalize, sync } from './core.js';
import { ANNOTATION } from '../../src/reconciler/rules/annotations.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { testDeps } from './deps.js';
import { bucketResource, type BucketInput } from './envelope.js';
import { FakeS3 } from './fake-s3.js';

export type ArgoHealth = 'Healthy' | 'Progressing' | 'Degraded';
export type Kstatus = 'Current' | 'InProgress' | 'Failed' | 'Terminating';

export const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };
/** A bucket this resource created: empty-on-delete may empty it. */
const CREATED = { ...OURS, 'services.k8s.aws/origin': 'created' };
const DELETING = { deletionTimestamp: '2026-11-24T10:00:00Z', generation: 3 };

export interface HealthCase {
  /** How to get there with the fake: the Bucket the hook was handed, and its answer. */
  make: () => Promise<{ input: BucketInput; response: HookResponse }>;
  /** What Argo CD shows: its rule for ACK kinds, and "Pending deletion" (Progressing) for a Bucket being deleted. */
  argo: ArgoHealth;
  /** What the rule alone says, where Argo CD shows otherwise because the Bucket is being deleted. */
  argoRule?: ArgoHealth;
  /** What kstatus says of the Bucket once Metacontroller wrote this status. */
  kstatus: Kstatus;
}

export async function viaSync(fake: FakeS3, input: BucketInput) {
  const full = { uid: UID, spec: { name: NAME, versioning: { status: 'Enabled' } }, ...input };
  return { input: full, response: await sync(bucketResource(full), testDeps(fake.factory())) };
}
async function viaFinalize(fake: FakeS3, input: BucketInput) {
  const full = { uid: UID, spec: { name: NAME }, ...DELETING, ...input };
  return { input: full, response: await finalize(bucketResource(full), testDeps(fake.factory())) };
}
export function failing(operation: string, code: string, kind: Parameters<FakeS3['fail']>[1]['kind'], status?: number): FakeS3 {
  const fake = new FakeS3();
  fake.seed(NAME, { tags: OURS });
  return fake.fail(operation, { code, kind, ...(status ? { status } : {}) });
}

export const HEALTH_CASES: Record<string, HealthCase> = {
  Available: { make: () => viaSync(new FakeS3(), {}), argo: 'Healthy', kstatus: 'Current' },
  Synced: { make: () => viaSync(new FakeS3(), {}), argo: 'Healthy', kstatus: 'Current' },
  Creating: { make: () => viaSync(new FakeS3('me', 'ignored'), {}), argo: 'Progressing', kstatus: 'InProgress' },
  // A name the API server's CRD admits but the hook cannot serve: a directory bucket (S3 Express One Zone).
  InvalidSpec: { make: () => viaSync(new FakeS3(), { spec: { name: 'logs--usw2-az1--x-s3' } }), argo: 'Degraded', kstatus: 'Failed' },
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
  AdoptionTargetNotFound: {
    make: () => viaSync(new FakeS3(), { annotations: { [ANNOTATION.adoptionPolicy]: 'adopt' } }),
    argo: 'Progressing',
    kstatus: 'InProgress',
  },
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
  InvalidDeletionPolicy: {
    make: () => viaFinalize(new FakeS3(), { annotations: { [ANNOTATION.deletionPolicy]: 'keep-it' } }),
    argo: 'Progressing',
    argoRule: 'Degraded',
    kstatus: 'Terminating',
  },
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
    argo: 'Progressing',
    argoRule: 'Degraded',
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
  // Versioning put back 5 times within the hour (the default guard) and reverted again: no more writes to it.
  DriftLoop: {
    make: () => {
      const fake = new FakeS3();
      fake.seed(NAME, { tags: CREATED, versioning: 'Suspended' });
      const times = ['09:10', '09:20', '09:30', '09:40', '09:50'].map((hm) => `2026-11-24T${hm}:00Z`);
      return viaSync(fake, { status: { observedGeneration: 1, driftCorrections: { fields: [{ field: 'spec.versioning', times }] } } });
    },
    argo: 'Degraded',
    kstatus: 'Failed',
  },
  // approval: required, and versioning to put back: the write waits for the plan's approval. Progressing
  // and InProgress, not Degraded/Failed: nothing failed, and whatever waits for the Bucket's health (a
  // sync wave, kubectl wait, Flux's wait) waits for the approval instead of going on as if it were applied.
  PlanPending: {
    make: async () => {
      const fake = new FakeS3();
      fake.seed(NAME, { tags: CREATED, versioning: 'Suspended' });
      const input = {
        uid: UID,
        spec: { name: NAME, versioning: { status: 'Enabled' } },
        annotations: { [ANNOTATION.approval]: 'required' },
        status: { observedGeneration: 1 },
      };
      return { input, response: await sync(bucketResource(input), testDeps(fake.factory())) };
    },
    argo: 'Progressing',
    kstatus: 'InProgress',
  },
  // IAMRoleSelectors (roles.ts): two match, or the one that matches names no role; no S3 call.
  RoleSelectorConflict: {
    make: async () => {
      const input = { uid: UID, spec: { name: NAME } };
      return {
        input,
        response: await sync(bucketResource(input), { ...testDeps(new FakeS3().factory()), role: { kind: 'ambiguous', selectors: ['a', 'b'] } }),
      };
    },
    argo: 'Degraded',
    kstatus: 'Failed',
  },
  InvalidRoleSelector: {
    make: async () => {
      const input = { uid: UID, spec: { name: NAME } };
      return {
        input,
        response: await sync(bucketResource(input), { ...testDeps(new FakeS3().factory()), role: { kind: 'invalid', selector: 'a', arn: 'arn:aws:s3:::x' } }),
      };
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
export function readmeReasons(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Status and conditions'), readme.indexOf('### When the hook calls S3'));
  const rows = section.split('\n').filter((l) => l.startsWith('| `'));
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Za-z0-9]+)`/g)].map((m) => m[1]!));
}
