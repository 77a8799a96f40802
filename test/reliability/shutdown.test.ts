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
import { until } from '../support/manual-timers.js';

/** The fake S3 with every S3 call's answer held until the test releases them (synchronous port methods pass). */
function gated(fake: FakeS3): { factory: S3PortFactory; entered: () => number; release: () => void } {
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let entered = 0;
  const factory: S3PortFactory = (region) => {
    const port = fake.port(region);
    return new Proxy(port, {
      get: (target, key: string) => {
        const method = (target as unknown as Record<string, unknown>)[key];
        if (typeof method !== 'function') return method;
        return (...args: unknown[]): unknown => {
          const result: unknown = method.apply(target, args);
          if (!(result instanceof Promise)) return result;
          entered++;
          result.catch(() => undefined); // its failure is the caller's, after the release
          return released.then(() => result);
        };
      },
    });
  };
  return { factory, entered: () => entered, release };
}

/** Rejects after `ms` of real time: only a bound on how long the test waits for `what`. */
const giveUp = (ms: number, what: string) =>
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`gave up after ${ms} ms: ${what}`)), ms).unref());

t.test('a request in flight at close(): answered 200 with Connection: close; close() does not wait for keep-alive', async (t) => {
  const s3 = gated(new FakeS3());
  const { log: _log, clock: _clock, ...deps } = testDeps(s3.factory);
  const app = buildApp({ deps, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const agent = new Agent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  const body = JSON.stringify(envelope(bucketResource({ spec: { name: 'team-a-artifacts-7f3c' } })));
  const answer = new Promise<{ code: number; connection: string | undefined; ready: string | undefined }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/sync',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          const status = (JSON.parse(text) as { status?: { conditions?: Array<{ type: string; reason: string }> } }).status;
          resolve({ code: res.statusCode ?? 0, connection: res.headers.connection, ready: status?.conditions?.find((c) => c.type === 'Ready')?.reason });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  await until(() => s3.entered() > 0, 'the sync to wait on S3');
  const closed = app.close();
  // Fastify runs the preClose hooks, then stops listening: from here on the server is closing.
  await until(() => !app.server.listening, 'close() to stop accepting connections');
  s3.release();
  const res = await Promise.race([answer, giveUp(10_000, 'the answer to the in-flight sync')]);
  t.equal(res.code, 200, 'the in-flight sync finished');
  t.equal(res.ready, 'Available', 'with its full status');
  t.equal(res.connection, 'close', 'answered with Connection: close');
  // With the kept-alive connection left open, close() would wait for keepAliveTimeout (120 s).
  await Promise.race([closed, giveUp(10_000, 'close() is waiting for the kept-alive connection')]);
  t.equal(await new Promise<number>((resolve) => app.server.getConnections((_err, n) => resolve(n))), 0, 'no connection left open');
});
