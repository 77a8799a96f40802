// The S3 client's tuned configuration, in one place: createSdkPortFactory (and anyone else making the
// hook's S3 clients) spreads tunedClientConfig() into `new S3Client({...})` and calls trimClientStack on
// the client. None of it changes which requests S3 sees or how many (the integration tests count them);
// what each part saves is measured by `npm run bench` (docs/performance.md).
//
// Not used, on purpose: `cacheMiddleware: true`. The SDK caches a resolved handler per command class only
// when `send` gets no options, and the hook passes every call its deadline's abort signal; and a cached
// handler shares one execution context (endpointV2, the selected auth scheme) among concurrent calls of
// the same command, which two syncs reading two buckets' tags at once would race on.
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { KeepAliveHttpHandler, type KeepAliveHandlerOptions } from './sdk-http-handler.js';

export function tunedClientConfig(options: KeepAliveHandlerOptions = {}): Partial<S3ClientConfig> {
  return {
    // A checksum only where S3 requires one (PutBucketTagging, -Cors, -Lifecycle...: still sent); no
    // CRC32 of every other body, no validation of answers nobody asked a checksum for.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Directory buckets are InvalidSpec: no S3 Express session lookups per request.
    disableS3ExpressSessionAuth: true,
    // node:http with one keep-alive agent per client, no per-request timers (sdk-http-handler.ts).
    requestHandler: new KeepAliveHttpHandler(options),
  };
}

/**
 * Middleware that does nothing for the hook, removed from a client's stack (each one costs a closure
 * and a step per request): the SDK's logger (no logger is configured), recursion detection (adds a
 * trace header only inside AWS Lambda), and region redirects (acts only with followRegionRedirects,
 * which the hook leaves off: HeadBucket's 301 is read by the adapter itself).
 */
export const UNUSED_MIDDLEWARE = ['loggerMiddleware', 'recursionDetectionMiddleware', 'regionRedirectMiddleware'] as const;

export function trimClientStack(client: S3Client): void {
  if (client.config.followRegionRedirects) return;
  for (const name of UNUSED_MIDDLEWARE) client.middlewareStack.remove(name);
}
