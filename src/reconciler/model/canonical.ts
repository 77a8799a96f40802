// Normalisation helpers for comparing what the spec says with what S3 reports. S3 answers in its own
// form (defaults filled in, order changed, empty parts dropped); comparing raw values is what makes
// other controllers write forever.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Drops null/undefined, empty objects and empty arrays, recursively; sorts object keys. */
export function clean(value: unknown): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(clean).filter((v): v is Json => v !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k): [string, Json | undefined] => [k, clean((value as Record<string, unknown>)[k])])
      .filter((e): e is [string, Json] => e[1] !== undefined);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  return value as Json;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(clean(a)) === JSON.stringify(clean(b));
}

/** A list whose order does not matter, as a sorted list of canonical JSON strings. */
export function asSet(items: unknown[] | undefined): string[] {
  return (items ?? []).map((i) => JSON.stringify(clean(i)) ?? 'null').sort();
}

/** A date-time as S3 echoes it: one canonical ISO form. */
export function canonicalDate(value: unknown): unknown {
  if (typeof value !== 'string' && !(value instanceof Date)) return value;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

/** Shallow-copies `value` with `key` removed. */
export function without<T extends Record<string, unknown>>(value: T, ...keys: string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...value };
  for (const k of keys) delete copy[k];
  return copy;
}

/** True when `text` opens more than `max` arrays/objects inside each other (strings are skipped). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
