// S3 invents an id for a rule or configuration that has none. Such ids are not drift: compare an
// observed item's id only when the spec names that id.
import { asSet, without } from '../model/canonical.js';
import { isRecord } from '../../schema/record.js';

export function idsNamed(items: unknown[], key = 'id'): Set<unknown> {
  return new Set(
    items
      .filter(isRecord)
      .map((i) => i[key])
      .filter((id) => id !== undefined && id !== ''),
  );
}

/** The list as a comparable set; ids the spec does not name are dropped first. */
export function setIgnoringInventedIds(items: unknown[], named: Set<unknown>, canonical: (item: Record<string, unknown>) => unknown, key = 'id'): string[] {
  return asSet(items.filter(isRecord).map((i) => canonical(named.has(i[key]) ? i : without(i, key))));
}
