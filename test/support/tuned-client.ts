// A single tuned S3Client (the settings and the hook's request handler), for tests and the bench that look
// at one client; the hook itself sends through the pool (src/s3/sdk-senders.ts).
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { tunedSettings } from '../../src/s3/sdk-client-config.js';
import { KeepAliveHttpHandler, type KeepAliveHandlerOptions } from '../../src/s3/sdk-http-handler.js';

/** The settings and the request handler: node:http with one keep-alive agent, no per-request timers (sdk-http-handler.ts). */
export function tunedClientConfig(options: KeepAliveHandlerOptions = {}): Partial<S3ClientConfig> {
  return { ...tunedSettings(), requestHandler: new KeepAliveHttpHandler(options) };
}
