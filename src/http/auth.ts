// Who may call the hook routes: Metacontroller, proven by a bearer token (HOOK_TOKEN_FILE) and/or a
// client certificate (mTLS, TLS_CLIENT_CA_FILE). Probes and /metrics stay open: the kubelet and
// Prometheus hold neither.
//
// Token reload: the file is stat'ed on each hook request (one cheap syscall, shared by concurrent
// requests) and re-read only when its identity changes (device, inode, size, mtime, ctime in ns).
// A Kubernetes Secret volume updates by swapping a symlink to a new directory, so fs.watch on the
// file keeps watching the old inode and misses the update; stat follows the symlink and sees it. It
// needs no timer either, so a rotated token is accepted by the very next request.
//
// A refusal (401) closes the connection (Connection: close): the unsent body is never read, and a
// client without credentials cannot keep a socket and retry on it. It is logged at debug only and
// counted in bucket_hook_unauthorized_total{reason}, so a flood of bad requests costs no log lines.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { TLSSocket } from 'node:tls';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConfigError } from '../config.js';
import { UnauthorizedError } from './errors.js';
import { fileVersion } from './file-version.js';
import type { UnauthorizedReason } from './metrics.js';

/** Routes anyone may call (by route pattern, so query strings do not matter). */
export const OPEN_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** The current expected token, as a SHA-256 digest (the plain token is not kept). */
export interface HookToken {
  digest(log: FastifyBaseLogger): Promise<Buffer>;
}

export interface HookAuth {
  token?: HookToken | undefined;
  /** mTLS: hook routes need a client certificate that the TLS layer verified against the client CA. */
  clientCertificate?: boolean | undefined;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Constant time: both sides are hashed to 32 bytes first, so neither length nor content leaks. */
export function tokenMatches(presented: string, expected: Buffer): boolean {
  return timingSafeEqual(sha256(presented), expected);
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 7235). */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}

/** An error in words; fs errors already start with their code ("ENOENT: no such file ..."). */
function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The token in a file's content: trimmed, one word (a header carries nothing else), not empty. */
function tokenIn(content: string): string {
  const token = content.trim();
  if (token === '') throw new Error('the file is empty');
  if (/\s/.test(token)) throw new Error('the token contains whitespace; a bearer token is a single word');
  return token;
}

/** The token in a file (HOOK_TOKEN_FILE): its trimmed content, re-read when the file changes. */
export class FileToken implements HookToken {
  private problem: string | undefined;
  private refreshing: Promise<void> | undefined;

  private constructor(
    readonly path: string,
    private current: Buffer,
    private version: string,
  ) {}

  /** Reads the file at start; an unreadable or empty file is a configuration error (never fall open). */
  static open(path: string): FileToken {
    let content: string;
    try {
      content = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError([`HOOK_TOKEN_FILE="${path}" cannot be read (${describe(err)}): mount the Secret with the token there, or unset HOOK_TOKEN_FILE`]);
    }
    let token: string;
    try {
      token = tokenIn(content);
    } catch (err) {
      throw new ConfigError([`HOOK_TOKEN_FILE="${path}": ${describe(err)}: put a random token in the Secret, e.g. $(openssl rand -hex 32)`]);
    }
    // The version is left empty, so the first request stats the file and records it.
    return new FileToken(path, sha256(token), '');
  }

  async digest(log: FastifyBaseLogger): Promise<Buffer> {
    this.refreshing ??= this.refresh(log).finally(() => (this.refreshing = undefined));
    await this.refreshing;
    return this.current;
  }

  private async refresh(log: FastifyBaseLogger): Promise<void> {
    try {
      const version = await fileVersion(this.path);
      if (version === this.version) return;
      const token = tokenIn(await readFile(this.path, 'utf8'));
      const changed = !this.current.equals(sha256(token));
      this.current = sha256(token);
      this.version = version;
      if (changed) log.info({ file: this.path }, 'hook token changed; requests now need the new one');
      if (this.problem !== undefined) log.info({ file: this.path }, 'hook token file readable again');
      this.problem = undefined;
    } catch (err) {
      // Keep the last good token: failing open would let anyone in, failing closed would stop every sync.
      const problem = describe(err);
      if (problem !== this.problem) log.warn({ file: this.path, problem }, 'cannot re-read HOOK_TOKEN_FILE; keeping the last good token');
      this.problem = problem;
    }
  }
}

/** Refuses hook requests (everything but OPEN_ROUTES, unknown routes included) without valid credentials. */
export function registerHookAuth(app: FastifyInstance, auth: HookAuth, count: (reason: UnauthorizedReason) => void): void {
  const { token, clientCertificate } = auth;
  if (!token && !clientCertificate) return;
  const refuse = (reply: FastifyReply, reason: UnauthorizedReason, message: string): Error => {
    count(reason);
    void reply.header('connection', 'close');
    return new UnauthorizedError(message);
  };
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (OPEN_ROUTES.has(request.routeOptions.url ?? '')) return;
    if (clientCertificate) {
      const socket = request.raw.socket as Partial<TLSSocket>;
      if (socket.authorized !== true) {
        const presented = Object.keys(socket.getPeerCertificate?.() ?? {}).length > 0;
        const why = presented ? `the one presented was refused: ${String(socket.authorizationError)}` : 'none was presented';
        throw refuse(
          reply,
          presented ? 'bad_client_certificate' : 'no_client_certificate',
          `a client certificate signed by TLS_CLIENT_CA_FILE is required (${why}); set clientTLS on the CompositeController's hooks`,
        );
      }
    }
    if (token) {
      const presented = bearerToken(request.headers.authorization);
      if (presented === undefined) {
        void reply.header('www-authenticate', 'Bearer realm="bucket-hook"');
        throw refuse(
          reply,
          'no_token',
          'no bearer token: the hook needs "Authorization: Bearer <token>"; set authorization.secretRef on the CompositeController\'s hooks (README: Securing the hook)',
        );
      }
      if (!tokenMatches(presented, await token.digest(request.log))) {
        void reply.header('www-authenticate', 'Bearer realm="bucket-hook", error="invalid_token"');
        throw refuse(
          reply,
          'wrong_token',
          'the bearer token does not match HOOK_TOKEN_FILE; after rotating the Secret, restart Metacontroller so it reads the new one',
        );
      }
    }
  });
}
