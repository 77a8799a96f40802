// The Fastify app factory: routes, schemas, error handling. It never listens (main.ts does), so tests
// drive it with app.inject().
import type { ServerOptions as HttpsOptions } from 'node:https';
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { ReconcilerDeps } from '../reconciler/deps.js';
import { lazyChildLoggerFactory } from '../logger.js';
import { createAjv } from '../schema/validator.js';
import { registerHookAuth, type HookAuth } from './auth.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerHookRoutes } from './routes/hooks.js';
import { createCapture, type CaptureOptions } from './capture.js';
import { registerJsonParser } from './json-body.js';
import { createMetrics, registerMetricsRoute, type HookMetrics } from './metrics.js';
import type { Timers } from './timers.js';

export interface AppOptions {
  /** Reconciler dependencies, minus the logger (each request brings its own). */
  deps: Omit<ReconcilerDeps, 'log'>;
  logger?: FastifyBaseLogger | boolean;
  bodyLimitBytes?: number;
  keepAliveTimeoutMs?: number;
  /** Who may call the hook routes (bearer token, client certificate); unset: anyone who can connect. */
  auth?: HookAuth | undefined;
  /** Serve HTTPS with these options (see tls.ts); unset: plain HTTP. */
  https?: HttpsOptions | undefined;
  /** The app's metrics; main.ts makes them first to feed the S3 adapter's onRequest too. Default: a fresh registry. */
  metrics?: HookMetrics;
  /** Write received bodies to disk for replay (CAPTURE_DIR). */
  capture?: CaptureOptions | undefined;
  /** Each hook request's S3 work is cut short after this long and answered with its progress (REQUEST_DEADLINE_MS). */
  requestDeadlineMs?: number | undefined;
  /** The clock and timers of the hook routes (durations, deadline); default the real ones. Tests pass a manual clock. */
  timers?: Timers | undefined;
}

/** The 415's message: what was sent (cut short: it is the client's text) and what the hook takes. */
function unsupportedMediaType(contentType: string | undefined): string {
  const sent = contentType === undefined || contentType.trim() === '' ? 'no Content-Type' : `Content-Type "${contentType.slice(0, 100)}"`;
  return `Unsupported Media Type: ${sent}; the hook takes only JSON bodies (Content-Type: application/json)`;
}

export function buildApp(options: AppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: typeof options.logger === 'object' ? options.logger : undefined,
    logger: typeof options.logger === 'boolean' ? options.logger : undefined,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    // Longer than Metacontroller's 90 s idle connection timeout, so the client closes idle sockets first.
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 120_000,
    return503OnClosing: true,
    // No access lines per request: the hook route logs one line per reconcile itself (answers to
    // Metacontroller's echoes would otherwise be most of the log, and a fifth of the CPU).
    logController: new LogController({ disableRequestLogging: true }),
    // Unique across replicas and restarts, so combined logs of several hook pods stay unambiguous.
    genReqId: () => randomUUID(),
    ...(options.https ? { https: options.https } : {}),
  });
  // Each request's logger (bound to its request id) is made only when the request logs (logger.ts).
  app.setChildLoggerFactory(lazyChildLoggerFactory);
  const ajv = createAjv();
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  registerJsonParser(app);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const statusCode = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    // The logging rule: a client's mistake is info, a bug of ours is error.
    if (statusCode >= 500) request.log.error({ err: error }, 'hook failed');
    else request.log.info({ code: error.code, message: error.message }, 'request refused');
    const message = statusCode >= 500 ? 'internal error in the hook; see its logs' : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? unsupportedMediaType(request.headers['content-type']) : error.message;
    void reply.status(statusCode).send({ code: error.code ?? 'HOOK_ERROR', message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: 'HOOK_NOT_FOUND', message: `no route ${request.method} ${request.url}; the hook serves POST /sync and POST /finalize` });
  });
  // Shutting down: a request still in flight when close() began would otherwise leave its kept-alive
  // connection open until keepAliveTimeout (120 s), holding close() past the grace period. Answering
  // it with Connection: close lets the server finish as soon as the answer is out.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });

  // Before the routes: the auth hook covers every route but the open ones (probes, /metrics).
  if (options.auth) registerHookAuth(app, options.auth);
  registerHealthRoutes(app);
  const metrics = options.metrics ?? createMetrics();
  const capture = options.capture ? createCapture(options.capture) : undefined;
  if (capture) app.addHook('onClose', () => capture.flush());
  registerMetricsRoute(app, metrics);
  registerHookRoutes(app, options.deps, { metrics, capture, deadlineMs: options.requestDeadlineMs, timers: options.timers });
  return app;
}
