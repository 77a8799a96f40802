// An S3 port (over the fake) whose chosen calls hang: they never answer unless the request's signal
// aborts them, as the SDK does, or never at all (`ignoreSignal`, a port that forgets its signal). Calls
// made with an already-aborted signal fail at once, as the SDK's do.
import { classify } from '../../src/s3/errors.js';
import type { S3Port, S3PortFactory } from '../../src/s3/port.js';
import type { FakeS3 } from './fake-s3.js';

export interface HangOptions {
  /** Port method names that hang ("headBucket", "putBucketTags", "putConfig", ...); default all. */
  methods?: string[];
  ignoreSignal?: boolean;
}

function signalOf(args: unknown[]): AbortSignal | undefined {
  const last = args[args.length - 1];
  return last instanceof AbortSignal ? last : undefined;
}

const OPERATION: Record<string, string> = {
  headBucket: 'HeadBucket',
  createBucket: 'CreateBucket',
  deleteBucket: 'DeleteBucket',
  bucketCreationDate: 'ListBuckets',
  getBucketTags: 'GetBucketTagging',
  putBucketTags: 'PutBucketTagging',
};

/** Classified at the port boundary, as the SDK adapter does with the SDK's AbortError. */
function abortedBy(key: string, signal: AbortSignal): Error {
  return classify(OPERATION[key] ?? key, signal.reason ?? new DOMException('aborted', 'AbortError'));
}

export function hangingFactory(fake: FakeS3, options: HangOptions = {}): S3PortFactory & { hung: string[] } {
  const hung: string[] = [];
  const factory = (region: string): S3Port => {
    const port = fake.port(region);
    return new Proxy(port, {
      get(target, key: string) {
        const method = (target as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[key];
        if (typeof method !== 'function') return method as unknown;
        return (...args: unknown[]): Promise<unknown> => {
          const signal = signalOf(args);
          if (signal?.aborted && !options.ignoreSignal) return Promise.reject(abortedBy(key, signal));
          if (options.methods && !options.methods.includes(key)) return method.apply(target, args);
          hung.push(key);
          return new Promise((_, reject) => {
            if (!signal || options.ignoreSignal) return;
            signal.addEventListener('abort', () => reject(abortedBy(key, signal)), { once: true });
          });
        };
      },
    });
  };
  return Object.assign(factory, { hung });
}
