// Reading parts of the (schema-validated) spec.
import { isRecord } from '../../schema/record.js';

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

/** The value when it is one of `allowed` (a spec schema enum, already checked), else undefined. */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === value);
}
