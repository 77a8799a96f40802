// Diff: pure. Compares each managed field's desired value with its normalised reading and returns the
// changes as a value (field paths and both sides), never mutating its inputs.
import type { S3Error } from '../../s3/port.js';
import type { Reading } from './observe.js';
import type { AnyField, DesiredBucket } from '../model/types.js';

export interface Change {
  field: AnyField;
  desired: unknown;
  observed: unknown;
}

export interface FieldFailure {
  path: string;
  error: S3Error;
}

export interface Delta {
  /** Fields that differ, in apply order. */
  changes: Change[];
  /** Fields that could not be read, so could not be compared. */
  unreadable: FieldFailure[];
}

export function diff(desired: DesiredBucket, readings: Map<string, Reading>): Delta {
  const delta: Delta = { changes: [], unreadable: [] };
  for (const { field, value } of desired.managed) {
    const reading = readings.get(field.path);
    if (!reading) continue;
    if (!reading.ok) {
      delta.unreadable.push({ path: field.path, error: reading.error });
      continue;
    }
    if (!field.inSync(value, reading.value)) delta.changes.push({ field, desired: value, observed: reading.value });
  }
  return delta;
}

export function changedPaths(delta: Delta): string[] {
  return delta.changes.map((c) => c.field.path);
}
