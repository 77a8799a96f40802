// Validation of spec and status against the one schema source, with messages in spec-path terms.
import type { ErrorObject } from 'ajv';
import { specSchema, statusSchema } from './bucket-schema.js';
import { createAjv } from './validator.js';

const ajv = createAjv();
const checkSpec = ajv.compile(specSchema);
const checkStatus = ajv.compile(statusSchema);

export interface SchemaProblem {
  path: string;
  message: string;
}

function pathOf(root: string, error: ErrorObject): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return segments.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : `${acc}.${s}`), root);
}

function describe(error: ErrorObject): string {
  if (error.keyword === 'enum')
    return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  if (error.keyword === 'required') return `needs the field "${(error.params as { missingProperty: string }).missingProperty}"`;
  return error.message ?? 'is invalid';
}

/** The first problem of a spec, or undefined when it matches the schema. */
export function specProblem(spec: unknown): SchemaProblem | undefined {
  if (checkSpec(spec ?? {})) return undefined;
  const error = checkSpec.errors?.[0];
  return error ? { path: pathOf('spec', error), message: describe(error) } : { path: 'spec', message: 'is invalid' };
}

export function isValidStatus(status: unknown): boolean {
  return checkStatus(status);
}
