// The Fastify app factory: routes, schemas, error handling, connection limits. It never listens (main.ts
// does), so tests drive it with app.inject().
//
// Two shapes:
// - buildServers(): what main.ts runs. The hook server (PORT; HTTPS when configured) serves POST /sync and
//   POST /finalize, plus GET /healthz and /readyz (see below); the admin server (ADMIN_PORT, always plain
//   HTTP) serves GET /healthz, /readyz and /metrics. So the NetworkPolicy can admit Prometheus to the
//   admin port without admitting it to the hooks, and probes need neither TLS nor a client certificate.
//   The probes stay on the hook port too because callers that know only PORT wait on them (the crash
//   test and the bench wait for /readyz, the image check calls both) and because /readyz there checks the
//   very listener Metacontroller calls, through its TLS. They are open and constant, and answered with
//   Connection: close, as is everything on the hook port but /sync and /finalize: a client without the
//   token cannot keep a socket there.
// - buildApp(): every route on one instance, for in-process use (tests inject /sync and /metrics alike).
import type { ServerOptions as HttpsOptions } from 'node:https';
import { randomUUID } from 'node:crypto';
import type { ServerOptions as HttpServerOptions } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { EventSink } from '../events/recorder.js';
import type { S3Addressing } from '../reconciler/rules/coordinates.js';
import type { ReconcilerDeps } from '../reconciler/model/deps.js';
import { lazyChildLoggerFactory } from '../logger.js';
import { createAjv } from '../schema/validator.js';
import { registerHookAuth, type HookAuth } from './auth.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerCustomizeRoute } from './routes/customize.js';
import { hookRoutes } from './routes/hook/index.js';
import { createCapture, type CaptureOptions } from './capture.js';
import { clientErrorHandler } from './client-error.js';
import { DEFAULT_REQUEST_DEADLINE_MS } from './deadline.js';
import { registerJsonParser } from './json-body.js';
import { createMetrics, registerMetricsRoute, type HookMetrics } from './metrics.js';
import type { Timers } from './timers.js';

/**
 * What one client can hold. Without these Fastify runs with no request timeout at all (which also turns
 * off Node's own 300 s), so a slow body held a socket for minutes, and with no connection cap 15,000
 * idle sockets took the hook's RSS from 100 to 163 MB, never given back.
 */
export interface ServerLimits {
  /** The whole request (headers and body) must arrive within this long, else 408 and closed (REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** Its headers within this long, also a new connection's first request (HEADERS_TIMEOUT_MS). */
  headersTimeoutMs: number;
  /** Connections open at once; further ones are closed as soon as they are accepted (MAX_CONNECTIONS). */
  maxConnections: number;
}

export const DEFAULT_LIMITS: ServerLimits = { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, maxConnections: 512 };
/** The admin port has a few callers (the kubelet, Prometheus): its own, small cap. */
export const ADMIN_MAX_CONNECTIONS = 64;

export interface AppOptions {
  /** Reconciler dependencies, minus the logger (each request brings its own). */
  deps: Omit<ReconcilerDeps, 'log'>;
  logger?: FastifyBaseLogger | boolean;
  bodyLimitBytes?: number;
  keepAliveTimeoutMs?: number;
  /** Request and connection limits of the hook server (and, but for the cap, the admin server); default DEFAULT_LIMITS. */
  limits?: Partial<ServerLimits> | undefined;
  /** Who may call the hook routes (bearer token, client certificate); unset: anyone who can connect. */
  auth?: HookAuth | undefined;
  /** Serve HTTPS with these options (see tls.ts); unset: plain HTTP. The admin server is plain HTTP always. */
  https?: HttpsOptions | undefined;
  /** The app's metrics; main.ts makes them first to feed the S3 adapter's onRequest too. Default: a fresh registry. */
  metrics?: HookMetrics;
  /** Write received bodies to disk for replay (CAPTURE_DIR). */
  capture?: CaptureOptions | undefined;
  /** Each hook request's S3 work is cut short after this long and answered with its progress (REQUEST_DEADLINE_MS). */
  requestDeadlineMs?: number | undefined;
  /** The clock and timers of the hook routes (durations, deadline); default the real ones. Tests pass a manual clock. */
  timers?: Timers | undefined;
  /** Where the events of each answer are queued (src/events: the Kubernetes API); unset: no events. */
  events?: EventSink | undefined;
  /** The S3 endpoint and addressing style written into coordinates ConfigMaps; default AWS, virtual-hosted. */
  addressing?: S3Addressing | undefined;
}

/** The routes of the hook port that keep a connection alive (Metacontroller's); every other answer there closes it. */
const HOOK_ROUTES: ReadonlySet<string> = new Set(['/sync', '/finalize', '/customize']);

/** The 415's message: what was sent (cut short: it is the client's text) and what the hook takes. */
function unsupportedMediaType(contentType: string | undefined): string {
  const sent = contentType === undefined || contentType.trim() === '' ? 'no Content-Type' : `Content-Type "${contentType.slice(0, 100)}"`;
  return `Unsupported Media Type: ${sent}; the hook takes only JSON bodies (Content-Type: application/json)`;
}

/** How often Node looks for requests past their timeouts: a fraction of the shorter one, at most every second. */
export function checkingIntervalMs(limits: ServerLimits): number {
  return Math.min(1000, Math.max(10, Math.floor(Math.min(limits.requestTimeoutMs, limits.headersTimeoutMs) / 4)));
}

interface ServerSetup {
  options: AppOptions;
  metrics: HookMetrics;
  limits: ServerLimits;
  maxConnections: number;
  https: HttpsOptions | undefined;
  /** The 404's hint at what this server serves. */
  serves: string;
}

/** A Fastify instance with the limits, the logging rule, the JSON-only parser and the JSON error shape. */
function createServer({ options, metrics, limits, maxConnections, https, serves }: ServerSetup): FastifyInstance {
  const deadlineMs = options.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS;
  // Node's own checks (Fastify passes these to http(s).createServer): headers and whole requests past
  // their time are answered 408 by the client-error handler; the interval is how often Node looks.
  const node: HttpServerOptions = {
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    connectionsCheckingInterval: checkingIntervalMs(limits),
  };
  const app = Fastify({
    loggerInstance: typeof options.logger === 'object' ? options.logger : undefined,
    logger: typeof options.logger === 'boolean' ? options.logger : undefined,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    // Longer than Metacontroller's 90 s idle connection timeout, so the client closes idle sockets first.
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 120_000,
    requestTimeout: limits.requestTimeoutMs,
    // A socket with no traffic at all for longer than receiving a request and answering it can take
    // (the request timeout plus the deadline and its 1 s backstop) is dead: close it. Between requests
    // the keep-alive timeout applies instead.
    connectionTimeout: limits.requestTimeoutMs + deadlineMs + 5_000,
    clientErrorHandler: clientErrorHandler(metrics.clientError),
    return503OnClosing: true,
    // No access lines per request: the hook route logs one line per reconcile itself (answers to
    // Metacontroller's echoes would otherwise be most of the log, and a fifth of the CPU).
    logController: new LogController({ disableRequestLogging: true }),
    // Unique across replicas and restarts, so combined logs of several hook pods stay unambiguous.
    genReqId: () => randomUUID(),
    ...(https ? { https: { ...https, ...node } } : { http: node }),
  });
  // Beyond the cap, Node closes each new connection as it accepts it (a few hundred bytes, not a socket's buffers).
  app.server.maxConnections = maxConnections;
  // Each request's logger (bound to its request id) is made only when the request logs (logger.ts).
  app.setChildLoggerFactory(lazyChildLoggerFactory);
  const ajv = createAjv();
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  registerJsonParser(app);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const statusCode = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    // The logging rule: a client's mistake is info, a bug of ours is error. A refused credential is
    // debug (and counted in bucket_hook_unauthorized_total): a flood of them must not flood the log.
    if (statusCode >= 500) request.log.error({ err: error }, 'hook failed');
    else if (statusCode === 401) request.log.debug({ code: error.code, message: error.message }, 'request refused');
    else request.log.info({ code: error.code, message: error.message }, 'request refused');
    const message =
      statusCode >= 500
        ? 'internal error in the hook; see its logs'
        : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? unsupportedMediaType(request.headers['content-type'])
          : error.message;
    void reply.status(statusCode).send({ code: error.code ?? 'HOOK_ERROR', message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: 'HOOK_NOT_FOUND', message: `no route ${request.method} ${request.url}; ${serves}` });
  });
  return app;
}

/**
 * The hook server's routes on `app`. `hookPortOnly`: the split shape (no /metrics; every answer but a
 * hook route's closes its connection). Returns whether the server is closing (for the admin's /readyz).
 */
function registerHookServer(app: FastifyInstance, options: AppOptions, metrics: HookMetrics, hookPortOnly: boolean): () => boolean {
  // Shutting down: a request still in flight when close() began would otherwise leave its kept-alive
  // connection open until keepAliveTimeout (120 s), holding close() past the grace period. Answering
  // it with Connection: close lets the server finish as soon as the answer is out.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (closing || (hookPortOnly && !HOOK_ROUTES.has(request.routeOptions.url ?? ''))) void reply.header('connection', 'close');
    done(null, payload);
  });

  // Before the routes: the auth hook covers every route but the open ones (probes, /metrics).
  if (options.auth) registerHookAuth(app, options.auth, metrics.unauthorized);
  registerHealthRoutes(app);
  const capture = options.capture ? createCapture(options.capture) : undefined;
  if (capture) app.addHook('onClose', () => capture.flush());
  if (!hookPortOnly) registerMetricsRoute(app, metrics);
  registerCustomizeRoute(app);
  void app.register(hookRoutes, {
    deps: options.deps,
    metrics,
    capture,
    deadlineMs: options.requestDeadlineMs,
    timers: options.timers,
    events: options.events,
    addressing: options.addressing,
  });
  return () => closing;
}

const limitsOf = (options: AppOptions): ServerLimits => ({ ...DEFAULT_LIMITS, ...options.limits });

/** Every route on one instance: hooks, probes and /metrics (in-process use; main.ts runs buildServers). */
export function buildApp(options: AppOptions): FastifyInstance {
  const metrics = options.metrics ?? createMetrics();
  const limits = limitsOf(options);
  const app = createServer({
    options,
    metrics,
    limits,
    maxConnections: limits.maxConnections,
    https: options.https,
    serves: 'the hook serves POST /sync and POST /finalize',
  });
  registerHookServer(app, options, metrics, false);
  return app;
}

export interface Servers {
  /** PORT: POST /sync, POST /finalize (and the probes); HTTPS when configured. */
  hook: FastifyInstance;
  /** ADMIN_PORT: GET /healthz, /readyz, /metrics; plain HTTP. /readyz turns 503 once the hook server closes. */
  admin: FastifyInstance;
}

/** The hook server and the admin server, sharing the metrics (what main.ts listens with). */
export function buildServers(options: AppOptions): Servers {
  const metrics = options.metrics ?? createMetrics();
  const limits = limitsOf(options);
  const hook = createServer({
    options,
    metrics,
    limits,
    maxConnections: limits.maxConnections,
    https: options.https,
    serves: 'the hook port serves POST /sync and POST /finalize; /metrics is on the admin port (ADMIN_PORT)',
  });
  const hookClosing = registerHookServer(hook, options, metrics, true);
  const admin = createServer({
    options,
    metrics,
    limits,
    maxConnections: Math.min(ADMIN_MAX_CONNECTIONS, limits.maxConnections),
    https: undefined,
    serves: 'the admin port serves GET /healthz, GET /readyz and GET /metrics; the hooks are on the hook port (PORT)',
  });
  registerHealthRoutes(admin, () => !hookClosing());
  registerMetricsRoute(admin, metrics);
  return { hook, admin };
}
