// The floor under apply -> Ready: a hook that calls no S3 and answers every Bucket Ready at once, installed
// as the real one is (the CompositeController's sync, finalize and customize URLs pointed at it). What
// Metacontroller and the API server alone cost a Bucket is what a Bucket costs with this hook.
// Plain node:http and JSON.parse: no framework, so it is a floor for the hook's HTTP side too.
// Run compiled, as the bench's other servers: PORT=... node dist/test/bench/null-hook.js
import { createServer } from 'node:http';

interface Parent {
  metadata?: { creationTimestamp?: string };
  status?: Record<string, unknown>;
}

const ready = (parent: Parent): Record<string, unknown> => {
  // The parent's creation time as the transition time: the same status on every call, so Metacontroller
  // writes it once.
  const at = parent.metadata?.creationTimestamp ?? new Date(0).toISOString();
  const message = 'null hook: Ready at once, no S3 call';
  return {
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Available', message, lastTransitionTime: at },
      { type: 'ACK.ResourceSynced', status: 'True', reason: 'Synced', message, lastTransitionTime: at },
    ],
  };
};

const server = createServer((req, res) => {
  const send = (code: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  if (req.method === 'GET') return send(req.url === '/readyz' || req.url === '/healthz' ? 200 : 404, { status: 'ready' });
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let body: { parent?: Parent };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { parent?: Parent };
    } catch {
      return send(400, { message: 'the body is not JSON' });
    }
    const parent = body.parent ?? {};
    if (req.url === '/customize') return send(200, { relatedResources: [] });
    if (req.url === '/sync') return send(200, { status: ready(parent), children: [] });
    if (req.url === '/finalize') return send(200, { status: parent.status ?? {}, children: [], finalized: true });
    send(404, { message: `no route ${req.url}` });
  });
});
server.keepAliveTimeout = 120_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
