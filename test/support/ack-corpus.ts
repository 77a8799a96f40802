// The project's own ACK-shaped Bucket manifests (test/fixtures/ack-shaped/): what users write for ACK's
// s3-controller, in our words and values, together using every spec path of ACK's Bucket CRD
// (test/fixtures/ack-spec-paths.json). Their $VARIABLES get the plausible values below, or per-test
// ones (the RGW suite gives each manifest fresh bucket names).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const CORPUS_DIR = new URL('../fixtures/ack-shaped/', import.meta.url);

export const VARIABLES: Record<string, string> = {
  /** The bucket a manifest manages (and, mostly, its resource name). */
  BUCKET: 'fixture-bucket-a81c',
  /** A bucket that exists before the resource does: the one adoption manifests take over. */
  EXISTING_BUCKET: 'fixture-existing-52be',
  /** Receives server access logs. */
  LOG_BUCKET: 'fixture-logs-0d9f',
  /** Receives replicas. */
  REPLICA_BUCKET: 'fixture-replica-e4a7',
  /** Receives analytics exports and inventory reports. */
  REPORT_BUCKET: 'fixture-reports-6b13',
  REGION: 'eu-central-1',
  ACCOUNT_ID: '210987654321',
  /** Canonical user ids, for grants: the bucket owner's and another account's. */
  OWNER_ID: '5f0c7a1e9b3d48e2a6c1f7d0b94e3a28c6d1e05f7a9b2c4d8e3f1a6b0c5d7e92',
  PARTNER_ID: 'e1a94c0b7d2f5e3816c9b0a4d7e2f18c3b5a6d9e0f4c7b2a1d8e5f3c6b9a0d47',
  /** An Availability Zone id and a Local Zone id, for directory buckets. */
  ZONE_ID: 'euc1-az2',
  LOCAL_ZONE_ID: 'euc1-ham1-az1',
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

/** Every manifest of the corpus, in file-name order, substituted. */
export function loadCorpus(variables: Record<string, string> = VARIABLES): CorpusEntry[] {
  return readdirSync(fileURLToPath(CORPUS_DIR))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const unknown = new Set<string>();
      const docs = parseAllDocuments(readFileSync(new URL(file, CORPUS_DIR), 'utf8'))
        .map((d) => substitute(d.toJS(), unknown, variables))
        .filter((d) => d !== null);
      return { file, docs, unknown: [...unknown] };
    });
}
