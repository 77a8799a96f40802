// S3 clients handed out one request at a time, so that each may keep its resolved middleware stack.
//
// The SDK rebuilds a command's middleware stack for every `send`: it concatenates the client's stack with
// the command's, sorts it, applies the command's plugins and composes a closure per middleware, a fifth
// of its CPU per call on the bench's profile. Its `cacheMiddleware` option keeps the composed handler per
// command class instead, but the handler then shares one execution context (the endpoint, the chosen auth
// scheme and its signing properties, written by the middlewares during a request and read later in it)
// among every call of that class: two GetBucketTagging calls on one client at once would race on it. So
// the pool never lets that happen: a client serves one request at a time, and a request that finds no idle
// client gets a new one (a client is ~25 KB). What the clients of a pool share is what one client used to
// have: one request handler (one keep-alive agent: the same sockets), one credentials provider (the
// default chain resolves once, an STS session once) and one retry strategy (one retry quota).
//
// The cached handler also skips the per-call options, so the request's abort signal reaches the SDK
// another way: the lease holds it, a first middleware puts it where the retry middleware looks for it
// (its backoff sleep ends on abort, as before), and the client's request handler passes it to the shared
// one (an aborted request is cut at once, as before).
//
// What the pool relies on of the SDK, each with the SDK's own path when missing: an SDK that no longer
// keeps `cacheMiddleware` in the client's config composes the handler for every send, as a stock client
// does (the abort signal still reaches the request through the client's request handler); the
// credentials and retry strategy are shared only when the first client resolved them as functions (the
// SDK's resolved config), otherwise each client resolves its own.
import { S3Client, type S3ClientConfig, type ServiceInputTypes, type ServiceOutputTypes } from '@aws-sdk/client-s3';
import type { SmithyContext } from './sdk-client-config.js';
import { KeepAliveHttpHandler, type KeepAliveHandlerOptions, type SdkHandlerOptions, type SdkHttpRequest } from './sdk-http-handler.js';

/** A command of this client, as S3Client.send takes it (generic over its input and output, as send is). */
export type SdkCommand<I extends ServiceInputTypes, O extends ServiceOutputTypes> = Parameters<typeof S3Client.prototype.send<I, O>>[0];

/** What the S3 port sends its commands through: one call, its abort signal, the command's own output. */
export interface S3Sender {
  send<I extends ServiceInputTypes, O extends ServiceOutputTypes>(command: SdkCommand<I, O>, signal?: AbortSignal): Promise<O>;
}

/** The abort signal of the request a client serves (the client's request handler and first middleware read it). */
interface Serving {
  signal: AbortSignal | undefined;
}

/** One client of a pool. */
interface Lease {
  client: S3Client;
  serving: Serving;
}

type PoolRetryStrategy = Awaited<ReturnType<S3Client['config']['retryStrategy']>>;

/** Idle clients kept per pool; a burst beyond it makes more, dropped again when their requests are done. */
export const MAX_IDLE_CLIENTS = 16;

export interface PoolOptions {
  /** The clients' configuration; the pool adds the request handler, cacheMiddleware, and the shared credentials and retry strategy. */
  config: Omit<S3ClientConfig, 'requestHandler' | 'cacheMiddleware'>;
  handler?: KeepAliveHandlerOptions;
  /** Run once on each new client (its middleware stack: trimmed, counted). */
  setup?: (client: S3Client) => void;
}

export class S3ClientPool implements S3Sender {
  private readonly idle: Lease[] = [];
  private readonly handler: KeepAliveHttpHandler;
  private readonly config: PoolOptions['config'];
  private readonly setup: (client: S3Client) => void;
  /** From the first client: what the later ones share. */
  private credentials: S3ClientConfig['credentials'];
  private retryStrategy: PoolRetryStrategy | undefined;
  private readonly firstClient: S3Client;
  private inFlight = 0;
  private closing = false;

  constructor(options: PoolOptions) {
    this.config = options.config;
    this.setup = options.setup ?? (() => undefined);
    this.handler = new KeepAliveHttpHandler(options.handler);
    const first = this.newLease();
    this.firstClient = first.client;
    this.idle.push(first);
  }

  /** Requests on their way. */
  get active(): number {
    return this.inFlight;
  }

  private newLease(): Lease {
    const serving: Serving = { signal: undefined };
    const shared = this.handler;
    const requestHandler = {
      metadata: shared.metadata,
      handle: (request: SdkHttpRequest, options: SdkHandlerOptions = {}) => shared.handle(request, { ...options, abortSignal: serving.signal }),
      updateHttpClientConfig: (): void => undefined,
      httpHandlerConfigs: (): Record<string, never> => ({}),
      // The shared handler is the pool's to close (destroy()), not a client's.
      destroy: (): void => undefined,
    };
    const client = new S3Client({
      ...this.config,
      ...(this.credentials ? { credentials: this.credentials } : {}),
      ...(this.retryStrategy ? { retryStrategy: this.retryStrategy } : {}),
      requestHandler,
      cacheMiddleware: true,
    });
    if (!this.credentials && typeof client.config.credentials === 'function') this.credentials = client.config.credentials;
    client.middlewareStack.add(
      (next, context) => (args) => {
        // Where the retry middleware reads it (made when missing, as the SDK's own getSmithyContext does).
        ((context as SmithyContext).__smithy_context ??= {}).abortSignal = serving.signal;
        return next(args);
      },
      { step: 'initialize', priority: 'high', name: 'bucketHookAbortSignal' },
    );
    this.setup(client);
    return { client, serving };
  }

  async send<I extends ServiceInputTypes, O extends ServiceOutputTypes>(command: SdkCommand<I, O>, signal?: AbortSignal): Promise<O> {
    let lease = this.idle.pop();
    if (!lease) {
      // One retry quota for the pool: the first client's strategy, once it has made it.
      const make = this.firstClient.config.retryStrategy as (() => Promise<PoolRetryStrategy>) | undefined;
      if (typeof make === 'function') this.retryStrategy ??= await make();
      lease = this.newLease();
    }
    lease.serving.signal = signal;
    this.inFlight++;
    try {
      return await lease.client.send(command);
    } finally {
      lease.serving.signal = undefined;
      this.inFlight--;
      if (!this.closing && this.idle.length < MAX_IDLE_CLIENTS) this.idle.push(lease);
      if (this.closing && this.inFlight === 0) this.destroy();
    }
  }

  /** Closes the sockets once the requests in flight are answered (at once when there are none). */
  close(): void {
    this.closing = true;
    if (this.inFlight === 0) this.destroy();
  }

  /**
   * Closes the sockets now. A port still held by a reconcile keeps working (as a destroyed S3Client's
   * did): its next request opens a new socket.
   */
  destroy(): void {
    this.closing = true;
    this.idle.length = 0;
    this.handler.destroy();
  }
}
