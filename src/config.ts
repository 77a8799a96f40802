// Configuration from the environment, parsed and validated once at start. Every problem is reported
// together, in words an operator can act on at 2 a.m.
import type { DeletionPolicy } from './reconciler/model/types.js';
import type { TenancyRules } from './reconciler/rules/tenancy.js';
import type { DriftLoopSettings } from './reconciler/rules/drift-loop.js';
import { isLoopback } from './loopback.js';

export interface Config {
  port: number;
  /** ADMIN_PORT: probes and /metrics, plain HTTP (the hook port serves the hooks). */
  adminPort: number;
  /** HOST: where both ports listen; loopback unless set (a pod sets 0.0.0.0). */
  host: string;
  /** ALLOW_UNAUTHENTICATED: listen beyond loopback without a token or client certificates (Metacontroller < 4.16). */
  allowUnauthenticated: boolean;
  logLevel: string;
  /** Default region for Buckets without the services.k8s.aws/region annotation. */
  region: string;
  /** ALLOWED_REGIONS: when set, the only regions (besides `region`) a Bucket may name. */
  allowedRegions: string[] | undefined;
  /** ADOPTION_NAMESPACES, BUCKET_NAME_PREFIX, EMPTY_ADOPTED_BUCKETS_NAMESPACES: what each namespace may adopt, name and empty. */
  tenancy: TenancyRules;
  /** CLAIM_KEY_FILE: the key the claims in statuses are signed with (main.ts reads it); unset: a random key per process. */
  claimKeyFile: string | undefined;
  /** S3-compatible endpoint (AWS_ENDPOINT_URL_S3, the SDK's own convention); undefined for AWS. */
  endpoint: string | undefined;
  /** STS endpoint for the IAMRoleSelector roles (AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL); undefined: AWS's regional STS. */
  stsEndpoint: string | undefined;
  forcePathStyle: boolean;
  /** S3_CLIENT_TUNING (on | off): off sends through stock S3Clients, none of the tuning of src/s3/sdk-*.ts (docs/operations.md). */
  s3ClientTuning: boolean;
  deletionPolicy: DeletionPolicy;
  driftCheckSeconds: number;
  backoffMinSeconds: number;
  backoffMaxSeconds: number;
  bodyLimitBytes: number;
  keepAliveTimeoutMs: number;
  /** A request's headers and body must arrive within this long (REQUEST_TIMEOUT_MS), its headers within HEADERS_TIMEOUT_MS. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  /** MAX_CONNECTIONS: connections the hook port holds at once; more are closed as they are accepted. */
  maxConnections: number;
  /** Each hook request's S3 work is cut short after this long; below the CompositeController's 30 s webhook timeout. */
  requestDeadlineMs: number;
  /** Optional: reported as status.ackResourceMetadata.ownerAccountID. */
  accountId: string | undefined;
  /** Optional: received hook bodies are written here for replay, bounded by count and bytes. */
  capture: { dir: string; maxFiles: number; maxBytes: number } | undefined;
  /** Optional: hook requests need `Authorization: Bearer <the file's trimmed content>`. */
  hookTokenFile: string | undefined;
  /** Optional: serve HTTPS; with clientCaFile, hook requests need a client certificate signed by it (mTLS). */
  tls: { certFile: string; keyFile: string; clientCaFile: string | undefined } | undefined;
  /** Where Kubernetes Events go; undefined when no API server is configured (not in a cluster) or EVENTS_ENABLED=false. */
  events: EventsConfig | undefined;
  /** FOREIGN_TAG_PREFIXES: tag key prefixes other tools own (beside aws:); their tags are never compared or removed. */
  foreignTagPrefixes: string[];
  /** ALLOW_UNSCOPED_ROLE_SELECTORS: IAMRoleSelectors without a namespaceSelector are used (ACK's behaviour); false: refused. */
  allowUnscopedRoleSelectors: boolean;
  /** DRIFT_LOOP_CORRECTIONS, DRIFT_LOOP_WINDOW_SECONDS: a field corrected this often within the window is no longer written (drift-loop.ts). */
  driftLoop: DriftLoopSettings;
  /** APPROVAL_NAMESPACES: namespaces whose Buckets write only approved plans, as with the annotation s3.services.k8s.aws/approval: required; default none. */
  approvalNamespaces: 'all' | readonly string[];
  /** CLUSTER_NAME: this cluster's name, written in the ownership tags so that clusters sharing an account never take each other's buckets. */
  clusterName: string | undefined;
}

export interface EventsConfig {
  /** The API server: KUBE_API_URL, else https://KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT (in a pod). */
  url: string;
  /** True for KUBE_API_URL (its files must exist); false in a pod, where a missing token just turns events off. */
  explicit: boolean;
  /** The bearer token's file (KUBE_TOKEN_FILE; in a pod the ServiceAccount's); undefined: none sent. */
  tokenFile: string | undefined;
  /** The API server's CA (KUBE_CA_FILE; in a pod the ServiceAccount's ca.crt); undefined: the system's. */
  caFile: string | undefined;
  /** reportingInstance: POD_NAME (the downward API), else HOSTNAME. */
  instance: string;
  timeoutMs: number;
  queueSize: number;
}

export const IN_CLUSTER_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const IN_CLUSTER_CA_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseConfig(env: Env): Config {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === '' ? undefined : v;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}="${raw}" must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = value(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    problems.push(`${name}="${value(name)}" must be true or false`);
    return fallback;
  };

  const region = value('AWS_REGION') ?? value('AWS_DEFAULT_REGION');
  if (!region)
    problems.push(
      'AWS_REGION is not set: set it to the region where Buckets are created by default (e.g. AWS_REGION=eu-west-1); a Bucket can override it with the annotation services.k8s.aws/region',
    );
  else if (!/^[a-z0-9-]+$/.test(region)) problems.push(`AWS_REGION="${region}" does not look like a region name (e.g. eu-west-1)`);

  const allowed = value('ALLOWED_REGIONS');
  const allowedRegions =
    allowed === undefined
      ? undefined
      : allowed
          .split(',')
          .map((r) => r.trim())
          .filter((r) => r !== '');
  for (const r of allowedRegions ?? [])
    if (!/^[a-z0-9-]+$/.test(r)) problems.push(`ALLOWED_REGIONS: "${r}" does not look like a region name (a comma-separated list such as eu-west-1,us-east-1)`);

  const adoptionNamespaces = namespaceList(value('ADOPTION_NAMESPACES'), 'all');
  // Default none: with ADOPTION_NAMESPACES=* any namespace may adopt, so emptying what it adopted is the admin's call.
  const emptyAdopted = value('EMPTY_ADOPTED_BUCKETS_NAMESPACES');
  const namePrefix = value('BUCKET_NAME_PREFIX');
  if (namePrefix !== undefined && !/^[a-z0-9.-]*(\{namespace\}[a-z0-9.-]*)*$/.test(namePrefix)) {
    problems.push(`BUCKET_NAME_PREFIX="${namePrefix}" may hold lowercase letters, digits, dots, hyphens and {namespace} (e.g. {namespace}-)`);
  }

  const endpoint = value('AWS_ENDPOINT_URL_S3') ?? value('AWS_ENDPOINT_URL');
  if (endpoint) {
    try {
      const url = new URL(endpoint);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    } catch {
      problems.push(`AWS_ENDPOINT_URL_S3="${endpoint}" must be an http(s) URL such as http://127.0.0.1:7480`);
    }
  }

  // Ceph RGW serves STS on its S3 port: set AWS_ENDPOINT_URL_STS to the same URL as AWS_ENDPOINT_URL_S3.
  const stsEndpoint = value('AWS_ENDPOINT_URL_STS') ?? value('AWS_ENDPOINT_URL');
  if (stsEndpoint && !/^https?:\/\/[^/\s]+/.test(stsEndpoint))
    problems.push(`AWS_ENDPOINT_URL_STS="${stsEndpoint}" must be an http(s) URL such as http://127.0.0.1:7480`);

  const tuning = parseS3ClientTuning(value('S3_CLIENT_TUNING'));
  if (tuning.problem) problems.push(tuning.problem);

  const logLevel = value('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL="${logLevel}" must be one of ${LOG_LEVELS.join(', ')}`);

  const deletion = (value('DELETION_POLICY') ?? 'delete').toLowerCase();
  if (deletion !== 'delete' && deletion !== 'retain') problems.push(`DELETION_POLICY="${value('DELETION_POLICY')}" must be delete or retain`);

  const accountId = value('AWS_ACCOUNT_ID');
  if (accountId && !/^\d{12}$/.test(accountId)) problems.push(`AWS_ACCOUNT_ID="${accountId}" must be 12 digits`);

  // Only the names here; main.ts reads the files (and reports unreadable ones) before listening.
  const hookTokenFile = value('HOOK_TOKEN_FILE');
  const certFile = value('TLS_CERT_FILE');
  const keyFile = value('TLS_KEY_FILE');
  const clientCaFile = value('TLS_CLIENT_CA_FILE');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    problems.push(
      `TLS_CERT_FILE and TLS_KEY_FILE go together: set both to serve HTTPS, or neither for plain HTTP (only ${certFile ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE'} is set)`,
    );
  } else if (clientCaFile && !certFile) {
    problems.push(
      'TLS_CLIENT_CA_FILE (client certificates, mTLS) needs TLS_CERT_FILE and TLS_KEY_FILE: the hook must serve HTTPS to ask for a client certificate',
    );
  }

  const clusterName = value('CLUSTER_NAME');
  // A tag value, read back by people: a DNS label's characters keep it unambiguous in messages.
  if (clusterName !== undefined && !/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/.test(clusterName)) {
    problems.push(
      `CLUSTER_NAME="${clusterName}" must be 1 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit (e.g. prod-eu-1)`,
    );
  }
  const takeBack = value('TAKE_BACK_NAMESPACES');

  const events = eventsConfig(value, integer, boolean, problems);
  const foreign = parseForeignTagPrefixes(value('FOREIGN_TAG_PREFIXES'));
  problems.push(...foreign.problems);

  const config: Config = {
    port: integer('PORT', 8080, 0, 65535),
    adminPort: integer('ADMIN_PORT', 8081, 0, 65535),
    // Loopback by default: the quick start's hook holds S3 keys and no token (a pod sets HOST=0.0.0.0).
    host: value('HOST') ?? '127.0.0.1',
    allowUnauthenticated: boolean('ALLOW_UNAUTHENTICATED', false),
    logLevel,
    region: region ?? '',
    allowedRegions,
    tenancy: {
      adoptionNamespaces,
      ...(namePrefix ? { bucketNamePrefix: namePrefix } : {}),
      ...(emptyAdopted ? { emptyAdoptedNamespaces: namespaceList(emptyAdopted, []) } : {}),
      ...(takeBack ? { takeBackNamespaces: namespaceList(takeBack, []) } : {}),
    },
    claimKeyFile: value('CLAIM_KEY_FILE'),
    endpoint,
    stsEndpoint,
    forcePathStyle: boolean('S3_FORCE_PATH_STYLE', false),
    s3ClientTuning: tuning.on,
    deletionPolicy: deletion === 'retain' ? 'retain' : 'delete',
    driftCheckSeconds: integer('DRIFT_CHECK_INTERVAL_SECONDS', 600, 10, 7 * 24 * 3600),
    backoffMinSeconds: integer('BACKOFF_MIN_SECONDS', 5, 1, 3600),
    backoffMaxSeconds: integer('BACKOFF_MAX_SECONDS', 300, 1, 24 * 3600),
    bodyLimitBytes: integer('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    keepAliveTimeoutMs: integer('KEEP_ALIVE_TIMEOUT_MS', 120_000, 1000, 3_600_000),
    requestTimeoutMs: integer('REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    headersTimeoutMs: integer('HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
    // The Deployment's 256Mi holds 512 idle connections with room to spare (README, Configuration).
    maxConnections: integer('MAX_CONNECTIONS', 512, 1, 100_000),
    requestDeadlineMs: integer('REQUEST_DEADLINE_MS', 20_000, 100, 300_000),
    accountId,
    capture: undefined,
    hookTokenFile,
    tls: certFile && keyFile ? { certFile, keyFile, clientCaFile } : undefined,
    events,
    foreignTagPrefixes: foreign.prefixes,
    allowUnscopedRoleSelectors: boolean('ALLOW_UNSCOPED_ROLE_SELECTORS', false),
    // Defaults and their reasons: drift-loop.ts (DEFAULT_DRIFT_LOOP). 0 turns the guard off.
    driftLoop: { corrections: integer('DRIFT_LOOP_CORRECTIONS', 5, 0, 1000), windowSeconds: integer('DRIFT_LOOP_WINDOW_SECONDS', 3600, 60, 7 * 24 * 3600) },
    approvalNamespaces: namespaceList(value('APPROVAL_NAMESPACES'), []),
    clusterName,
  };
  const captureDir = value('CAPTURE_DIR');
  const captureMaxFiles = integer('CAPTURE_MAX_FILES', 500, 1, 1_000_000);
  const captureMaxBytes = integer('CAPTURE_MAX_BYTES', 50 * 1024 * 1024, 1024, 1024 * 1024 * 1024 * 1024);
  if (captureDir) config.capture = { dir: captureDir, maxFiles: captureMaxFiles, maxBytes: captureMaxBytes };
  if (config.port !== 0 && config.port === config.adminPort)
    problems.push(`PORT and ADMIN_PORT are both ${config.port}: the admin port (probes, /metrics) needs a port of its own`);
  // Node refuses a headers timeout longer than the request timeout (the headers are part of the request).
  if (config.headersTimeoutMs > config.requestTimeoutMs)
    problems.push(
      `HEADERS_TIMEOUT_MS (${config.headersTimeoutMs}) must not exceed REQUEST_TIMEOUT_MS (${config.requestTimeoutMs}): the headers are part of the request`,
    );
  // Open to the network with nothing to check a caller by: whoever connects gets the hook's S3 credentials.
  if (!isLoopback(config.host) && !hookTokenFile && !clientCaFile && !config.allowUnauthenticated) {
    problems.push(
      `HOST="${config.host}" listens beyond this machine, and neither HOOK_TOKEN_FILE nor TLS_CLIENT_CA_FILE is set: anyone who can connect could use the hook's S3 credentials. Set HOOK_TOKEN_FILE (the install does), or HOST=127.0.0.1, or ALLOW_UNAUTHENTICATED=true where a NetworkPolicy is the only guard (Metacontroller < 4.16)`,
    );
  }
  if (config.backoffMinSeconds > config.backoffMaxSeconds)
    problems.push(`BACKOFF_MIN_SECONDS (${config.backoffMinSeconds}) must not exceed BACKOFF_MAX_SECONDS (${config.backoffMaxSeconds})`);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** A namespace setting: `*` (all), `none`, or a comma-separated list; unset: `fallback`. */
function namespaceList(raw: string | undefined, fallback: 'all' | readonly string[]): 'all' | readonly string[] {
  if (raw === undefined) return fallback;
  if (raw === '*') return 'all';
  if (raw === 'none') return [];
  return raw
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
}

/**
 * FOREIGN_TAG_PREFIXES (also read by `npm run import`): comma-separated tag key prefixes, such as
 * `org:,cost-center/`. A prefix may not cover this controller's ownership tags (services.k8s.aws/...).
 */
export function parseForeignTagPrefixes(raw: string | undefined): { prefixes: string[]; problems: string[] } {
  const prefixes = [
    ...new Set(
      (raw ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== ''),
    ),
  ];
  const problems = prefixes
    .filter((p) => 'services.k8s.aws/uid'.startsWith(p) || p.length > 127)
    .map((p) =>
      p.length > 127
        ? `FOREIGN_TAG_PREFIXES: "${p.slice(0, 20)}..." is longer than a tag key may be`
        : `FOREIGN_TAG_PREFIXES: "${p}" would cover this controller's ownership tags (services.k8s.aws/...): name the other tool's own prefix, such as org: or cost-center/`,
    );
  return { prefixes, problems };
}

/** The Kubernetes API for Events: KUBE_API_URL, or the in-cluster service; none outside a cluster. */
function eventsConfig(
  value: (name: string) => string | undefined,
  integer: (name: string, fallback: number, min: number, max: number) => number,
  boolean: (name: string, fallback: boolean) => boolean,
  problems: string[],
): EventsConfig | undefined {
  const enabled = boolean('EVENTS_ENABLED', true);
  const timeoutMs = integer('EVENTS_TIMEOUT_MS', 5000, 100, 60_000);
  const queueSize = integer('EVENTS_QUEUE_SIZE', 1000, 1, 100_000);
  const explicitUrl = value('KUBE_API_URL');
  const host = value('KUBERNETES_SERVICE_HOST');
  let url: string | undefined = explicitUrl;
  if (explicitUrl) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(explicitUrl);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
    } catch {
      parsed = undefined;
      problems.push(`KUBE_API_URL="${explicitUrl}" must be an http(s) URL such as https://10.96.0.1:443`);
    }
    // A path prefix (a proxy's /k8s/clusters/ID) is kept; a query, a fragment or credentials would not be.
    if (parsed && (parsed.search || parsed.hash || parsed.username || parsed.password)) {
      problems.push(
        `KUBE_API_URL="${explicitUrl}" may hold a scheme, host, port and path only: no query, fragment or user:password (the token goes in KUBE_TOKEN_FILE)`,
      );
    }
    // The token would cross the network in clear text: only to this machine (kubectl proxy, a stand-in).
    if (parsed?.protocol === 'http:' && value('KUBE_TOKEN_FILE') && !isLoopback(parsed.hostname)) {
      problems.push(
        `KUBE_API_URL="${explicitUrl}" is plain http to a host that is not loopback, and KUBE_TOKEN_FILE would send the ServiceAccount token in clear text: use https:// (with KUBE_CA_FILE), or kubectl proxy on 127.0.0.1`,
      );
    }
  } else if (host) {
    const port = value('KUBERNETES_SERVICE_PORT') ?? '443';
    url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
  if (!enabled || !url) return undefined;
  const inCluster = explicitUrl === undefined;
  return {
    url,
    explicit: !inCluster,
    tokenFile: value('KUBE_TOKEN_FILE') ?? (inCluster ? IN_CLUSTER_TOKEN_FILE : undefined),
    caFile: value('KUBE_CA_FILE') ?? (inCluster ? IN_CLUSTER_CA_FILE : undefined),
    instance: value('POD_NAME') ?? value('HOSTNAME') ?? 'bucket-hook',
    timeoutMs,
    queueSize,
  };
}

/** S3_CLIENT_TUNING (on | off, default on), shared by the hook and `npm run import`. */
export function parseS3ClientTuning(raw: string | undefined): { on: boolean; problem?: string } {
  const value = raw?.trim().toLowerCase() ?? 'on';
  if (value === 'on' || value === 'off') return { on: value === 'on' };
  return { on: true, problem: `S3_CLIENT_TUNING="${raw}" must be on or off (off: stock S3 clients, without the hook's client tuning)` };
}
