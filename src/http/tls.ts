// HTTPS for the hook (TLS_CERT_FILE/TLS_KEY_FILE) and, with TLS_CLIENT_CA_FILE, client certificates (mTLS).
//
// mTLS asks every client for a certificate but lets the handshake finish without one
// (rejectUnauthorized: false); auth.ts then refuses hook routes unless the TLS layer verified the
// certificate against the CA (socket.authorized). Refusing in the handshake would also refuse the
// kubelet's HTTPS probes, which cannot present a client certificate.
//
// Renewed certificates (cert-manager rewrites the Secret) are picked up without a restart: the files
// are stat'ed every minute and, when changed, loaded into the running server with setSecureContext.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ServerOptions } from 'node:https';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { FastifyBaseLogger } from 'fastify';
import { ConfigError } from '../config.js';
import { fileVersion } from './file-version.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  clientCaFile: string | undefined;
}

interface Material {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
}

const NAMES = { cert: 'TLS_CERT_FILE', key: 'TLS_KEY_FILE', ca: 'TLS_CLIENT_CA_FILE' } as const;

function pathsOf(files: TlsFiles): Array<[keyof Material, string]> {
  return [['cert', files.certFile], ['key', files.keyFile], ...(files.clientCaFile ? [['ca', files.clientCaFile] as [keyof Material, string]] : [])];
}

/** Problems of a set of PEM files, in words; none means they make a usable server context. */
function check(material: Partial<Material>, problems: string[]): Material | undefined {
  if (problems.length > 0 || !material.cert || !material.key) return undefined;
  try {
    createSecureContext(material);
  } catch (err) {
    problems.push(
      `TLS_CERT_FILE/TLS_KEY_FILE${material.ca ? '/TLS_CLIENT_CA_FILE' : ''} are not a usable PEM certificate, key${material.ca ? ' and CA' : ''} (${(err as Error).message})`,
    );
    return undefined;
  }
  return material as Material;
}

/** Reads and checks the files at start; every problem is a configuration error. */
export function readTlsOptions(files: TlsFiles): ServerOptions {
  const problems: string[] = [];
  const material: Partial<Material> = {};
  for (const [field, path] of pathsOf(files)) {
    try {
      const content = readFileSync(path);
      if (content.length === 0) problems.push(`${NAMES[field]}="${path}" is empty`);
      else material[field] = content;
    } catch (err) {
      problems.push(`${NAMES[field]}="${path}" cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  const usable = check(material, problems);
  if (!usable) throw new ConfigError(problems);
  return {
    ...usable,
    minVersion: 'TLSv1.2',
    ...(usable.ca ? { requestCert: true, rejectUnauthorized: false } : {}),
  };
}

/** A server whose certificate can be replaced while it runs (https.Server). */
export interface SecureServer {
  setSecureContext(options: SecureContextOptions): void;
}

/** The hook's server as one whose certificate can be replaced: Fastify types it as http.Server even when it serves HTTPS. */
export function asSecureServer(server: object): SecureServer {
  if (!('setSecureContext' in server) || typeof server.setSecureContext !== 'function')
    throw new Error('the hook server does not serve TLS, so its certificate cannot be reloaded');
  return server as SecureServer;
}

/**
 * Runs `poll` now and every `intervalMs` (an unref'd interval); returns a function that stops it. Tests
 * pass their own, to run each poll themselves and wait for it.
 */
export type PollSchedule = (poll: () => Promise<void>, intervalMs: number) => () => void;

const everyInterval: PollSchedule = (poll, intervalMs) => {
  void poll();
  const timer = setInterval(() => void poll(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
};

/** Reloads the files into the server when they change; returns a function that stops watching. */
export function reloadTlsOnChange(
  server: SecureServer,
  files: TlsFiles,
  log: FastifyBaseLogger,
  intervalMs = 60_000,
  schedule: PollSchedule = everyInterval,
): () => void {
  let seen: string | undefined;
  let problem: string | undefined;
  const versionOf = async (): Promise<string> => {
    const parts = await Promise.all(pathsOf(files).map(([, path]) => fileVersion(path)));
    return parts.join('|');
  };
  const poll = async (): Promise<void> => {
    try {
      const version = await versionOf();
      if (seen === undefined) seen = version;
      if (version === seen) return;
      const problems: string[] = [];
      const material: Partial<Material> = {};
      for (const [field, path] of pathsOf(files)) material[field] = await readFile(path);
      const usable = check(material, problems);
      if (!usable) throw new Error(problems.join('; '));
      server.setSecureContext(usable);
      seen = version;
      problem = undefined;
      log.info({ cert: files.certFile }, 'TLS certificate reloaded');
    } catch (err) {
      // Keep serving the certificate that works; say so once per distinct problem.
      const now = (err as Error).message;
      if (now !== problem) log.warn({ cert: files.certFile, problem: now }, 'cannot reload the TLS files; keeping the current certificate');
      problem = now;
    }
  };
  return schedule(poll, intervalMs);
}
