// spec.replication: the role ARN and a set of rules. roleRef (an ACK IAM Role resource) cannot be
// resolved by a hook that only sees its Bucket: the user is told to put the ARN in role.
import type { ReplicationConfig } from '../../s3/port.js';
import { clean } from '../model/canonical.js';
import { SpecError } from '../model/spec-error.js';
import { documentField } from './document.js';
import { idsNamed, setIgnoringInventedIds } from './ids.js';
import { list, section, text } from './spec-access.js';

function ruleOf(rule: Record<string, unknown>): unknown {
  const filter = section(rule, 'filter');
  // S3 reports priority 0 and an empty filter prefix for rules that set neither.
  return clean({
    ...rule,
    priority: rule.priority ?? 0,
    prefix: rule.prefix || undefined,
    filter: filter ? { ...filter, prefix: filter.prefix || undefined } : undefined,
  });
}

export const replicationField = documentField({
  path: 'spec.replication',
  config: 'replication',
  desired: (spec) => {
    const r = section(spec, 'replication');
    if (!r) return undefined;
    if (r.roleRef !== undefined && !text(r.role)) {
      throw new SpecError(
        'spec.replication.roleRef',
        'is not supported by this controller (it cannot read other resources): set spec.replication.role to the IAM role ARN instead',
      );
    }
    return { role: text(r.role), rules: list(r.rules) };
  },
  removes: (d) => (d.rules ?? []).length === 0,
  canonical: (v) => (v?.rules?.length ? clean({ role: v.role, rules: setIgnoringInventedIds(v.rules, idsNamed(v.rules), ruleOf) }) : 'none'),
  same: (desired, observed) => {
    const named = idsNamed(desired.rules ?? []);
    const side = (v: ReplicationConfig | undefined) => JSON.stringify(clean({ role: v?.role, rules: setIgnoringInventedIds(v?.rules ?? [], named, ruleOf) }));
    return side(desired) === side(observed);
  },
  removal: { delete: true },
  unsetAtCreate: true,
});
