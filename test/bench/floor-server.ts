// The HTTP floor for the throughput comparison: Fastify with the same body limit and keep-alive as the
// hook, parsing the same JSON request, answering a fixed body (the hook's echo answer). No logging, no
// validation, no work: what any Fastify hook costs at least on this machine.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const answer = JSON.parse(readFileSync(process.env.FLOOR_RESPONSE_FILE!, 'utf8')) as Record<string, unknown>;
const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, keepAliveTimeout: 120_000 });
app.get('/readyz', () => ({ status: 'ready' }));
app.post('/sync', () => answer);
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
