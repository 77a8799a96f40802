// specSchema against ACK: every manifest of our ACK-shaped corpus validates, every path of ACK's Bucket
// CRD spec (test/fixtures/ack-spec-paths.json) exists in ours with the same type and is used by some
// manifest of the corpus, the schema is structural, and invalid specs are reported at the right path.
import t from 'tap';
import { loadCorpus } from '../support/ack-corpus.js';
import { ACK_SPEC, ackSpecSchema, pathsUsed } from '../support/ack-spec.js';
import { specSchema, type JsonSchema } from '../../src/schema/bucket-schema.js';
import { specProblem } from '../../src/schema/validate.js';
import { createAjv } from '../../src/schema/validator.js';

const props = (s: JsonSchema): Record<string, JsonSchema> => (s.properties ?? {}) as Record<string, JsonSchema>;
const ajv = createAjv();

/** What kubectl's strict field validation does: refuse fields the schema does not declare. */
function strict(node: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...node };
  if (node.properties) {
    out.properties = Object.fromEntries(Object.entries(props(node)).map(([k, v]) => [k, strict(v)]));
    if (node['x-kubernetes-preserve-unknown-fields'] !== true) out.additionalProperties = false;
  }
  if (node.items) out.items = strict(node.items as JsonSchema);
  return out;
}

function errorsOf(check: ReturnType<typeof ajv.compile>, value: unknown): string {
  return check(value) ? '' : ajv.errorsText(check.errors, { dataVar: 'spec' });
}

t.test('every spec in the ACK-shaped corpus validates against specSchema', async (t) => {
  const ours = ajv.compile(specSchema);
  const oursStrict = ajv.compile(strict(specSchema));
  const acks = ajv.compile(strict(ackSpecSchema()));
  const corpus = loadCorpus();
  t.ok(corpus.length >= 43, `found ${corpus.length} manifests`);
  for (const { file, docs, unknown } of corpus) {
    t.same(unknown, [], `${file}: every $VARIABLE has a value`);
    t.equal(docs.length, 1, `${file}: one document`);
    for (const doc of docs as Array<{ kind?: string; spec?: unknown }>) {
      // Adoption manifests may have no spec at all (ACK's CRD does not require one).
      const spec = doc.spec ?? {};
      if (doc.spec !== undefined) t.equal(errorsOf(acks, spec), '', `${file}: ACK's CRD accepts the substituted spec`);
      t.equal(errorsOf(ours, spec), '', `${file}: specSchema accepts it`);
      t.equal(errorsOf(oursStrict, spec), '', `${file}: every field it uses is declared`);
      t.equal(specProblem(spec), undefined, `${file}: specProblem finds nothing`);
    }
  }
});

t.test('invalid specs are reported at the offending path', async (t) => {
  const cases: Array<[string, Record<string, unknown>, string, RegExp?]> = [
    ['versioning status', { versioning: { status: 'On' } }, 'spec.versioning.status', /must be one of "Enabled", "Suspended"/],
    [
      'cors maxAgeSeconds not an integer',
      { cors: { corsRules: [{ allowedMethods: ['GET'], allowedOrigins: ['*'], maxAgeSeconds: 'x' }] } },
      'spec.cors.corsRules[0].maxAgeSeconds',
      /integer/,
    ],
    ['cors method', { cors: { corsRules: [{ allowedMethods: ['FETCH'], allowedOrigins: ['*'] }] } }, 'spec.cors.corsRules[0].allowedMethods[0]'],
    ['unknown canned acl', { acl: 'public' }, 'spec.acl', /"log-delivery-write"/],
    ['name too short', { name: 'ab' }, 'spec.name', /fewer than 3/],
    ['name too long', { name: 'x'.repeat(64) }, 'spec.name', /more than 63/],
    ['namespace', { namespace: 'regional' }, 'spec.namespace'],
    ['abac status', { abac: { status: 'Suspended' } }, 'spec.abac.status'],
    ['accelerate status', { accelerate: { status: 'Disabled' } }, 'spec.accelerate.status'],
    ['request payer', { requestPayment: { payer: 'Owner' } }, 'spec.requestPayment.payer'],
    ['object ownership', { objectOwnership: 'BucketOwner' }, 'spec.objectOwnership'],
    ['ownership rule', { ownershipControls: { rules: [{ objectOwnership: 'Writer' }] } }, 'spec.ownershipControls.rules[0].objectOwnership'],
    [
      'sse algorithm',
      { encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'kms' } }] } },
      'spec.encryption.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm',
    ],
    ['bucketKeyEnabled as a string', { encryption: { rules: [{ bucketKeyEnabled: 'yes' }] } }, 'spec.encryption.rules[0].bucketKeyEnabled', /boolean/],
    ['lifecycle status', { lifecycle: { rules: [{ status: 'enabled' }] } }, 'spec.lifecycle.rules[0].status'],
    ['lifecycle days negative', { lifecycle: { rules: [{ status: 'Enabled', expiration: { days: -1 } }] } }, 'spec.lifecycle.rules[0].expiration.days', />= 0/],
    [
      'lifecycle days fractional',
      { lifecycle: { rules: [{ status: 'Enabled', transitions: [{ days: 1.5 }] }] } },
      'spec.lifecycle.rules[0].transitions[0].days',
      /integer/,
    ],
    [
      'lifecycle and tags not a list',
      { lifecycle: { rules: [{ filter: { and: { tags: { key: 'a' } } } }] } },
      'spec.lifecycle.rules[0].filter.and.tags',
      /array/,
    ],
    [
      'logging permission',
      { logging: { loggingEnabled: { targetGrants: [{ permission: 'READ_ACP' }] } } },
      'spec.logging.loggingEnabled.targetGrants[0].permission',
    ],
    [
      'grantee type',
      { logging: { loggingEnabled: { targetGrants: [{ grantee: { type_: 'User' } }] } } },
      'spec.logging.loggingEnabled.targetGrants[0].grantee.type_',
    ],
    [
      'object lock mode',
      { objectLockConfiguration: { rule: { defaultRetention: { mode: 'governance' } } } },
      'spec.objectLockConfiguration.rule.defaultRetention.mode',
    ],
    ['object lock flag as a string', { objectLockEnabledForBucket: 'true' }, 'spec.objectLockEnabledForBucket', /boolean/],
    ['website protocol', { website: { redirectAllRequestsTo: { hostName: 'example.com', protocol: 'ftp' } } }, 'spec.website.redirectAllRequestsTo.protocol'],
    ['routing rule protocol', { website: { routingRules: [{ redirect: { protocol: 'HTTPS' } }] } }, 'spec.website.routingRules[0].redirect.protocol'],
    ['replication rule status', { replication: { rules: [{ status: 'On' }] } }, 'spec.replication.rules[0].status'],
    ['replication priority', { replication: { rules: [{ priority: '1' }] } }, 'spec.replication.rules[0].priority', /integer/],
    [
      'replication time',
      { replication: { rules: [{ destination: { replicationTime: { status: 'Enabled', time: { minutes: 'fifteen' } } } }] } },
      'spec.replication.rules[0].destination.replicationTime.time.minutes',
    ],
    ['inventory frequency', { inventory: [{ id: 'i', schedule: { frequency: 'Hourly' } }] }, 'spec.inventory[0].schedule.frequency'],
    [
      'inventory format',
      { inventory: [{ id: 'i', destination: { s3BucketDestination: { format: 'JSON' } } }] },
      'spec.inventory[0].destination.s3BucketDestination.format',
    ],
    [
      'intelligent-tiering tier',
      { intelligentTiering: [{ id: 'i', tierings: [{ accessTier: 'GLACIER', days: 90 }] }] },
      'spec.intelligentTiering[0].tierings[0].accessTier',
    ],
    ['analytics is a list', { analytics: { id: 'a' } }, 'spec.analytics', /array/],
    ['tagSet entry', { tagging: { tagSet: ['team=a'] } }, 'spec.tagging.tagSet[0]', /object/],
    ['policy as an object', { policy: { Version: '2012-10-17' } }, 'spec.policy', /string/],
    [
      'policy longer than 40,960 characters',
      { policy: `{"Statement":[],"Id":"${'x'.repeat(40_960)}"}` },
      'spec.policy',
      /must NOT have more than 40960 characters/,
    ],
    ['directory bucket type', { createBucketConfiguration: { bucket: { type: 'directory' } } }, 'spec.createBucketConfiguration.bucket.type'],
  ];
  for (const [what, spec, path, message] of cases) {
    const problem = specProblem({ name: 'valid-name', ...spec });
    t.equal(problem?.path, path, what);
    if (message) t.match(problem?.message, message, `${what}: message`);
  }
  t.equal(specProblem({ name: 'valid-name', acl: 'private|bucket-owner-read|bucket-owner-full-control' }), undefined, "ACK's read-back form of a private ACL");
  t.equal(
    specProblem({ name: 'valid-name', lifecycle: { rules: [{ status: 'Enabled', transitions: [{ days: 30, storageClass: 'COLD' }] }] } }),
    undefined,
    'storage classes are open: S3-compatible stores name their own',
  );
  t.equal(specProblem({ name: 'valid-name', futureField: 1 }), undefined, 'undeclared fields are left to the API server to prune');
});

// Keywords a Kubernetes structural schema may use.
const ALLOWED = new Set([
  'type',
  'description',
  'format',
  'enum',
  'nullable',
  'properties',
  'items',
  'required',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
]);

function walk(node: JsonSchema, path: string, visit: (node: JsonSchema, path: string) => void): void {
  visit(node, path);
  for (const [name, child] of Object.entries(props(node))) walk(child, `${path}.${name}`, visit);
  if (node.items) walk(node.items as JsonSchema, `${path}[]`, visit);
}

t.test('specSchema is structural', async (t) => {
  const problems: string[] = [];
  let nodes = 0;
  walk(specSchema, 'spec', (node, path) => {
    nodes++;
    for (const key of Object.keys(node)) if (!ALLOWED.has(key)) problems.push(`${path}: keyword "${key}" is not allowed`);
    if (!['object', 'array', 'string', 'integer', 'boolean', 'number'].includes(node.type as string)) problems.push(`${path}: has no valid type`);
    if (node.type === 'object' && !node.properties) problems.push(`${path}: an object without properties`);
    if (node.properties && node.type !== 'object') problems.push(`${path}: properties on a non-object`);
    if (node.type === 'array' && !node.items) problems.push(`${path}: an array without items`);
    if (node.items && node.type !== 'array') problems.push(`${path}: items on a non-array`);
    if (node.enum !== undefined && !(Array.isArray(node.enum) && node.enum.length > 0 && node.enum.every((v) => typeof v === node.type)))
      problems.push(`${path}: enum values must match the type`);
    if (node.type === 'integer' && node.format !== 'int64') problems.push(`${path}: integers are int64, as in ACK`);
    for (const name of (node.required ?? []) as string[]) if (!(name in props(node))) problems.push(`${path}: requires undeclared "${name}"`);
  });
  t.same(problems, []);
  t.ok(nodes > 250, `${nodes} nodes checked`);
  t.notOk('x-kubernetes-preserve-unknown-fields' in specSchema, 'spec is complete: nothing is kept unpruned');
  for (const [name, field] of Object.entries(props(specSchema))) {
    t.ok(typeof field.description === 'string' && field.description.length > 20, `spec.${name} has a description`);
  }
  const kinds = [
    'analytics',
    'cors',
    'encryption',
    'intelligentTiering',
    'inventory',
    'lifecycle',
    'logging',
    'metrics',
    'notification',
    'ownershipControls',
    'policy',
    'publicAccessBlock',
    'replication',
    'tagging',
    'website',
  ];
  for (const name of kinds)
    t.match(props(specSchema)[name]!.description, /Omit to leave (it|them|tags) unmanaged/, `spec.${name} says how to leave it alone and how to remove it`);
  const immutable = [{ rule: 'self == oldSelf', message: 'Value is immutable once set' }];
  t.match(props(specSchema).name, { minLength: 3, maxLength: 63, 'x-kubernetes-validations': immutable });
  t.match(props(specSchema).namespace, { 'x-kubernetes-validations': immutable });
});

function typeOf(node: JsonSchema): string {
  return `${node.type as string}${node.format ? `(${node.format as string})` : ''}`;
}

t.test("specSchema has every path of ACK's CRD spec, with the same type, and nothing more", async (t) => {
  t.equal(ACK_SPEC.source.commit, '1051f76f', 'the facts name the ACK commit they were read from');
  const theirs = new Map(Object.entries(ACK_SPEC.paths));
  const ours = new Map<string, string>();
  walk(specSchema, 'spec', (node, path) => ours.set(path, typeOf(node)));
  const topLevel = (paths: Iterable<string>) => [...paths].filter((p) => /^spec\.\w+$/.test(p)).sort();
  t.same(topLevel(ours.keys()), topLevel(theirs.keys()), 'the same top-level keys');
  t.equal(topLevel(theirs.keys()).length, 31, 'ACK has 31 top-level keys');
  const absent = [...theirs.keys()].filter((p) => !ours.has(p));
  const differ = [...theirs].filter(([p, type]) => ours.has(p) && ours.get(p) !== type).map(([p, type]) => `${p}: ACK ${type}, ours ${ours.get(p)}`);
  const extra = [...ours.keys()].filter((p) => !theirs.has(p));
  t.same(absent, [], 'no ACK path is missing');
  t.same(differ, [], 'no ACK path has another type');
  t.same(extra, [], 'no path ACK lacks');
  t.equal(theirs.size, 303, `${theirs.size} ACK paths compared`);
  t.same(ACK_SPEC.required, { spec: ['name'] }, 'ACK requires spec.name and nothing else');
  t.equal(specSchema.required, undefined, 'ours requires nothing: an adopted bucket may be named by the adoption-fields annotation alone');
  const validated: Record<string, unknown> = {};
  walk(specSchema, 'spec', (node, path) => {
    if (node['x-kubernetes-validations'] !== undefined) validated[path] = node['x-kubernetes-validations'];
  });
  t.same(Object.keys(validated), Object.keys(ACK_SPEC.validations), "CEL validations at ACK's paths only");
  t.same(Object.keys(ACK_SPEC.validations), ['spec.name', 'spec.namespace']);
  for (const [path, rules] of Object.entries(ACK_SPEC.validations)) {
    t.same((validated[path] as unknown[]).slice(0, rules.length), rules, `${path}: ACK's rules (immutable) first`);
  }
  // Ours adds S3's naming rules to spec.name, so the API server refuses a name the hook could only call InvalidSpec.
  t.same(
    (validated['spec.name'] as Array<{ message: string }>).slice(1).map((r) => r.message),
    [
      'S3 bucket names may contain only lowercase letters, digits, dots (.) and hyphens (-)',
      'S3 bucket names must begin and end with a lowercase letter or a digit',
      'S3 bucket names must not contain two adjacent dots, or a dot next to a hyphen',
      'S3 bucket names must not be formatted as an IP address',
    ],
    "and S3's naming rules on spec.name",
  );
  t.same(validated['spec.namespace'], ACK_SPEC.validations['spec.namespace' as keyof typeof ACK_SPEC.validations], "spec.namespace: exactly ACK's");
});

t.test("the ACK-shaped corpus uses every path of ACK's CRD spec", async (t) => {
  const used = new Map<string, string[]>();
  for (const { file, docs } of loadCorpus()) {
    for (const doc of docs as Array<{ spec?: unknown }>) {
      if (doc.spec === undefined) continue;
      for (const path of pathsUsed(doc.spec)) used.set(path, [...(used.get(path) ?? []), file]);
    }
  }
  const unused = Object.keys(ACK_SPEC.paths).filter((p) => !used.has(p));
  t.same(unused, [], 'every ACK path appears in at least one manifest: add a manifest (or a field to one) for any listed here');
  t.same(
    [...used.keys()].filter((p) => !(p in ACK_SPEC.paths)),
    [],
    'and the corpus uses no path ACK lacks',
  );
  t.equal(used.size, Object.keys(ACK_SPEC.paths).length, `${used.size} paths used by the corpus`);
  // The check itself: a small spec leaves most paths unused, lists count once they have an entry.
  t.same(
    [...pathsUsed({ name: 'b', cors: { corsRules: [] }, tagging: { tagSet: [{ key: 'k' }] } })],
    ['spec', 'spec.name', 'spec.cors', 'spec.cors.corsRules', 'spec.tagging', 'spec.tagging.tagSet', 'spec.tagging.tagSet[]', 'spec.tagging.tagSet[].key'],
  );
});
