import t from 'tap';
import { resolveDesired, resolveTarget } from '../../src/reconciler/rules/desired.js';
import { bucketResource } from '../support/envelope.js';

const defaults = { region: 'eu-west-1', deletionPolicy: 'delete' as const };

t.test('the issue example resolves with ACK field names', async (t) => {
  const r = resolveDesired(
    bucketResource({ spec: { name: 'team-a-artifacts-7f3c', versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } } }),
    defaults,
  );
  t.ok(r.ok);
  if (!r.ok) return;
  const { managed, ...desired } = r.desired;
  t.same(
    managed.map((m) => [m.field.path, m.value]),
    [
      [
        'spec.tagging',
        {
          user: [{ key: 'team', value: 'a' }],
          owner: {
            'services.k8s.aws/namespace': 'team-a',
            'services.k8s.aws/name': 'artifacts',
            'services.k8s.aws/uid': '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01',
          },
        },
      ],
      ['spec.versioning', { status: 'Enabled' }],
    ],
    'the managed fields in apply order, each with its desired value',
  );
  t.same(desired, {
    ref: { namespace: 'team-a', name: 'artifacts', uid: '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01', generation: 1 },
    bucketName: 'team-a-artifacts-7f3c',
    region: 'eu-west-1',
    locationConstraint: 'eu-west-1',
    tags: [{ key: 'team', value: 'a' }],
    create: {},
    spec: { name: 'team-a-artifacts-7f3c', versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } },
    deletionPolicy: 'delete',
    adoptionPolicy: 'none',
    readOnly: false,
  });
});

t.test('region: annotation, then reported status, then locationConstraint, then default', async (t) => {
  const pick = (annotations: Record<string, string>, spec: Record<string, unknown>, statusRegion?: string) => {
    const r = resolveDesired(
      bucketResource({ annotations, spec: { name: 'abc', ...spec }, ...(statusRegion ? { status: { ackResourceMetadata: { region: statusRegion } } } : {}) }),
      defaults,
    );
    return r.ok ? [r.desired.region, r.desired.locationConstraint] : r.problem.path;
  };
  t.same(pick({}, {}), ['eu-west-1', 'eu-west-1']);
  t.same(pick({ 'services.k8s.aws/region': 'us-east-1' }, {}), ['us-east-1', undefined], 'us-east-1 sends no LocationConstraint');
  t.same(pick({}, { createBucketConfiguration: { locationConstraint: 'us-west-2' } }), ['us-west-2', 'us-west-2']);
  t.same(pick({}, {}, 'ap-south-1'), ['ap-south-1', 'ap-south-1'], 'a reported region sticks');
  t.equal(pick({ 'services.k8s.aws/region': 'us-west-2' }, {}, 'ap-south-1'), 'metadata.annotations["services.k8s.aws/region"]', 'moving a bucket is refused');
  t.equal(
    pick({ 'services.k8s.aws/region': 'us-west-2' }, { createBucketConfiguration: { locationConstraint: 'eu-west-1' } }),
    'spec.createBucketConfiguration.locationConstraint',
  );
});

t.test('invalid specs name the field', async (t) => {
  const problem = (spec: Record<string, unknown> | undefined, annotations?: Record<string, string>) => {
    const r = resolveDesired(bucketResource({ spec: spec as Record<string, unknown>, ...(annotations ? { annotations } : {}) }), defaults);
    return r.ok ? undefined : `${r.problem.path} ${r.problem.message}`;
  };
  t.equal(problem({}), 'spec.name is required: the S3 bucket name');
  t.equal(
    problem({ name: 'Bad_Name' }),
    'spec.name "Bad_Name" is not a valid S3 bucket name: it may contain only lowercase letters, digits, dots (.) and hyphens (-)',
  );
  t.equal(problem({ name: 'abc', versioning: { status: 'On' } }), 'spec.versioning.status must be one of "Enabled", "Suspended"');
  t.equal(problem({ name: 12 }), 'spec.name must be string');
  t.equal(
    problem({
      name: 'abc',
      tagging: {
        tagSet: [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
        ],
      },
    }),
    'spec.tagging.tagSet[1].key "a" appears twice',
  );
  t.equal(
    problem({ name: 'abc', tagging: { tagSet: [{ key: 'aws:x', value: '1' }] } }),
    'spec.tagging.tagSet[0].key "aws:x": the "aws:" prefix is reserved by AWS',
  );
  t.match(problem({ name: 'abc', tagging: { tagSet: [{ key: 'services.k8s.aws/uid', value: '1' }] } }), /reserved for this controller's ownership tags/);
  t.match(problem({ name: 'abc', tagging: { tagSet: Array.from({ length: 48 }, (_, i) => ({ key: `k${i}`, value: '' })) } }), /has 48 tags; S3 allows 50/);
  // Four are the hook's: namespace, name, uid and origin (issue 23).
  t.match(
    problem({ name: 'abc', tagging: { tagSet: Array.from({ length: 47 }, (_, i) => ({ key: `k${i}`, value: '' })) } }),
    /has 47 tags; S3 allows 50 and this controller reserves 4 for ownership/,
  );
  t.equal(
    problem({ name: 'abc', tagging: { tagSet: Array.from({ length: 46 }, (_, i) => ({ key: `k${i}`, value: '' })) } }),
    undefined,
    '46 and the 4 ownership tags make 50',
  );
  t.equal(
    problem({ name: 'abc' }, { 'services.k8s.aws/deletion-policy': 'keep' }),
    'metadata.annotations["services.k8s.aws/deletion-policy"] must be one of "delete", "retain" (got "keep")',
  );
  t.equal(
    problem({ name: 'abc' }, { 'services.k8s.aws/adoption-policy': 'yes' }),
    'metadata.annotations["services.k8s.aws/adoption-policy"] must be one of "adopt", "adopt-or-create" (got "yes")',
  );
  t.equal(
    problem({ name: 'abc' }, { 'services.k8s.aws/read-only': 'maybe' }),
    'metadata.annotations["services.k8s.aws/read-only"] must be "true" or "false" (got "maybe")',
  );
});

t.test('unknown spec fields do not break resolution', async (t) => {
  const r = resolveDesired(bucketResource({ spec: { name: 'abc', website: { indexDocument: { suffix: 'index.html' } }, futureField: 1 } }), defaults);
  t.ok(r.ok);
});

t.test('a spec-less adopted resource takes its name from ACK adoption-fields', async (t) => {
  const r = resolveDesired(
    {
      ...bucketResource({ annotations: { 'services.k8s.aws/adoption-policy': 'adopt', 'services.k8s.aws/adoption-fields': '{"name": "legacy-logs"}' } }),
      spec: undefined,
    },
    defaults,
  );
  t.ok(r.ok);
  if (r.ok) t.same([r.desired.bucketName, r.desired.adoptionPolicy, r.desired.tags, r.desired.spec], ['legacy-logs', 'adopt', undefined, {}]);
  const bad = resolveDesired({ ...bucketResource({ annotations: { 'services.k8s.aws/adoption-fields': 'name=x' } }), spec: undefined }, defaults);
  t.equal(bad.ok ? '' : bad.problem.path, 'metadata.annotations["services.k8s.aws/adoption-fields"]');
});

t.test('resolveTarget ignores the rest of the spec and prefers the reported region', async (t) => {
  const r = resolveTarget(
    bucketResource({
      spec: { name: 'abc', versioning: { status: 'On' } },
      annotations: { 'services.k8s.aws/deletion-policy': 'Retain' },
      status: { ackResourceMetadata: { region: 'us-west-2' } },
    }),
    defaults,
  );
  t.ok(r.ok);
  if (r.ok) t.same([r.target.bucketName, r.target.region, r.target.deletionPolicy], ['abc', 'us-west-2', 'retain']);
});
