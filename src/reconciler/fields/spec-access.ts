// Reading parts of the (schema-validated) spec.
import { isRecord } from '../canonical.js';

export function section(spec: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = spec[key];
  return isRecord(v) ? v : undefined;
}

export function list(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
