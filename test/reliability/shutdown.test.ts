// Shutting down under load: a hook request in flight when close() begins still gets its 200, with
// Connection: close, and close() finishes right after it, not when the kept-alive connection would time
// out (120 s; Node keeps such a connection open past server.close()).
import { Agent, request } from 'node:http';
import t from 'tap';
import { buildApp } from '../../src/http/app.js';
import type { S3PortFactory } from '../../src/s3/port.js';
import { testDeps } from '../support/deps.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

/** The fake S3, every call answered after `ms`. */
function slow(fake: FakeS3, ms: number): S3PortFactory {
  return (region) => {
    const port = fake.port(region);
    return new Proxy(port, {
      get: (target, key: string) => {
        const method = (target as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[key]!;
        return async (...args: unknown[]) => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          return method.apply(target, args);
        };
      },
    });
  };
}

t.test('a request in flight at close(): answered 200 with Connection: close; close() does not wait for keep-alive', async (t) => {
  const { log: _log, clock: _clock, ...deps } = testDeps(slow(new FakeS3(), 150));
  const app = buildApp({ deps, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const agent = new Agent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  const body = JSON.stringify(envelope(bucketResource({ spec: { name: 'team-a-artifacts-7f3c' } })));
  const answer = new Promise<{ code: number; connection: string | undefined; ready: string | undefined }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/sync', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        const status = (JSON.parse(text) as { status?: { conditions?: Array<{ type: string; reason: string }> } }).status;
        resolve({ code: res.statusCode ?? 0, connection: res.headers.connection, ready: status?.conditions?.find((c) => c.type === 'Ready')?.reason });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
  await new Promise((resolve) => setTimeout(resolve, 100)); // the sync is now waiting on S3
  const started = performance.now();
  await app.close();
  const closeMs = performance.now() - started;
  const res = await answer;
  t.equal(res.code, 200, 'the in-flight sync finished');
  t.equal(res.ready, 'Available');
  t.equal(res.connection, 'close');
  t.ok(closeMs < 5000, `close() took ${Math.round(closeMs)} ms`);
});
