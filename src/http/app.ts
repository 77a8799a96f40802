// The Fastify app factory: routes, schemas, error handling. It never listens (main.ts does), so tests
// drive it with app.inject().
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { ReconcilerDeps } from '../reconciler/deps.js';
import { createAjv } from '../schema/validator.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerHookRoutes } from './routes/hooks.js';

export interface AppOptions {
  /** Reconciler dependencies, minus the logger (each request brings its own). */
  deps: Omit<ReconcilerDeps, 'log'>;
  logger?: FastifyBaseLogger | boolean;
  bodyLimitBytes?: number;
  keepAliveTimeoutMs?: number;
}

export function buildApp(options: AppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: typeof options.logger === 'object' ? options.logger : undefined,
    logger: typeof options.logger === 'boolean' ? options.logger : undefined,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    // Longer than Metacontroller's 90 s idle connection timeout, so the client closes idle sockets first.
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 120_000,
    return503OnClosing: true,
  });
  const ajv = createAjv();
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const statusCode = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    // The logging rule: a client's mistake is info, a bug of ours is error.
    if (statusCode >= 500) request.log.error({ err: error }, 'hook failed');
    else request.log.info({ code: error.code, message: error.message }, 'request refused');
    const message = statusCode >= 500 ? 'internal error in the hook; see its logs' : error.message;
    void reply.status(statusCode).send({ code: error.code ?? 'HOOK_ERROR', message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: 'HOOK_NOT_FOUND', message: `no route ${request.method} ${request.url}; the hook serves POST /sync and POST /finalize` });
  });

  registerHealthRoutes(app);
  registerHookRoutes(app, options.deps);
  return app;
}
