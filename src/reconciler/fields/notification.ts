// spec.notification: three lists of targets. Each list is a set; S3 invents ids, reorders event names
// and capitalises filter rule names ("prefix" comes back as "Prefix"). An empty configuration turns
// every notification off (S3 has no Delete for it).
import type { NotificationConfig } from '../../s3/port.js';
import { clean } from '../model/canonical.js';
import { isRecord } from '../../schema/record.js';
import { documentField } from './document.js';
import { idsNamed, setIgnoringInventedIds } from './ids.js';
import { list, section, text } from './spec-access.js';

const KINDS = ['lambdaFunctionConfigurations', 'queueConfigurations', 'topicConfigurations'] as const;

function target(item: Record<string, unknown>): unknown {
  const rules = list(section(section(item, 'filter') ?? {}, 'key')?.filterRules)
    .map((r) => ({ name: (text(r.name) ?? '').toLowerCase(), value: r.value }))
    .sort((a, b) => (a.name === b.name ? 0 : a.name < b.name ? -1 : 1));
  const events = Array.isArray(item.events) ? [...(item.events as unknown[])].map(String).sort() : undefined;
  return clean({ ...item, events, filter: rules.length > 0 ? { key: { filterRules: rules } } : undefined });
}

function comparable(v: NotificationConfig | undefined, named: Set<unknown>): string {
  return JSON.stringify(KINDS.map((k) => setIgnoringInventedIds(list(v?.[k]), named, target)));
}

function allIds(v: NotificationConfig): Set<unknown> {
  return new Set(KINDS.flatMap((k) => [...idsNamed(list(v[k]))]));
}

export const notificationField = documentField({
  path: 'spec.notification',
  config: 'notification',
  desired: (spec) => {
    const n = section(spec, 'notification');
    return n ? Object.fromEntries(KINDS.filter((k) => Array.isArray(n[k])).map((k) => [k, list(n[k])])) : undefined;
  },
  removes: (d) => KINDS.every((k) => list(d[k]).length === 0),
  canonical: (v) => (v && KINDS.some((k) => list(v[k]).length > 0) ? comparable(v, allIds(v)) : 'none'),
  same: (desired, observed) => comparable(desired, allIds(desired)) === comparable(isRecord(observed) ? observed : undefined, allIds(desired)),
  removal: { put: {} },
  unsetAtCreate: true,
});
