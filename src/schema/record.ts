// The one "is this a JSON object?" check. In the bottom layer so the core, the edge and the S3 adapter
// share it: a Date (which the SDK's shapes hold) is no record, and JSON never holds one.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
