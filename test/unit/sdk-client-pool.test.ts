// The S3 client pool (src/s3/sdk-client-pool.ts) against a stand-in S3 endpoint on loopback: one request
// per client at a time (so the SDK's cached middleware never shares an execution context between two
// calls in flight), one credentials provider, one retry strategy and one socket pool for its clients, and
// the request's abort signal honoured on the wire and in the retry middleware.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetBucketTaggingCommand, GetBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import t, { type Test } from 'tap';
import { trimClientStack, tunedSettings } from '../../src/s3/sdk-client-config.js';
import { MAX_IDLE_CLIENTS, S3ClientPool } from '../../src/s3/sdk-client-pool.js';

interface Held {
  url: string;
  host: string;
  release: (status?: number) => void;
}

/** An endpoint that holds every request until the test releases it (200 with a versioning body, or an error status). */
async function holdingEndpoint(t: Test) {
  const held: Held[] = [];
  const arrivals: Array<() => void> = [];
  const sockets = new Set<string>();
  let requests = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests++;
    sockets.add(`${req.socket.remotePort}`);
    req.resume();
    req.on('end', () => {
      held.push({
        url: req.url ?? '',
        host: req.headers.host ?? '',
        release: (status = 200) => {
          if (status === 200) {
            res.writeHead(200, { 'content-type': 'application/xml' });
            res.end(
              `<?xml version="1.0" encoding="UTF-8"?><VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>`,
            );
          } else {
            res.writeHead(status, { 'content-type': 'application/xml' });
            res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>busy</Message><RequestId>tx1</RequestId></Error>`);
          }
        },
      });
      arrivals.shift()?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  /** Resolves once `n` requests are held in all. */
  const waitFor = async (n: number): Promise<void> => {
    while (held.length < n) await new Promise<void>((resolve) => arrivals.push(resolve));
  };
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, held, waitFor, sockets, requests: () => requests };
}

function pool(
  t: Test,
  endpoint: string,
  extra: { credentials?: () => Promise<{ accessKeyId: string; secretAccessKey: string }>; maxAttempts?: number; setup?: (client: S3Client) => void } = {},
) {
  const clients: S3Client[] = [];
  const p = new S3ClientPool({
    config: {
      ...tunedSettings(),
      region: 'eu-west-1',
      endpoint,
      forcePathStyle: true,
      credentials: extra.credentials ?? { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      maxAttempts: extra.maxAttempts ?? 1,
    },
    setup: (client) => {
      trimClientStack(client);
      extra.setup?.(client);
      clients.push(client);
    },
  });
  t.teardown(() => p.destroy());
  return { pool: p, clients };
}

t.test('requests in flight together get a client each; one after another share one; the idle ones are kept up to the bound', async (t) => {
  const s3 = await holdingEndpoint(t);
  const { pool: p, clients } = pool(t, s3.endpoint);
  t.equal(clients.length, 1, 'the first client is made with the pool');
  const six = ['a', 'b', 'c', 'd', 'e', 'f'].map((b) => p.send(new GetBucketVersioningCommand({ Bucket: `bucket-${b}` })));
  await s3.waitFor(6);
  t.equal(clients.length, 6, 'six calls in flight: six clients');
  t.equal(p.active, 6);
  t.same(
    s3.held.map((h) => h.url.split('?')[0]).sort(),
    ['a', 'b', 'c', 'd', 'e', 'f'].map((b) => `/bucket-${b}/`),
    'each call went to its own bucket (no shared endpoint between calls in flight)',
  );
  for (const h of s3.held.splice(0)) h.release();
  const outs = await Promise.all(six);
  t.same(
    outs.map((o) => o.Status),
    Array(6).fill('Enabled'),
  );
  t.equal(p.active, 0);
  for (let i = 0; i < 5; i++) {
    const next = p.send(new GetBucketTaggingCommand({ Bucket: 'bucket-a' }));
    await s3.waitFor(1);
    s3.held.splice(0)[0]!.release();
    await next;
  }
  t.equal(clients.length, 6, 'five calls one after another made no new client');
  t.ok(s3.sockets.size <= 6, `one socket pool for all the clients (${s3.sockets.size} sockets for 11 requests)`);
  const burst = Array.from({ length: MAX_IDLE_CLIENTS + 4 }, (_, i) => p.send(new GetBucketVersioningCommand({ Bucket: `bucket-${i}` })));
  await s3.waitFor(MAX_IDLE_CLIENTS + 4);
  t.equal(clients.length, MAX_IDLE_CLIENTS + 4, 'a burst beyond the idle bound makes more clients');
  for (const h of s3.held.splice(0)) h.release();
  await Promise.all(burst);
  const more = Array.from({ length: MAX_IDLE_CLIENTS + 1 }, (_, i) => p.send(new GetBucketVersioningCommand({ Bucket: `bucket-${i}` })));
  await s3.waitFor(MAX_IDLE_CLIENTS + 1);
  t.equal(clients.length, MAX_IDLE_CLIENTS + 4 + 1, `${MAX_IDLE_CLIENTS} were kept idle: the next burst of ${MAX_IDLE_CLIENTS + 1} made one`);
  for (const h of s3.held.splice(0)) h.release();
  await Promise.all(more);
});

t.test('the clients of a pool share one credentials provider (resolved once) and one retry strategy', async (t) => {
  const s3 = await holdingEndpoint(t);
  let resolved = 0;
  const credentials = async () => {
    resolved++;
    return { accessKeyId: 'AKID', secretAccessKey: 'secret' };
  };
  const { pool: p, clients } = pool(t, s3.endpoint, { credentials });
  const three = [1, 2, 3].map((i) => p.send(new GetBucketVersioningCommand({ Bucket: `b${i}` })));
  await s3.waitFor(3);
  for (const h of s3.held.splice(0)) h.release();
  await Promise.all(three);
  t.equal(clients.length, 3);
  t.equal(resolved, 1, 'credentials resolved once for three clients');
  const strategies = await Promise.all(clients.map((c) => c.config.retryStrategy()));
  t.equal(new Set(strategies).size, 1, 'one retry strategy (one retry quota) for the pool');
});

t.test('an aborted request is cut on the wire; an abort between attempts ends the retries with the last answer', async (t) => {
  const s3 = await holdingEndpoint(t);
  // Inside the retry loop: fires the request's controller once an attempt has been answered 503.
  let onRefused: (() => void) | undefined;
  const setup = (client: S3Client): void =>
    client.middlewareStack.add(
      (next) => async (args) => {
        try {
          return await next(args);
        } catch (err) {
          onRefused?.();
          throw err;
        }
      },
      { step: 'deserialize', name: 'testAbortOnRefusal', priority: 'high' },
    );
  const { pool: p } = pool(t, s3.endpoint, { maxAttempts: 3, setup });
  const cut = new AbortController();
  const waiting = p.send(new GetBucketVersioningCommand({ Bucket: 'b1' }), cut.signal);
  await s3.waitFor(1);
  cut.abort();
  await t.rejects(waiting, { name: 'AbortError' }, 'the request in flight is cut');
  s3.held.splice(0);

  // The first attempt is refused (503, retryable); the signal fires as the refusal comes back, before
  // the retry. The retry middleware sees it (the pool put it where the SDK looks) and rejects with the
  // answer it had, without a second attempt; had it not seen the signal, it would have waited its backoff
  // and the second attempt would have failed as an AbortError.
  const between = new AbortController();
  onRefused = () => between.abort();
  const retried = p.send(new GetBucketVersioningCommand({ Bucket: 'b2' }), between.signal);
  await s3.waitFor(1);
  s3.held.splice(0)[0]!.release(503);
  await t.rejects(retried, { name: 'SlowDown', $metadata: { httpStatusCode: 503, attempts: 1 } }, 'the 503 itself, after one attempt');
  t.equal(s3.requests(), 2, 'no second attempt was sent');
  onRefused = undefined;

  // The next request on the same client carries no stale signal.
  const fine = p.send(new GetBucketVersioningCommand({ Bucket: 'b3' }));
  await s3.waitFor(1);
  s3.held.splice(0)[0]!.release();
  t.equal((await fine).Status, 'Enabled', 'a later call on the same client is not aborted');
});

t.test('close() waits for the requests in flight; destroy() closes at once, and a held port still works after it', async (t) => {
  const s3 = await holdingEndpoint(t);
  const { pool: p, clients } = pool(t, s3.endpoint);
  const inFlight = p.send(new GetBucketVersioningCommand({ Bucket: 'b1' }));
  await s3.waitFor(1);
  p.close();
  s3.held.splice(0)[0]!.release();
  t.equal((await inFlight).Status, 'Enabled', 'the request in flight at close() was answered');
  const later = p.send(new GetBucketVersioningCommand({ Bucket: 'b2' }));
  await s3.waitFor(1);
  s3.held.splice(0)[0]!.release();
  t.equal((await later).Status, 'Enabled', 'a request after close() still works (a port held by a running reconcile)');
  t.equal(clients.length, 2, 'a closed pool keeps no idle client: that request had a new one');
});
