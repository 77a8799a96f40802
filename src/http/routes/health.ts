// Probes: liveness says the process answers; readiness turns 503 while shutting down (Fastify's
// return503OnClosing) so Kubernetes stops routing syncs here first.
import type { FastifyInstance } from 'fastify';

export function registerHealthRoutes(app: FastifyInstance): void {
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', () => ({ status: 'ready' }));
}
