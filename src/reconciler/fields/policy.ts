// spec.policy: a JSON string. Compared as a document, not as text: key order, whitespace, a single
// statement versus a list, a string versus a one-element list, and "*" versus {"AWS": "*"} principals
// all mean the same to S3 (ACK #2591, #2070; provider-aws #2183 wrote policies forever over these).
import { POLICY_MAX_DEPTH, POLICY_MAX_LENGTH } from '../../schema/bucket-schema.js';
import { clean, nestsDeeperThan } from '../model/canonical.js';
import { isRecord } from '../../schema/record.js';
import { SpecError } from '../model/spec-error.js';
import { documentField } from './document.js';
import { text } from './spec-access.js';

const LISTS = new Set(['Action', 'NotAction', 'Resource', 'NotResource']);

function sortedList(v: unknown): unknown {
  const items = Array.isArray(v) ? v : [v];
  return items.map((i) => (typeof i === 'string' ? i : JSON.stringify(clean(i)))).sort();
}

/** An account id principal is stored by IAM as its root ARN. */
function principalValue(v: string): string {
  return /^\d{12}$/.test(v) ? `arn:aws:iam::${v}:root` : v;
}

function principal(p: unknown): unknown {
  if (p === '*') return { AWS: ['*'] };
  if (!isRecord(p)) return p;
  return Object.fromEntries(
    Object.entries(p).map(([k, v]): [string, unknown[]] => [
      k,
      (Array.isArray(v) ? (v as unknown[]) : [v]).map((x) => (typeof x === 'string' ? principalValue(x) : x)).sort(),
    ]),
  );
}

function statement(s: unknown): unknown {
  if (!isRecord(s)) return s;
  return Object.fromEntries(
    Object.entries(s).map(([k, v]) => {
      if (LISTS.has(k)) return [k, sortedList(v)];
      if (k === 'Principal' || k === 'NotPrincipal') return [k, principal(v)];
      if (k === 'Condition' && isRecord(v)) {
        return [
          k,
          Object.fromEntries(
            Object.entries(v).map(([op, m]) => [op, isRecord(m) ? Object.fromEntries(Object.entries(m).map(([key, val]) => [key, sortedList(val)])) : m]),
          ),
        ];
      }
      return [k, v];
    }),
  );
}

export function canonicalPolicy(json: string | undefined): unknown {
  if (json === undefined || json.trim() === '') return undefined;
  // Normalising recurses: a document nested deeper than any policy is compared as text (the spec's is
  // refused before this; S3's own could only be such if another tool wrote it).
  if (nestsDeeperThan(json, POLICY_MAX_DEPTH)) return json;
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return json; // not JSON: compare as text (only S3 could have produced it)
  }
  if (!isRecord(doc)) return doc;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? [] : [doc.Statement];
  return clean({
    ...doc,
    Version: doc.Version ?? '2008-10-17',
    Statement: statements
      .map(statement)
      .map((s) => JSON.stringify(clean(s)))
      .sort(),
  });
}

export const policyField = documentField({
  path: 'spec.policy',
  config: 'policy',
  desired: (spec) => {
    const policy = text(spec.policy);
    if (policy === undefined) return undefined;
    // The schema bounds the length (the CRD too); the depth only the hook can check, before parsing.
    if (policy.length > POLICY_MAX_LENGTH)
      throw new SpecError('spec.policy', `is ${policy.length} characters long; at most ${POLICY_MAX_LENGTH} are accepted (S3 takes 20 KB)`);
    if (nestsDeeperThan(policy, POLICY_MAX_DEPTH)) {
      throw new SpecError(
        'spec.policy',
        `nests objects and arrays deeper than ${POLICY_MAX_DEPTH} levels (a bucket policy needs about 6): flatten the document`,
      );
    }
    if (policy.trim() !== '') {
      try {
        const doc: unknown = JSON.parse(policy);
        if (!isRecord(doc)) throw new Error('not an object');
      } catch (err) {
        throw new SpecError('spec.policy', `is not a JSON policy document (${(err as Error).message}); use "" to remove the bucket policy`);
      }
    }
    return policy;
  },
  removes: (d) => d.trim() === '',
  canonical: canonicalPolicy,
  removal: { delete: true },
  unsetAtCreate: true,
});
