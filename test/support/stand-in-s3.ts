// A stand-in S3 endpoint on loopback, for tests of the real SDK adapter where Ceph RGW cannot force a
// case: it records every request and answers by a rule the test gives. Not a fake of S3's semantics.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  body: string;
}

export interface Answer {
  status: number;
  /** An S3 error code: sent as the XML error body. */
  code?: string;
}

export async function startStandIn(answer: (request: SeenRequest) => Answer) {
  const seen: SeenRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', body };
      seen.push(request);
      const { status, code } = answer(request);
      if (code && req.method !== 'HEAD') {
        res.writeHead(status, { 'content-type': 'application/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><RequestId>tx1</RequestId></Error>`);
        return;
      }
      res.writeHead(status, { 'content-length': '0' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
