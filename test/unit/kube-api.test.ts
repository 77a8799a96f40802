// The Kubernetes API client (src/events/kube-api.ts) against small servers on loopback: an answer longer
// than the cap is cut off and fails the request (a 200 MB answer took RSS to 692 MB, 600 MB crashed the
// process), counted as a failed event; a path prefix in the URL is kept; a path the URL parser would
// rewrite is never sent; and the recorder builds paths from valid names only (a namespace ".." made the
// events path cluster-wide).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { KubeApi, MAX_RESPONSE_BYTES } from '../../src/events/kube-api.js';
import { EventRecorder, REPORTING_CONTROLLER, type EventResult, type Regarding } from '../../src/events/recorder.js';

const BUCKET: Regarding = {
  apiVersion: 's3.services.k8s.aws/v1alpha1',
  kind: 'Bucket',
  namespace: 'team-a',
  name: 'artifacts',
  uid: '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01',
};
const created = { type: 'Normal' as const, reason: 'Created', action: 'Create', note: 'Created.' };

/**
 * A server whose answer `answer` writes; records each request's path, how many bytes it managed to write,
 * and when its answer closed (finished, or the client hung up).
 */
async function server(t: Test, answer: (req: IncomingMessage, res: ServerResponse, wrote: (n: number) => void) => void) {
  const paths: string[] = [];
  const written: number[] = [];
  const closed: Array<Promise<void>> = [];
  const s = createServer((req, res) => {
    paths.push(req.url ?? '');
    req.resume();
    const at = written.push(0) - 1;
    closed.push(new Promise((resolve) => res.once('close', () => resolve())));
    req.on('end', () => answer(req, res, (n) => void (written[at]! += n)));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve()))));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, paths, written, closed };
}

/** Streams `total` bytes of JSON-ish text in 64 KiB chunks, waiting for the socket to drain, until done or cut off. */
function stream(total: number, declareLength: boolean) {
  return (_req: IncomingMessage, res: ServerResponse, wrote: (n: number) => void): void => {
    res.writeHead(200, { 'content-type': 'application/json', ...(declareLength ? { 'content-length': String(total) } : {}) });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (sent < total && !res.destroyed) {
        sent += chunk.length;
        wrote(chunk.length);
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end();
    };
    res.on('error', () => undefined);
    pump();
  };
}

t.test('an answer longer than 1 MiB is cut off: the request fails, and the server could not write the rest', async (t) => {
  t.equal(MAX_RESPONSE_BYTES, 1024 * 1024);
  for (const declareLength of [false, true]) {
    const big = await server(t, stream(200 * 1024 * 1024, declareLength));
    const api = new KubeApi({ url: big.url, timeoutMs: 30_000 });
    t.teardown(() => api.close());
    const err = await api.request('POST', '/apis/events.k8s.io/v1/namespaces/team-a/events', {}).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    t.equal(
      err?.message,
      "the Kubernetes API's answer is longer than 1048576 bytes: cut off unread",
      declareLength ? 'a declared length: refused before reading' : 'chunked: refused once over',
    );
    // Once the server's answer is closed (the client hung up), see how far it got.
    await big.closed[0];
    t.ok((big.written[0] ?? 0) < 32 * 1024 * 1024, `the server wrote ${big.written[0]} of 200 MB before the client hung up`);
  }
});

t.test('an answer within the cap is read; a smaller cap can be set', async (t) => {
  const body = JSON.stringify({ kind: 'Event', note: 'n'.repeat(900 * 1024) });
  const ok = await server(t, (_req, res) => void res.writeHead(201, { 'content-type': 'application/json' }).end(body));
  const api = new KubeApi({ url: ok.url, timeoutMs: 5000 });
  t.teardown(() => api.close());
  const answer = await api.request('POST', '/apis/events.k8s.io/v1/namespaces/team-a/events', {});
  t.same([answer.status, (answer.body as { kind: string }).kind], [201, 'Event']);
  const small = new KubeApi({ url: ok.url, timeoutMs: 5000, maxResponseBytes: 1000 });
  t.teardown(() => small.close());
  await t.rejects(small.request('POST', '/x', {}), { message: "the Kubernetes API's answer is longer than 1000 bytes: cut off unread" });
});

t.test('a recorder over an API server answering 200 MB: the event counts as failed, the next one is sent', async (t) => {
  let first = true;
  const big = await server(t, (req, res, wrote) => {
    if (first) {
      first = false;
      return stream(200 * 1024 * 1024, false)(req, res, wrote);
    }
    res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
  });
  const api = new KubeApi({ url: big.url, timeoutMs: 30_000 });
  const results: EventResult[] = [];
  const recorder = new EventRecorder({ api, controller: REPORTING_CONTROLLER, instance: 'pod-a', onResult: (r) => results.push(r) });
  t.teardown(async () => {
    await recorder.close(100);
    api.close();
  });
  recorder.record(BUCKET, [created]);
  recorder.record({ ...BUCKET, uid: 'another' }, [created]);
  await recorder.idle();
  t.same(results, ['failed', 'sent']);
});

t.test('a path prefix in the URL is kept in front of every request path (a trailing slash or not)', async (t) => {
  const proxy = await server(t, (_req, res) => void res.writeHead(201, { 'content-type': 'application/json' }).end('{}'));
  for (const suffix of ['/k8s/clusters/c-1', '/k8s/clusters/c-1/']) {
    const api = new KubeApi({ url: `${proxy.url}${suffix}`, timeoutMs: 5000 });
    t.teardown(() => api.close());
    await api.request('POST', '/apis/events.k8s.io/v1/namespaces/team-a/events', {});
  }
  t.same(proxy.paths, ['/k8s/clusters/c-1/apis/events.k8s.io/v1/namespaces/team-a/events', '/k8s/clusters/c-1/apis/events.k8s.io/v1/namespaces/team-a/events']);
});

t.test('a path with dot segments is refused before anything is sent', async (t) => {
  const api_ = await server(t, (_req, res) => void res.writeHead(201).end('{}'));
  const api = new KubeApi({ url: api_.url, timeoutMs: 5000 });
  t.teardown(() => api.close());
  for (const path of ['/apis/events.k8s.io/v1/namespaces/../events', '/apis/events.k8s.io/v1/namespaces/%2e%2e/events', '/apis/./x']) {
    await t.rejects(api.request('POST', path, {}), { message: /^refusing to send a request for ".*": the URL parser rewrites it/ }, path);
  }
  t.same(api_.paths, []);
});

t.test('the recorder sends nothing for a namespace or name the API server would not take: counted as failed', async (t) => {
  const api_ = await server(t, (_req, res) => void res.writeHead(201, { 'content-type': 'application/json' }).end('{}'));
  const api = new KubeApi({ url: api_.url, timeoutMs: 5000 });
  const results: EventResult[] = [];
  const warnings: string[] = [];
  const recorder = new EventRecorder({
    api,
    controller: REPORTING_CONTROLLER,
    instance: 'pod-a',
    onResult: (r) => results.push(r),
    log: { warn: (o, msg) => warnings.push((o as { err?: string }).err ?? msg), debug: () => undefined },
  });
  t.teardown(async () => {
    await recorder.close(100);
    api.close();
  });
  recorder.record({ ...BUCKET, namespace: '..' }, [created]);
  recorder.record({ ...BUCKET, namespace: 'Team_A', uid: 'u2' }, [created]);
  recorder.record({ ...BUCKET, name: 'Not/A-Name', uid: 'u3' }, [created]);
  recorder.record(BUCKET, [created]);
  await recorder.idle();
  t.same(results, ['failed', 'failed', 'failed', 'sent']);
  t.same(api_.paths, ['/apis/events.k8s.io/v1/namespaces/team-a/events'], 'only the valid one reached the server; never /apis/events.k8s.io/v1/events');
  t.same(
    warnings,
    ['not a Kubernetes namespace name: ".."; no event sent', 'events reach the Kubernetes API again'],
    'one warning for the failures (the rest at debug), one when it works',
  );
});
