// ACK's own end-to-end Bucket manifests (shared/ack/e2e-resources, reference data beside the repo),
// with plausible values for the $VARIABLES ACK's tests substitute.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const E2E_DIR = new URL('../../../shared/ack/e2e-resources/', import.meta.url);

export const VARIABLES: Record<string, string> = {
  BUCKET_NAME: 'ack-e2e-bucket-4c1d',
  RANDOM_BUCKET_NAME: 'ack-e2e-random-8b2e',
  ADOPT_OR_CREATE_BUCKET_NAME: 'ack-e2e-adopt-or-create-1f7a',
  STACK_BUCKET_NAME: 'ack-e2e-stack-5e9c',
  REPLICATION_BUCKET_NAME: 'ack-e2e-replica-3a6f',
  ADOPTION_POLICY: 'adopt',
  ADOPTION_FIELDS: '{"name": "ack-e2e-adopted-9d04"}',
  DELETION_POLICY: 'retain',
  BUCKET_NAMESPACE: 'account-regional',
  BUCKET_ARN: 'arn:aws:s3express:us-west-2:111122223333:bucket/ack-e2e-bucket-4c1d--usw2-az1--x-s3',
  LOCATION_NAME: 'usw2-az1',
  NOTIFICATION_TOPIC_ARN: 'arn:aws:sns:us-west-2:111122223333:ack-e2e-bucket-events',
  REPLICATION_ROLE_ARN: 'arn:aws:iam::111122223333:role/ack-e2e-replication',
};

/** Substitutes inside parsed string values, so JSON in a quoted annotation needs no YAML escaping. */
export function substitute(value: unknown, unknown: Set<string>, variables: Record<string, string> = VARIABLES): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$([A-Z_]+)/g, (whole, name: string) => {
      const replacement = variables[name];
      if (replacement === undefined) unknown.add(name);
      return replacement ?? whole;
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, unknown, variables));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, unknown, variables)]));
  return value;
}

export interface CorpusEntry {
  file: string;
  docs: unknown[];
  unknown: string[];
}

/** Every manifest, substituted; throws with a clear message when shared/ is not beside the repo. */
export function loadCorpus(variables: Record<string, string> = VARIABLES): CorpusEntry[] {
  const dir = fileURLToPath(E2E_DIR);
  if (!existsSync(dir)) throw new Error(`ACK's e2e manifests are missing at ${dir}: shared/ must sit beside the repository (../shared), as in CI`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const unknown = new Set<string>();
      const docs = parseAllDocuments(readFileSync(new URL(file, E2E_DIR), 'utf8'))
        .map((d) => substitute(d.toJS(), unknown, variables))
        .filter((d) => d !== null);
      return { file, docs, unknown: [...unknown] };
    });
}
