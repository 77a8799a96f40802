// ACK's Bucket CRD spec as facts (test/fixtures/ack-spec-paths.json: every path with its OpenAPI type,
// extracted once from ACK's s3-controller), the validation schema those facts describe, and the paths
// a value uses, written the same way.
import { readFileSync } from 'node:fs';
import type { JsonSchema } from '../../src/schema/bucket-schema.js';

interface AckSpecFile {
  source: { repository: string; commit: string; file: string; version: string };
  required: Record<string, string[]>;
  validations: Record<string, unknown[]>;
  paths: Record<string, string>;
}

export const ACK_SPEC_FILE = new URL('../fixtures/ack-spec-paths.json', import.meta.url);
export const ACK_SPEC = JSON.parse(readFileSync(ACK_SPEC_FILE, 'utf8')) as AckSpecFile;

/** `spec.a[].b` -> its parent `spec.a[]` and how it hangs there; undefined for the root. */
function parentOf(path: string): { parent: string; key: string | undefined } | undefined {
  if (path.endsWith('[]')) return { parent: path.slice(0, -2), key: undefined };
  const dot = path.lastIndexOf('.');
  return dot < 0 ? undefined : { parent: path.slice(0, dot), key: path.slice(dot + 1) };
}

/**
 * The spec schema the facts describe: types, formats, required lists and validations, nested as in
 * ACK's CRD (which declares nothing else on spec: no enums, patterns or bounds).
 */
export function ackSpecSchema(): JsonSchema {
  const nodes = new Map<string, JsonSchema>();
  for (const [path, typed] of Object.entries(ACK_SPEC.paths)) {
    const [, type, format] = /^(\w+)(?:\(([\w-]+)\))?$/.exec(typed) ?? [];
    if (!type) throw new Error(`${path}: unreadable type "${typed}"`);
    const node: JsonSchema = { type, ...(format ? { format } : {}) };
    if (ACK_SPEC.required[path]) node.required = ACK_SPEC.required[path];
    if (ACK_SPEC.validations[path]) node['x-kubernetes-validations'] = ACK_SPEC.validations[path];
    nodes.set(path, node);
    const at = parentOf(path);
    if (!at) continue;
    const parent = nodes.get(at.parent);
    if (!parent) throw new Error(`${path} comes before its parent ${at.parent}`);
    if (at.key === undefined) parent.items = node;
    else parent.properties = { ...((parent.properties ?? {}) as Record<string, JsonSchema>), [at.key]: node };
  }
  const root = nodes.get('spec');
  if (!root) throw new Error('no spec root');
  return root;
}

/** A whole Bucket document under ACK's CRD: what its openAPIV3Schema declares around the spec (status aside: no manifest carries one). */
export function ackDocumentSchema(): JsonSchema {
  return {
    type: 'object',
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: ackSpecSchema() },
  };
}

/** Every path a spec value uses, in the notation of ACK_SPEC.paths (a list is used once it has an entry). */
export function pathsUsed(value: unknown, path = 'spec', into = new Set<string>()): Set<string> {
  into.add(path);
  if (Array.isArray(value)) for (const item of value) pathsUsed(item, `${path}[]`, into);
  else if (value !== null && typeof value === 'object') for (const [key, child] of Object.entries(value)) pathsUsed(child, `${path}.${key}`, into);
  return into;
}
