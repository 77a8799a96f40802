// The S3 port is typed per sub-resource: a field that sends another sub-resource's shape, or a value
// outside S3's closed set, fails to typecheck. Each `@ts-expect-error` below is an error `tsc` must
// find (npm run typecheck fails when one is not); at run time the file only checks that it loads.
import t from 'tap';
import { documentField } from '../../src/reconciler/fields/document.js';
import type { ConfigWrite, S3Port } from '../../src/s3/port.js';

declare const port: S3Port;

export function wrongShapes(): void {
  // @ts-expect-error lifecycle is {rules}, not {rule}
  void port.putConfig('lifecycle', 'b', { rule: [] });
  // @ts-expect-error the policy is its JSON text
  void port.putConfig('policy', 'b', { Statement: [] });
  // @ts-expect-error versioning is Enabled or Suspended
  void port.putConfig('versioning', 'b', { status: 'Disabled' });
  // @ts-expect-error the ACL is written as {acl} or header grants, not in its read form
  void port.putConfig('acl', 'b', { owner: { id: 'o' }, grants: [] });
  // @ts-expect-error a collection item has an id
  void port.putCollectionItem('metrics', 'b', { filter: {} });
  // @ts-expect-error S3 has no Delete for versioning
  void port.deleteConfig('versioning', 'b');
  const read = async () => {
    const cors = await port.getConfig('cors', 'b');
    // @ts-expect-error cors reads as {corsRules}
    void cors?.rules;
  };
  void read;
}

export const wrongField = () =>
  documentField({
    path: 'spec.abac',
    config: 'abac',
    // @ts-expect-error abac is Enabled or Disabled
    desired: () => ({ status: 'Suspended' }),
    removes: () => false,
    canonical: (v) => v?.status,
    removal: { put: { status: 'Disabled' } },
  });

export const noDelete = () =>
  documentField({
    path: 'spec.logging',
    config: 'logging',
    desired: () => ({}),
    removes: () => true,
    canonical: (v) => v,
    // @ts-expect-error logging has no Delete in S3: it is disabled with a Put of {}
    removal: { delete: true },
  });

const fine: ConfigWrite['acl'] = { grantRead: 'uri=http://acs.amazonaws.com/groups/global/AllUsers' };

t.test('the port types load', async (t) => {
  t.same(fine, { grantRead: 'uri=http://acs.amazonaws.com/groups/global/AllUsers' });
});
