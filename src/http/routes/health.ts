// Probes: liveness says the process answers; readiness turns 503 while shutting down (Fastify's
// return503OnClosing) so Kubernetes stops routing syncs here first.
import type { FastifyInstance } from 'fastify';

export function registerHealthRoutes(app: FastifyInstance): void {
  // Probes run every few seconds per pod: keep them out of the logs.
  app.get('/healthz', { logLevel: 'silent' }, () => ({ status: 'ok' }));
  app.get('/readyz', { logLevel: 'silent' }, () => ({ status: 'ready' }));
}
