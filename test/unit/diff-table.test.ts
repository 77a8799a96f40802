// The diff step as a table, as crossplane-runtime tests its reconciler: ({desired spec, what S3 reports
// per field}) -> the changed paths in apply order, and the fields that could not be compared. Pure: the
// desired state comes from resolveDesired, the readings are written here, no port is involved.
import t from 'tap';
import { resolveDesired } from '../../src/reconciler/rules/desired.js';
import { changedPaths, diff } from '../../src/reconciler/steps/diff.js';
import type { Reading } from '../../src/reconciler/steps/observe.js';
import { S3Error } from '../../src/s3/port.js';

const UID = '3c1f0e1a-8d2b-4f61-9a7e-5b2c4d6e8f10';
const OURS = { 'services.k8s.aws/namespace': 'team-a', 'services.k8s.aws/name': 'artifacts', 'services.k8s.aws/uid': UID };
const denied = new S3Error('GetBucketLifecycleConfiguration', 'AccessDenied', 'access-denied', 403);

interface Row {
  name: string;
  spec: Record<string, unknown>;
  /** What S3 reports per field path; a path left out was not read (its reading is missing). */
  observed: Record<string, Reading>;
  changed: string[];
  unreadable?: string[];
}

const ok = (value: unknown): Reading => ({ ok: true, value });

const rows: Row[] = [
  { name: 'nothing managed but the tags, in sync', spec: {}, observed: { 'spec.tagging': ok(OURS) }, changed: [] },
  { name: 'ownership tags missing: tagging differs', spec: {}, observed: { 'spec.tagging': ok({}) }, changed: ['spec.tagging'] },
  {
    name: 'S3 defaults equal their spec spelling: no change',
    spec: { versioning: { status: 'Suspended' }, accelerate: { status: 'Suspended' }, requestPayment: { payer: 'BucketOwner' }, publicAccessBlock: {} },
    observed: {
      'spec.tagging': ok(OURS),
      'spec.versioning': ok(undefined),
      'spec.accelerate': ok(undefined),
      'spec.requestPayment': ok(undefined),
      'spec.publicAccessBlock': ok(undefined),
    },
    changed: [],
  },
  {
    name: 'several differ: listed in apply order (tags, ownership, access block, versioning, lifecycle, cors), not spec order',
    spec: {
      cors: { corsRules: [{ allowedMethods: ['GET'], allowedOrigins: ['*'] }] },
      lifecycle: { rules: [{ id: 'expire', status: 'Enabled', filter: { prefix: 'tmp/' }, expiration: { days: 7 } }] },
      versioning: { status: 'Enabled' },
      publicAccessBlock: { blockPublicPolicy: true },
      ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] },
      tagging: { tagSet: [{ key: 'team', value: 'a' }] },
    },
    observed: {
      'spec.tagging': ok(OURS),
      'spec.ownershipControls': ok(undefined),
      'spec.publicAccessBlock': ok(undefined),
      'spec.versioning': ok({ status: 'Suspended' }),
      'spec.lifecycle': ok(undefined),
      'spec.cors': ok(undefined),
    },
    changed: ['spec.tagging', 'spec.ownershipControls', 'spec.publicAccessBlock', 'spec.versioning', 'spec.lifecycle', 'spec.cors'],
  },
  {
    name: 'an unreadable field is reported, not compared; the others still are',
    spec: { versioning: { status: 'Enabled' }, lifecycle: { rules: [{ id: 'x', status: 'Enabled', filter: { prefix: '' }, expiration: { days: 1 } }] } },
    observed: { 'spec.tagging': ok(OURS), 'spec.versioning': ok({ status: 'Enabled' }), 'spec.lifecycle': { ok: false, error: denied } },
    changed: [],
    unreadable: ['spec.lifecycle'],
  },
  {
    name: 'a field with no reading (not read, e.g. the bucket was absent) is neither changed nor unreadable',
    spec: { versioning: { status: 'Enabled' } },
    observed: { 'spec.tagging': ok(OURS) },
    changed: [],
  },
  {
    name: 'an empty list asks for removal: a configured CORS differs, an unconfigured one does not',
    spec: { cors: { corsRules: [] }, website: {} },
    observed: { 'spec.tagging': ok(OURS), 'spec.cors': ok({ corsRules: [{ allowedMethods: ['GET'], allowedOrigins: ['*'] }] }), 'spec.website': ok(undefined) },
    changed: ['spec.cors'],
  },
  {
    name: 'policy: the same document spelt differently is no change',
    spec: { policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]}' },
    observed: {
      'spec.tagging': ok(OURS),
      'spec.policy': ok(
        '{"Statement":{"Resource":"arn:aws:s3:::b/*","Action":["s3:PutObject"],"Principal":{"AWS":"*"},"Effect":"Deny"},"Version":"2012-10-17"}',
      ),
    },
    changed: [],
  },
];

for (const row of rows) {
  t.test(row.name, async (t) => {
    const resolved = resolveDesired(
      {
        apiVersion: 's3.services.k8s.aws/v1alpha1',
        kind: 'Bucket',
        metadata: { namespace: 'team-a', name: 'artifacts', uid: UID, generation: 1 },
        spec: { name: 'diff-table-bucket', ...row.spec },
      },
      { region: 'eu-west-1', deletionPolicy: 'delete' },
    );
    if (!resolved.ok) throw new Error(`spec refused: ${resolved.problem.path} ${resolved.problem.message}`);
    const readings = new Map(Object.entries(row.observed));
    const before = JSON.stringify([...readings]);
    const delta = diff(resolved.desired, readings);
    t.same(changedPaths(delta), row.changed, 'changed paths');
    t.same(
      delta.unreadable.map((u) => u.path),
      row.unreadable ?? [],
      'unreadable paths',
    );
    for (const change of delta.changes)
      t.same(change.observed, (row.observed[change.field.path] as { value: unknown }).value, `${change.field.path}: the observed side is the reading`);
    t.equal(JSON.stringify([...readings]), before, 'the readings are not mutated');
  });
}
