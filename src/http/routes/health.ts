// Probes: liveness says the process answers; readiness turns 503 while shutting down so Kubernetes stops
// routing syncs here first. On the hook's own server that is Fastify's return503OnClosing; the admin
// server (app.ts, buildServers) asks `isReady`, which turns false as soon as the hook server starts closing.
import type { FastifyInstance } from 'fastify';

export function registerHealthRoutes(app: FastifyInstance, isReady: () => boolean = () => true): void {
  // Probes run every few seconds per pod: keep them out of the logs.
  app.get('/healthz', { logLevel: 'silent' }, () => ({ status: 'ok' }));
  app.get('/readyz', { logLevel: 'silent' }, (_request, reply) => (isReady() ? { status: 'ready' } : reply.status(503).send({ status: 'shutting down' })));
}
