// The process: the only file that reads process.env or listens. Config is parsed and checked once;
// a missing region or credentials stop the start with a plain message.
import { S3Client } from '@aws-sdk/client-s3';
import closeWithGrace from 'close-with-grace';
import pino from 'pino';
import { ConfigError, parseConfig, type Config } from './config.js';
import { buildApp } from './http/app.js';
import { createSdkPortFactory } from './s3/sdk-adapter.js';

async function checkCredentials(config: Config): Promise<string | undefined> {
  const probe = new S3Client({ region: config.region });
  try {
    const credentials = await Promise.race([
      probe.config.credentials(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out after 15 s')), 15_000).unref()),
    ]);
    return credentials.accessKeyId ? undefined : 'the credential provider returned no access key';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    probe.destroy();
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`bucket-hook: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const logger = pino({
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.secretAccessKey', '*.sessionToken', 'credentials'], censor: '[redacted]' },
  });
  const credentialProblem = await checkCredentials(config);
  if (credentialProblem) {
    logger.fatal(
      { problem: credentialProblem },
      'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an IAM role (IRSA: the ServiceAccount annotation eks.amazonaws.com/role-arn; or EKS Pod Identity)',
    );
    process.exit(2);
  }
  const s3 = createSdkPortFactory({ endpoint: config.endpoint, forcePathStyle: config.forcePathStyle });
  const app = buildApp({
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
    deps: {
      s3,
      now: () => new Date(),
      defaults: { region: config.region, deletionPolicy: config.deletionPolicy },
      resync: { driftCheckSeconds: config.driftCheckSeconds, backoffMinSeconds: config.backoffMinSeconds, backoffMaxSeconds: config.backoffMaxSeconds },
      accountId: config.accountId,
    },
  });
  // SIGTERM/SIGINT: stop accepting, let in-flight syncs finish, then exit (bounded by the delay).
  closeWithGrace({ delay: 25_000, logger }, async ({ err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    await app.close();
    s3.destroy();
  });
  await app.listen({ port: config.port, host: config.host });
  logger.info({ region: config.region, endpoint: config.endpoint ?? 'AWS', deletionPolicy: config.deletionPolicy, driftCheckSeconds: config.driftCheckSeconds }, 'bucket-hook ready');
}

void main();
