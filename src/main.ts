// The process: the only file that reads process.env or listens. Config is parsed and checked once;
// a missing region or credentials stop the start with a plain message.
import type { ServerOptions as HttpsOptions } from 'node:https';
import closeWithGrace from 'close-with-grace';
import { ConfigError, parseConfig, type Config } from './config.js';
import { buildServers } from './http/app.js';
import { FileToken, type HookToken } from './http/auth.js';
import { readTlsOptions, reloadTlsOnChange, type SecureServer } from './http/tls.js';
import { createLogger } from './logger.js';
import { createMetrics } from './http/metrics.js';
import { createSdkPortFactory } from './s3/sdk-adapter.js';
import { checkSdkCredentials } from './s3/sdk-credentials.js';

/** Reads the token and TLS files the config names; all their problems together, as one ConfigError. */
function loadSecurity(config: Config): { token: HookToken | undefined; https: HttpsOptions | undefined } {
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
  if (problems.length > 0) throw new ConfigError(problems);
  return { token, https };
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
  const metrics = createMetrics();
  const s3 = createSdkPortFactory({ endpoint: config.endpoint, forcePathStyle: config.forcePathStyle, onRequest: metrics.s3Request });
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
    deps: {
      s3,
      now: () => new Date(),
      defaults: { region: config.region, allowedRegions: config.allowedRegions, deletionPolicy: config.deletionPolicy },
      resync: { driftCheckSeconds: config.driftCheckSeconds, backoffMinSeconds: config.backoffMinSeconds, backoffMaxSeconds: config.backoffMaxSeconds },
      accountId: config.accountId,
      tenancy: config.tenancy,
    },
  });
  // SIGTERM/SIGINT: stop accepting, let in-flight syncs finish, then exit (bounded by the delay). The
  // admin server closes last: its /readyz answers 503 while the hook server drains.
  closeWithGrace({ delay: 25_000, logger }, async ({ err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    await hook.close();
    await admin.close();
    s3.destroy();
  });
  await hook.listen({ port: config.port, host: config.host });
  await admin.listen({ port: config.adminPort, host: config.host });
  if (config.tls) reloadTlsOnChange(hook.server as unknown as SecureServer, config.tls, logger);
  const portOf = (server: { address(): unknown }): number | undefined => (server.address() as { port?: number } | null)?.port;
  logger.info({ port: portOf(hook.server), adminPort: portOf(admin.server), region: config.region, endpoint: config.endpoint ?? 'AWS', deletionPolicy: config.deletionPolicy, driftCheckSeconds: config.driftCheckSeconds, captureDir: config.capture?.dir, tls: config.tls ? (config.tls.clientCaFile ? 'mtls' : 'https') : 'off', hookToken: config.hookTokenFile ? 'required' : 'off', maxConnections: config.maxConnections, requestTimeoutMs: config.requestTimeoutMs }, 'bucket-hook ready');
}

void main();
