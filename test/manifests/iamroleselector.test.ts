// The IAMRoleSelector CRD (manifests/iamroleselector-crd.yaml): ACK's object (name, group, version,
// scope, field names, required fields, the immutable arn), so either CRD admits the other's selectors;
// the two-team sample passes its schema, and the core reads it as ACK's matcher would.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import type { BucketResource } from '../../src/reconciler/model/resource.js';
import { chooseRole, NAMESPACE_GROUP, ROLE_SELECTOR_GROUP } from '../../src/reconciler/rules/roles.js';
import { createAjv } from '../../src/schema/validator.js';
import { bucketResource } from '../support/envelope.js';

type Doc = Record<string, unknown>;
const read = (path: string): Doc[] => parseAllDocuments(readFileSync(new URL(`../../manifests/${path}`, import.meta.url), 'utf8')).map((d) => d.toJS() as Doc);
/** The value at a dotted path ("spec.versions.0.name"). */
const at = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);
const crd = read('iamroleselector-crd.yaml')[0];
const samples = read('samples/two-teams.yaml');
const version = at(crd, 'spec.versions.0');
const schema = at(version, 'schema.openAPIV3Schema') as Doc;
const spec = at(schema, 'properties.spec');
const nameOf = (o: Doc): string => String(at(o, 'metadata.name'));

t.test("ACK's IAMRoleSelector: the same object name, group, version, scope and kind", async (t) => {
  t.equal(at(crd, 'metadata.name'), 'iamroleselectors.services.k8s.aws');
  t.same(['spec.group', 'spec.scope', 'spec.names.kind', 'spec.names.plural'].map((p) => at(crd, p)), ['services.k8s.aws', 'Cluster', 'IAMRoleSelector', 'iamroleselectors']);
  t.same(['name', 'served', 'storage', 'subresources'].map((p) => at(version, p)), ['v1alpha1', true, true, { status: {} }]);
});

t.test("ACK's field names and required fields (aws-controllers-k8s/runtime config/crd/bases), arn immutable", async (t) => {
  t.same(at(spec, 'required'), ['arn']);
  t.same(Object.keys(at(spec, 'properties') as Doc).sort(), ['arn', 'namespaceSelector', 'resourceLabelSelector', 'resourceTypeSelector']);
  t.same(at(spec, 'properties.arn.x-kubernetes-validations'), [{ rule: 'self == oldSelf', message: 'Value is immutable once set' }]);
  t.same(at(spec, 'properties.namespaceSelector.required'), ['names']);
  t.same(Object.keys(at(spec, 'properties.namespaceSelector.properties') as Doc).sort(), ['labelSelector', 'names']);
  t.same(at(spec, 'properties.namespaceSelector.properties.labelSelector.required'), ['matchLabels']);
  t.same(at(spec, 'properties.resourceLabelSelector.required'), ['matchLabels']);
  t.same(at(spec, 'properties.resourceTypeSelector.items.required'), ['group', 'version', 'kind']);
});

t.test('the two-team sample passes the schema and chooses each team its role, nobody else one', async (t) => {
  const validate = createAjv().compile({ ...schema, additionalProperties: false });
  const selectors = samples.filter((o) => o.kind === 'IAMRoleSelector');
  t.equal(selectors.length, 2);
  for (const s of selectors) t.ok(validate(s), JSON.stringify(validate.errors));
  t.notOk(validate({ apiVersion: 'services.k8s.aws/v1alpha1', kind: 'IAMRoleSelector', metadata: {}, spec: { namespaceSelector: { names: ['x'] } } }), 'the schema is live: no arn, refused');
  const namespaces = Object.fromEntries(samples.filter((o) => o.kind === 'Namespace').map((n) => [nameOf(n), n]));
  const related = { [ROLE_SELECTOR_GROUP]: Object.fromEntries(selectors.map((s) => [nameOf(s), s])), [NAMESPACE_GROUP]: namespaces };
  const bucketIn = (namespace: string): BucketResource => bucketResource({ namespace, spec: { name: `${namespace}-data` } });
  t.match(chooseRole(bucketIn('team-a'), related), { kind: 'role', arn: 'arn:aws:iam::111122223333:role/bucket-hook-team-a', account: '111122223333' });
  t.match(chooseRole(bucketIn('team-b'), related), { kind: 'role', arn: 'arn:aws:iam::111122223333:role/bucket-hook-team-b' });
  t.same(chooseRole(bucketIn('team-c'), related), { kind: 'default' });
});
