// spec.lifecycle: a set of rules (S3 may return them in another order). The deprecated top-level
// prefix and filter.prefix mean the same; an empty filter is no filter; dates compare as instants.
import { canonicalDate, clean } from '../model/canonical.js';
import { isRecord } from '../../schema/record.js';
import { documentField } from './document.js';
import { idsNamed, setIgnoringInventedIds } from './ids.js';
import { list, section } from './spec-access.js';

function sortedBy(items: unknown, ...keys: string[]): unknown {
  if (!Array.isArray(items)) return items;
  const key = (v: unknown): string => JSON.stringify(keys.map((k) => (isRecord(v) ? (v[k] ?? null) : null)));
  return (items as unknown[]).slice().sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function filterOf(rule: Record<string, unknown>): unknown {
  const filter = section(rule, 'filter') ?? {};
  const and = section(filter, 'and');
  return clean({
    prefix: filter.prefix || rule.prefix || undefined,
    tag: filter.tag,
    objectSizeGreaterThan: filter.objectSizeGreaterThan,
    objectSizeLessThan: filter.objectSizeLessThan,
    and: and ? { ...and, prefix: and.prefix || undefined, tags: sortedBy(and.tags, 'key', 'value') } : undefined,
  });
}

function ruleOf(rule: Record<string, unknown>): unknown {
  const expiration = section(rule, 'expiration');
  return clean({
    id: rule.id,
    status: rule.status,
    filter: filterOf(rule),
    expiration: expiration
      ? {
          days: expiration.days,
          date: canonicalDate(expiration.date),
          expiredObjectDeleteMarker: expiration.expiredObjectDeleteMarker === true ? true : undefined,
        }
      : undefined,
    transitions: sortedBy(
      list(rule.transitions).map((t) => ({ ...t, date: canonicalDate(t.date) })),
      'days',
      'date',
      'storageClass',
    ),
    noncurrentVersionExpiration: rule.noncurrentVersionExpiration,
    noncurrentVersionTransitions: sortedBy(rule.noncurrentVersionTransitions, 'noncurrentDays', 'storageClass'),
    abortIncompleteMultipartUpload: rule.abortIncompleteMultipartUpload,
  });
}

export const lifecycleField = documentField({
  path: 'spec.lifecycle',
  config: 'lifecycle',
  desired: (spec) => {
    const lifecycle = section(spec, 'lifecycle');
    return lifecycle ? { rules: list(lifecycle.rules) } : undefined;
  },
  removes: (d) => (d.rules ?? []).length === 0,
  canonical: (v) => setIgnoringInventedIds(v?.rules ?? [], idsNamed(v?.rules ?? []), (r) => ruleOf(r)),
  same: (desired, observed) => {
    const named = idsNamed(desired.rules ?? []);
    return (
      JSON.stringify(setIgnoringInventedIds(desired.rules ?? [], named, ruleOf)) ===
      JSON.stringify(setIgnoringInventedIds(observed?.rules ?? [], named, ruleOf))
    );
  },
  removal: { delete: true },
  unsetAtCreate: true,
});
