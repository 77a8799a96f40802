// The real Fastify app over a fake S3, for HTTP-edge tests.
import { buildApp, type AppOptions } from '../../src/http/app.js';
import type { S3PortFactory } from '../../src/s3/port.js';
import { testDeps } from './deps.js';

export interface TestAppOptions extends Pick<AppOptions, 'metrics' | 'capture' | 'logger' | 'timers'> {
  bodyLimitBytes?: number;
  now?: Date;
  /** The hook's default region (AWS_REGION); testDeps' eu-west-1 by default. */
  region?: string;
}

export function testApp(s3: S3PortFactory, options: TestAppOptions = {}) {
  const { log: _log, clock: _clock, ...deps } = testDeps(s3, options.now ? { now: options.now } : undefined);
  const { now: _now, bodyLimitBytes, logger, region, ...rest } = options;
  if (region) deps.defaults = { ...deps.defaults, region };
  return buildApp({ deps, logger: logger ?? false, ...(bodyLimitBytes ? { bodyLimitBytes } : {}), ...rest });
}
