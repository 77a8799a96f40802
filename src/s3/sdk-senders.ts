// The two ways the hook's S3 ports send their commands: tuned (the default: a pool of clients with the
// trimmed stack and the keep-alive handler, sdk-client-pool.ts, sdk-client-config.ts, sdk-http-handler.ts)
// or, with S3_CLIENT_TUNING=off, one S3Client per region exactly as the SDK ships it: its default settings,
// middleware and request handler, with only the hook's token added to the user agent.
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { trimClientStack, tunedSettings, USER_AGENT_TOKEN } from './sdk-client-config.js';
import { S3ClientPool, type S3Sender } from './sdk-client-pool.js';

/** A port's sender, closed when its port leaves the client cache. */
export interface PortSender extends S3Sender {
  /** Closes the sockets once the requests in flight are answered. */
  close(): void;
  /** Closes the sockets now. */
  destroy(): void;
}

/** What both kinds of sender are made from: the region's settings, and what to do to each new client. */
export interface SenderOptions {
  config: Omit<S3ClientConfig, 'requestHandler' | 'cacheMiddleware'>;
  /** Run once on each new client (the request counter). */
  setup?: (client: S3Client) => void;
}

/** One stock S3Client as a sender: concurrent sends share it, as the SDK allows; each takes its abort signal. */
export function stockSender(client: S3Client): PortSender {
  let inFlight = 0;
  let closing = false;
  return {
    async send(command, signal) {
      inFlight++;
      try {
        return await client.send(command, { abortSignal: signal });
      } finally {
        inFlight--;
        if (closing && inFlight === 0) client.destroy();
      }
    },
    close() {
      closing = true;
      if (inFlight === 0) client.destroy();
    },
    destroy() {
      closing = true;
      client.destroy();
    },
  };
}

export function tunedSender(options: SenderOptions): PortSender {
  return new S3ClientPool({
    config: { ...tunedSettings(), ...options.config },
    setup: (client) => {
      trimClientStack(client);
      options.setup?.(client);
    },
  });
}

export function untunedSender(options: SenderOptions): PortSender {
  const client = new S3Client({ ...options.config, customUserAgent: USER_AGENT_TOKEN });
  options.setup?.(client);
  return stockSender(client);
}

export function makeSender(options: SenderOptions, tuning: boolean): PortSender {
  return tuning ? tunedSender(options) : untunedSender(options);
}
