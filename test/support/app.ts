// The real Fastify app over a fake S3, for HTTP-edge tests.
import { buildApp } from '../../src/http/app.js';
import type { S3PortFactory } from '../../src/s3/port.js';
import { testDeps } from './deps.js';

export function testApp(s3: S3PortFactory, options: { bodyLimitBytes?: number; now?: Date } = {}) {
  const { log: _log, clock: _clock, ...deps } = testDeps(s3, options.now ? { now: options.now } : undefined);
  return buildApp({ deps, logger: false, ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}) });
}
