// STS sessions for the IAMRoleSelector roles: AssumeRole through @aws-sdk/client-sts with the hook's own
// identity (the SDK's default chain), credentials cached per session and refreshed before they expire.
// Hand-written rather than @aws-sdk/credential-providers' fromTemporaryCredentials, for what that provider
// does not do: count each STS request for /metrics, classify a refusal at this boundary like every S3
// failure (Ceph RGW's STS errors are S3-shaped, which the SDK names "Unknown": by HTTP status), retry once
// without session tags where a role's trust policy refuses them, and coalesce concurrent syncs into one
// call. Nothing of a credential leaves this file but through the S3 clients' credential provider.
//
// A refused tag is remembered for that session only (one role, one namespace): a trust policy may allow
// sts:TagSession for some tag values and not others, so one namespace's refusal must not strip the
// namespace tag from every other namespace's session of the role. Sessions and remembered
// refusals are both bounded (least recently used dropped first): 6,000 namespaces grew RSS by 15 MB.
import { AssumeRoleCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { classify } from './errors.js';
import { S3Error, type RoleSession } from './port.js';

export interface StsOptions {
  /** An STS-compatible endpoint (Ceph RGW serves STS on its S3 port); undefined: AWS's regional STS. */
  endpoint?: string | undefined;
  /** The region to call STS in (AWS's regional endpoints); the hook's AWS_REGION. */
  region: string;
  /** The hook's own credentials (tests); production uses the SDK's default provider chain. */
  credentials?: STSClientConfig['credentials'];
  /** Requested session length: 3600 s, the maximum every role allows by default (AWS's floor is 900). */
  durationSeconds?: number;
  /** Called once per HTTP request sent to STS (retries included) with its result ("200", or the error code). */
  onRequest?: (result: string) => void;
  /** Called when STS refused a session's tags and the same call without them worked: what STS answered, as it said it. */
  onTagsRefused?: (refusal: TagRefusal) => void;
  /** Sessions (and tag refusals) remembered at most; default MAX_SESSIONS. */
  maxSessions?: number;
  maxAttempts?: number;
  now?: () => number;
}

/** Temporary credentials, as the SDK's clients take them (an AwsCredentialIdentity). */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** What STS answered to a tagged AssumeRole that worked untagged: the session, and STS's code, status and message. */
export interface TagRefusal {
  roleArn: string;
  sessionName: string;
  /** The tags that were refused, as key=value. */
  tags: string[];
  code: string;
  httpStatus: number | undefined;
  /** STS's own message (AWS names the missing permission in it); '' when its answer had none. */
  message: string;
}

export const DEFAULT_SESSION_SECONDS = 3600;
/** Sessions cached at most: one per (role, namespace) in use; a dropped one is assumed again when next needed. */
export const MAX_SESSIONS = 1000;
/** Credentials are renewed this long before they expire (at most a quarter of their lifetime). */
const REFRESH_BEFORE_MS = 5 * 60_000;

interface Cached {
  credentials: SessionCredentials;
  /** When to assume the role again. */
  refreshAt: number;
}

/** The session's cache key: what makes two sessions different. */
function keyOf(session: RoleSession): string {
  return JSON.stringify([session.roleArn, session.sessionName, session.tags]);
}

/** Sets `key` as the most recently used entry of `map`, dropping the least recently used beyond `max`. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= max) break;
    map.delete(oldest);
  }
}

/** Every call to STS's AssumeRole: one per session and credential lifetime, plus a retry without tags once per session whose tags are refused. */
export class RoleSessions {
  private readonly client: STSClient;
  private readonly cache = new Map<string, Cached>();
  private readonly pending = new Map<string, Promise<Cached>>();
  /** Sessions whose tags STS refused (and whose untagged call worked): they go without from then on. */
  private readonly tagless = new Map<string, true>();
  private readonly durationSeconds: number;
  private readonly maxSessions: number;
  private readonly now: () => number;

  constructor(private readonly options: StsOptions) {
    this.client = new STSClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    });
    if (options.onRequest) countRequests(this.client, options.onRequest);
    this.durationSeconds = options.durationSeconds ?? DEFAULT_SESSION_SECONDS;
    this.maxSessions = options.maxSessions ?? MAX_SESSIONS;
    this.now = options.now ?? Date.now;
  }

  /** The session's credentials: cached ones while fresh, else one AssumeRole (shared by concurrent callers). Rejects with an S3Error only. */
  credentials(session: RoleSession): Promise<SessionCredentials> {
    const key = keyOf(session);
    const hit = this.cache.get(key);
    if (hit && this.now() < hit.refreshAt) {
      remember(this.cache, key, hit, this.maxSessions);
      return Promise.resolve(hit.credentials);
    }
    let flight = this.pending.get(key);
    if (!flight) {
      flight = this.assume(session).then(
        (fresh) => {
          this.pending.delete(key);
          remember(this.cache, key, fresh, this.maxSessions);
          return fresh;
        },
        (err: unknown) => {
          this.pending.delete(key);
          throw err;
        },
      );
      this.pending.set(key, flight);
    }
    return flight.then((c) => c.credentials);
  }

  /** A provider for an S3 client of this session (the SDK calls it per request once they near expiry). */
  provider(session: RoleSession): () => Promise<SessionCredentials> {
    return () => this.credentials(session);
  }

  /** Sessions cached (one per role and namespace in use, at most maxSessions). */
  get size(): number {
    return this.cache.size;
  }

  /** Sessions remembered as refusing their tags (at most maxSessions). */
  get taglessSize(): number {
    return this.tagless.size;
  }

  destroy(): void {
    this.cache.clear();
    this.client.destroy();
  }

  private async assume(session: RoleSession): Promise<Cached> {
    const key = keyOf(session);
    const withTags = session.tags.length > 0 && !this.tagless.has(key);
    try {
      return await this.send(session, withTags);
    } catch (err) {
      // AWS refuses tags the trust policy does not allow (sts:TagSession, or not for this value) with
      // AccessDenied, like any other refusal: only a bare call that then works says it was the tags. ACK
      // sends none, so roles made for ACK work unchanged, without the namespace tag.
      if (!withTags || !(err instanceof S3Error) || err.kind !== 'access-denied') throw err;
      const bare = await this.send(session, false);
      remember(this.tagless, key, true, this.maxSessions);
      this.options.onTagsRefused?.({
        roleArn: session.roleArn,
        sessionName: session.sessionName,
        tags: session.tags.map((t) => `${t.key}=${t.value}`),
        code: err.code,
        httpStatus: err.httpStatus,
        message: stsMessage(err),
      });
      return bare;
    }
  }

  private async send(session: RoleSession, withTags: boolean): Promise<Cached> {
    const started = this.now();
    try {
      const out = await this.client.send(
        new AssumeRoleCommand({
          RoleArn: session.roleArn,
          RoleSessionName: session.sessionName,
          DurationSeconds: this.durationSeconds,
          ...(withTags ? { Tags: session.tags.map((t) => ({ Key: t.key, Value: t.value })) } : {}),
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
        throw new S3Error('AssumeRole', 'NoCredentials', 'unknown', undefined, { identity: session.roleArn });
      // RGW and AWS both send Expiration; without it, the requested length.
      const expiration = c.Expiration ?? new Date(started + this.durationSeconds * 1000);
      const lifetime = Math.max(0, expiration.getTime() - started);
      const refreshAt = expiration.getTime() - Math.min(REFRESH_BEFORE_MS, lifetime / 4);
      return { credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration }, refreshAt };
    } catch (err) {
      throw stsFailure(err, session, withTags);
    }
  }
}

/**
 * A refused AssumeRole as an S3Error of operation "AssumeRole" naming the role. A role that does not exist
 * (RGW: 404 NoSuchEntity; AWS answers 403) is access-denied too: an admin fixes it, and the next try works.
 */
export function stsFailure(err: unknown, session: RoleSession, withTags: boolean): S3Error {
  if (err instanceof S3Error) return err;
  const failure = classify('AssumeRole', err);
  const kind = failure.kind === 'not-found' ? 'access-denied' : failure.kind;
  const sent = `AssumeRole of ${session.roleArn} as session ${session.sessionName}${withTags ? ` with session tags ${session.tags.map((t) => t.key).join(', ')}` : ''}`;
  return new S3Error('AssumeRole', failure.code, kind, failure.httpStatus, { cause: err, sent, identity: session.roleArn });
}

/** STS's own words in a refusal (the SDK's message for its answer), '' when it had none. */
function stsMessage(err: S3Error): string {
  const cause = err.cause;
  const message = cause instanceof Error ? cause.message : '';
  // The SDK's placeholders for an answer without a message (RGW's bodiless 403s): nothing STS said.
  return message === 'Unknown' || message === 'UnknownError' ? '' : message;
}

/** Counts every HTTP request to STS with its outcome (the status, or the error code as classify names it). */
function countRequests(client: STSClient, onRequest: (result: string) => void): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        const result = await next(args);
        onRequest(String((result.response as { statusCode?: number } | undefined)?.statusCode ?? 'ok'));
        return result;
      } catch (err) {
        onRequest(classify('AssumeRole', err).code);
        throw err;
      }
    },
    { step: 'deserialize', name: 'bucketHookStsCounter', priority: 'high' },
  );
}
