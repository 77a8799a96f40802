// Opt-in capture of received hook bodies (CAPTURE_DIR), one replayable JSON file each, for
// `npm run replay`. Bounded by file count and total bytes (oldest deleted first), secrets redacted,
// and written off the request path: a failing or slow disk never slows or fails a sync. The files are
// the owner's only (0600, in a 0700 directory): a body still tells who has which bucket, and redaction
// goes by what a key looks like, so it can miss a secret.
import { chmod, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Log } from '../reconciler/model/deps.js';
import { isRecord } from '../schema/record.js';

export interface CaptureOptions {
  dir: string;
  maxFiles: number;
  maxBytes: number;
}

export interface CaptureSubject {
  namespace: string | undefined;
  name: string;
  generation: number | undefined;
}

export interface Capture {
  /** Queues one body for writing and returns at once. */
  record(body: unknown, subject: CaptureSubject, hook: 'sync' | 'finalize', log: Log): void;
  /** Settles when every queued body is written (or given up on). */
  flush(): Promise<void>;
}

const REDACTED = '[redacted]';
/**
 * Families of secret-looking keys, found anywhere in the key once its separators are removed, so every
 * spelling counts (db_password, dbPassword, DB-PASSWORD, aws-access-key-id, connection.string).
 */
const SECRET_FRAGMENTS = [
  'token',
  'secret',
  'password',
  'passwd',
  'passphrase',
  'credential',
  'jwt',
  'bearer',
  'authorization',
  'cookie',
  'apikey',
  'privatekey',
  'accesskey',
  'sessionkey',
  'signingkey',
  'encryptionkey',
  'masterkey',
  'sshkey',
  'tlskey',
  'connectionstring',
  'connstring',
  'connstr',
];
/** Short words that are secret only as a word of their own (db-pass, dbPass; not bypass, compass or passenger). */
const SECRET_WORDS = new Set(['pass', 'pwd', 'pw', 'auth', 'creds', 'cred', 'dsn', 'otp']);

/** True when a key (an annotation's, a ConfigMap entry's) names something secret, by the families above. */
export function isSecretKey(key: string): boolean {
  const joined = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (SECRET_FRAGMENTS.some((f) => joined.includes(f))) return true;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((w) => SECRET_WORDS.has(w));
}

/** True when free text (an unparsable last-applied annotation) mentions a secret-looking key. */
function mentionsSecret(text: string): boolean {
  return text.split(/[^A-Za-z0-9_.-]+/).some((word) => word !== '' && isSecretKey(word));
}
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Only files named like ours are counted and pruned: other files in the directory are left alone. */
const OURS = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-.+-(sync|finalize)\.json$/;
/** Bodies waiting for the disk; beyond this, new ones are dropped rather than held in memory. */
const MAX_PENDING = 64;

function redactLastApplied(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return mentionsSecret(text) ? REDACTED : text;
  }
  const redacted = JSON.stringify(redact(parsed));
  // Unchanged content keeps its exact text (kubectl's trailing newline included).
  if (redacted === JSON.stringify(parsed)) return text;
  return text.endsWith('\n') ? `${redacted}\n` : redacted;
}

function redactAnnotations(annotations: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(annotations).map(([key, value]) => {
      if (isSecretKey(key)) return [key, REDACTED];
      if (key === LAST_APPLIED && typeof value === 'string') return [key, redactLastApplied(value)];
      return [key, value];
    }),
  );
}

/**
 * The body with secret-looking annotation values (also inside last-applied), a ConfigMap's secret-looking
 * entries and all of a Secret's data replaced; same shape otherwise.
 */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = key === 'annotations' && isRecord(v) ? redactAnnotations(v) : redact(v);
  if (value.kind === 'Secret' || value.kind === 'ConfigMap') {
    const all = value.kind === 'Secret';
    for (const key of ['data', 'stringData', 'binaryData']) {
      const data = out[key];
      if (isRecord(data)) out[key] = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, all || isSecretKey(k) ? REDACTED : v]));
    }
  }
  return out;
}

function segment(text: string): string {
  return text.replace(/[^a-zA-Z0-9.-]/g, '_').slice(0, 100) || '_';
}

export function captureFileName(ms: number, subject: CaptureSubject, hook: 'sync' | 'finalize'): string {
  const timestamp = new Date(ms).toISOString().replace(/:/g, '-');
  return `${timestamp}-${segment(subject.namespace ?? '_')}-${segment(subject.name)}-${subject.generation ?? 0}-${hook}.json`;
}

export function createCapture(options: CaptureOptions, clock: () => number = Date.now): Capture {
  const { dir, maxFiles, maxBytes } = options;
  let files: Array<{ name: string; bytes: number }> | undefined; // oldest first
  let total = 0;
  let lastMs = 0;
  let pending = 0;
  let chain: Promise<void> = Promise.resolve();

  async function scan(log: Log): Promise<Array<{ name: string; bytes: number }>> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // An existing directory (an emptyDir is 0777) is narrowed too where the hook owns it; elsewhere the
    // files' own 0600 still holds.
    await chmod(dir, 0o700).catch((err: unknown) =>
      log.warn({ dir, err }, 'cannot make CAPTURE_DIR private (0700); the captured files in it are 0600 all the same'),
    );
    const names = (await readdir(dir)).filter((n) => OURS.test(n)).sort();
    // Files of an earlier version were 0644: narrowed as they are counted.
    const found = await Promise.all(
      names.map(async (name) => {
        await chmod(join(dir, name), 0o600).catch(() => undefined);
        return { name, bytes: (await stat(join(dir, name))).size };
      }),
    );
    total = found.reduce((sum, f) => sum + f.bytes, 0);
    return found;
  }

  async function write(name: string, body: unknown, log: Log): Promise<void> {
    const text = `${JSON.stringify(redact(body), null, 2)}\n`;
    const bytes = Buffer.byteLength(text);
    if (bytes > maxBytes) {
      log.warn({ file: name, bytes, maxBytes }, 'request body larger than CAPTURE_MAX_BYTES: not captured');
      return;
    }
    files ??= await scan(log);
    // Written aside and renamed, so a replay never reads half a file; private from its first byte.
    const temp = join(dir, `.${name}.tmp`);
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, join(dir, name));
    files.push({ name, bytes });
    total += bytes;
    while (files.length > maxFiles || total > maxBytes) {
      const oldest = files.shift()!;
      total -= oldest.bytes;
      await rm(join(dir, oldest.name), { force: true });
    }
  }

  return {
    record(body, subject, hook, log) {
      if (pending >= MAX_PENDING) {
        log.warn({ pending }, 'capture queue full: request body not captured');
        return;
      }
      // Strictly increasing milliseconds: unique names that sort oldest first.
      lastMs = Math.max(clock(), lastMs + 1);
      const name = captureFileName(lastMs, subject, hook);
      pending++;
      chain = chain
        .then(() => write(name, body, log))
        .catch((err: unknown) => {
          files = undefined; // rescan next time: the directory may have changed under us
          log.warn({ err, dir, file: name }, 'cannot capture the request body');
        })
        .finally(() => void pending--);
    },
    flush: () => chain,
  };
}
