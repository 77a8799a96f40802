// The process: the only file that reads process.env or listens. Config is parsed and checked once;
// a missing region or credentials stop the start with a plain message.
import { accessSync, constants, readFileSync } from 'node:fs';
import type { ServerOptions as HttpsOptions } from 'node:https';
import closeWithGrace from 'close-with-grace';
import { ConfigError, parseConfig, type Config } from './config.js';
import { buildServers } from './http/app.js';
import { FileToken, type HookToken } from './http/auth.js';
import { asSecureServer, readTlsOptions, reloadTlsOnChange } from './http/tls.js';
import { createLogger } from './logger.js';
import { ClaimKey, MIN_CLAIM_KEY_LENGTH } from './reconciler/rules/claim-proof.js';
import { isLoopback } from './loopback.js';
import { KubeApi } from './events/kube-api.js';
import { EventRecorder, REPORTING_CONTROLLER } from './events/recorder.js';
import { createMetrics, type HookMetrics } from './http/metrics.js';
import { createSdkPortFactory } from './s3/sdk-adapter.js';
import { checkSdkCredentials } from './s3/sdk-credentials.js';
import type { TagRefusal } from './s3/sdk-sts.js';

/** CLAIM_KEY_FILE's key (read once: a new key makes the claims of Buckets still being created untrusted). */
function readClaimKey(file: string): ClaimKey {
  let secret: string;
  try {
    secret = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new ConfigError([`CLAIM_KEY_FILE="${file}" cannot be read: ${(err as Error).message}`]);
  }
  if (secret.length < MIN_CLAIM_KEY_LENGTH) {
    throw new ConfigError([
      `CLAIM_KEY_FILE="${file}" holds ${secret.length} characters; a claim key needs at least ${MIN_CLAIM_KEY_LENGTH} (make one with: openssl rand -hex 32)`,
    ]);
  }
  return ClaimKey.fromSecret(secret);
}

/** Reads the token, TLS and claim key files the config names; all their problems together, as one ConfigError. */
function loadSecurity(config: Config): { token: HookToken | undefined; https: HttpsOptions | undefined; claimKey: ClaimKey | undefined } {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  };
  const { hookTokenFile, tls } = config;
  const token = hookTokenFile ? attempt(() => FileToken.open(hookTokenFile)) : undefined;
  const https = tls ? attempt(() => readTlsOptions(tls)) : undefined;
  const claimKeyFile = config.claimKeyFile;
  const claimKey = claimKeyFile ? attempt(() => readClaimKey(claimKeyFile)) : undefined;
  // KUBE_API_URL was set on purpose: its token and CA files must be there (in a pod, see openEvents).
  if (config.events?.explicit) {
    for (const [name, file] of [
      ['KUBE_TOKEN_FILE', config.events.tokenFile],
      ['KUBE_CA_FILE', config.events.caFile],
    ] as const) {
      if (file && unreadable(file)) problems.push(`${name}="${file}" cannot be read: ${unreadable(file)}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { token, https, claimKey };
}

function unreadable(file: string): string | undefined {
  try {
    accessSync(file, constants.R_OK);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The event recorder, or undefined (with the one line that says why) when there is no API server to send to. */
function openEvents(config: Config, metrics: HookMetrics, logger: ReturnType<typeof createLogger>): { recorder: EventRecorder; api: KubeApi } | undefined {
  const events = config.events;
  if (!events) {
    logger.info(
      {},
      'no Kubernetes API server configured (KUBERNETES_SERVICE_HOST, or KUBE_API_URL), or EVENTS_ENABLED=false: no Kubernetes Events are recorded',
    );
    return undefined;
  }
  const missing = [events.tokenFile, events.caFile].find((file) => file !== undefined && unreadable(file) !== undefined);
  if (missing) {
    // In a pod without a ServiceAccount token (automountServiceAccountToken: false, an older manifest): no events, no failure.
    logger.info(
      { file: missing },
      'the ServiceAccount token or CA is not mounted: no Kubernetes Events are recorded (manifests/base/deployment.yaml mounts them)',
    );
    return undefined;
  }
  const api = new KubeApi({ url: events.url, tokenFile: events.tokenFile, caFile: events.caFile, timeoutMs: events.timeoutMs });
  const recorder = new EventRecorder({
    api,
    controller: REPORTING_CONTROLLER,
    instance: events.instance,
    queueSize: events.queueSize,
    onResult: metrics.event,
    log: logger,
  });
  logger.info({ apiServer: events.url, reportingInstance: events.instance }, 'Kubernetes Events are recorded on Buckets');
  return { recorder, api };
}

async function main(): Promise<void> {
  let config: Config;
  let security: ReturnType<typeof loadSecurity>;
  try {
    config = parseConfig(process.env);
    security = loadSecurity(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`bucket-hook: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const credentialProblem = await checkSdkCredentials(config.region);
  if (credentialProblem) {
    logger.fatal(
      { problem: credentialProblem },
      'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an IAM role (IRSA: the ServiceAccount annotation eks.amazonaws.com/role-arn; or EKS Pod Identity)',
    );
    process.exit(2);
  }
  if (!security.claimKey) {
    logger.warn(
      {},
      'CLAIM_KEY_FILE is not set: the claims recorded in statuses before a create are signed with a key of this process only, so a create interrupted by a restart (or continued by another replica) ends NotOwned instead of finishing; give every replica the same key from a Secret (README, Installing)',
    );
  }
  const claimKey = security.claimKey ?? ClaimKey.random();
  const metrics = createMetrics();
  // STS only for Buckets an IAMRoleSelector assigns a role (made on the first such sync); the hook's own identity calls it.
  const sts = {
    region: config.region,
    endpoint: config.stsEndpoint,
    onRequest: metrics.stsRequest,
    onTagsRefused: (refusal: TagRefusal) =>
      logger.warn(
        refusal,
        'STS refused the session tags of an AssumeRole that it then allowed without them: this session (one role, one namespace) goes without its tags',
      ),
  };
  if (!config.s3ClientTuning) logger.info({}, "S3_CLIENT_TUNING=off: S3 requests go through stock S3 clients, without the hook's client tuning");
  const s3 = createSdkPortFactory({
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    onRequest: metrics.s3Request,
    sts,
    tuning: config.s3ClientTuning,
  });
  const events = openEvents(config, metrics, logger);
  const { hook, admin } = buildServers({
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
    limits: { requestTimeoutMs: config.requestTimeoutMs, headersTimeoutMs: config.headersTimeoutMs, maxConnections: config.maxConnections },
    requestDeadlineMs: config.requestDeadlineMs,
    auth: { token: security.token, clientCertificate: config.tls?.clientCaFile !== undefined },
    https: security.https,
    metrics,
    capture: config.capture,
    events: events?.recorder,
    addressing: { endpoint: config.endpoint, forcePathStyle: config.forcePathStyle },
    deps: {
      s3,
      now: () => new Date(),
      defaults: {
        region: config.region,
        allowedRegions: config.allowedRegions,
        deletionPolicy: config.deletionPolicy,
        foreignTagPrefixes: config.foreignTagPrefixes,
        clusterName: config.clusterName,
      },
      resync: { driftCheckSeconds: config.driftCheckSeconds, backoffMinSeconds: config.backoffMinSeconds, backoffMaxSeconds: config.backoffMaxSeconds },
      accountId: config.accountId,
      tenancy: config.tenancy,
      claimKey,
      roleSelectors: { allowUnscoped: config.allowUnscopedRoleSelectors },
      // Emptying a bucket (empty-on-delete) stops at half the request deadline: the batch still running then has the rest.
      emptyBudgetMs: Math.floor(config.requestDeadlineMs / 2),
      driftLoop: config.driftLoop,
      approvalNamespaces: config.approvalNamespaces,
    },
  });
  // SIGTERM/SIGINT: stop accepting, let in-flight syncs finish, then exit (bounded by the delay). The
  // admin server closes last: its /readyz answers 503 while the hook server drains.
  closeWithGrace({ delay: 25_000, logger }, async ({ err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    await hook.close();
    // The events of the last answers, for a moment: a slow API server does not hold the shutdown.
    await events?.recorder.close(2000);
    events?.api.close();
    await admin.close();
    s3.destroy();
  });
  await hook.listen({ port: config.port, host: config.host });
  await admin.listen({ port: config.adminPort, host: config.host });
  if (config.tls) reloadTlsOnChange(asSecureServer(hook.server), config.tls, logger);
  const portOf = (server: { address(): unknown }): number | undefined => (server.address() as { port?: number } | null)?.port;
  if (config.allowUnauthenticated && !config.hookTokenFile && !config.tls?.clientCaFile && !isLoopback(config.host)) {
    logger.warn(
      { host: config.host },
      'ALLOW_UNAUTHENTICATED: the hook answers any caller that can connect, with its S3 credentials; only the network (a NetworkPolicy) guards it',
    );
  }
  logger.info(
    {
      host: config.host,
      port: portOf(hook.server),
      adminPort: portOf(admin.server),
      region: config.region,
      endpoint: config.endpoint ?? 'AWS',
      deletionPolicy: config.deletionPolicy,
      driftCheckSeconds: config.driftCheckSeconds,
      captureDir: config.capture?.dir,
      tls: config.tls ? (config.tls.clientCaFile ? 'mtls' : 'https') : 'off',
      hookToken: config.hookTokenFile ? 'required' : 'off',
      claimKey: claimKey.source,
      maxConnections: config.maxConnections,
      requestTimeoutMs: config.requestTimeoutMs,
    },
    'bucket-hook ready',
  );
}

void main();
