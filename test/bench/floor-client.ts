// The floor under any S3 client's CPU per call (target 2): SigV4 signed by hand with node:crypto, one
// node:http keep-alive agent, path-style GET of one sub-resource, and one XML element read with indexOf.
// It really signs (RGW checks the signature: a wrong key answers 403, which `get` throws on) and really
// calls the server; nothing else: no retries, no middleware, no endpoint rules, no XML parser.
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';

export interface FloorCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

export class FloorS3Client {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  private readonly url: URL;
  private signingDay = '';
  private signingKey: Buffer = Buffer.alloc(0);

  constructor(
    endpoint: string,
    private readonly region: string,
    private readonly credentials: FloorCredentials,
  ) {
    this.url = new URL(endpoint);
  }

  /** The day's signing key, derived once a day as any SigV4 client caches it. */
  private key(day: string): Buffer {
    if (day !== this.signingDay) {
      const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
      this.signingKey = hmac(hmac(hmac(hmac(`AWS4${this.credentials.secretAccessKey}`, day), this.region), 's3'), 'aws4_request');
      this.signingDay = day;
    }
    return this.signingKey;
  }

  /** GET /bucket?subresource, signed; resolves with the text of the first `<element>` (undefined when absent). */
  get(bucket: string, subresource: string, element: string): Promise<string | undefined> {
    const amzDate = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const day = amzDate.slice(0, 8);
    const host = this.url.host;
    const path = `/${bucket}`;
    const query = `${subresource}=`;
    const signedHeaders = 'host;x-amz-content-sha256;x-amz-date';
    const canonical = `GET\n${path}\n${query}\nhost:${host}\nx-amz-content-sha256:${EMPTY_SHA256}\nx-amz-date:${amzDate}\n\n${signedHeaders}\n${EMPTY_SHA256}`;
    const scope = `${day}/${this.region}/s3/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const signature = createHmac('sha256', this.key(day)).update(toSign).digest('hex');
    const headers = {
      host,
      'x-amz-date': amzDate,
      'x-amz-content-sha256': EMPTY_SHA256,
      authorization: `AWS4-HMAC-SHA256 Credential=${this.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    };
    return new Promise((resolve, reject) => {
      const request = http.request(
        { host: this.url.hostname, port: this.url.port, method: 'GET', path: `${path}?${subresource}`, headers, agent: this.agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            if (response.statusCode !== 200) return reject(new Error(`floor client: ${response.statusCode} ${body.slice(0, 200)}`));
            const open = body.indexOf(`<${element}>`);
            if (open < 0) return resolve(undefined);
            const start = open + element.length + 2;
            resolve(body.slice(start, body.indexOf(`</${element}>`, start)));
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
