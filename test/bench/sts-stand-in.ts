// A loopback stand-in for the one STS call ACK's controllers make at start: GetCallerIdentity (to learn
// the account ID and partition). RGW 16.2 answers it 405, and ACK's s3-controller exits when it fails.
// Anything else is answered 400 with STS's error shape, so a controller that calls more of STS says so.
import { createServer, type Server } from 'node:http';

export interface StsStandIn {
  url: string;
  /** Actions asked, in order ("GetCallerIdentity", ...). */
  actions: string[];
  close(): Promise<void>;
}

export async function startStsStandIn(account: string, userArn: string): Promise<StsStandIn> {
  const actions: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const query = new URL(req.url ?? '/', 'http://sts').searchParams;
      const action = body.get('Action') ?? query.get('Action') ?? '';
      actions.push(action || '(none)');
      const id = `sts-stand-in-${actions.length}`;
      if (action === 'GetCallerIdentity') {
        const xml = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${userArn}</Arn><UserId>${account}</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
        res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': id });
        res.end(xml);
        return;
      }
      const xml = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>this loopback STS stand-in answers GetCallerIdentity only, not ${action || 'a request without Action'}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`;
      res.writeHead(400, { 'content-type': 'text/xml', 'x-amzn-requestid': id });
      res.end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    actions,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
