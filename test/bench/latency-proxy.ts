// A TCP proxy that adds a fixed delay to every chunk in each direction: a network round trip like an
// AWS region's in front of a loopback RGW. Loopback hides what the design is about (S3 latency is
// round trips, not server CPU); this puts them back, the same for the hook and for the baseline.
import net from 'node:net';

export interface LatencyProxy {
  endpoint: string;
  close(): Promise<void>;
}

export async function startLatencyProxy(target: string, rttMs: number): Promise<LatencyProxy> {
  const upstream = new URL(target);
  const oneWay = rttMs / 2;
  const sockets = new Set<net.Socket>();
  const pipeDelayed = (from: net.Socket, to: net.Socket): void => {
    // Equal delays keep order: timers of one duration fire in the order they were set.
    from.on('data', (chunk) => void setTimeout(() => to.writable && to.write(chunk), oneWay));
    from.on('end', () => void setTimeout(() => to.end(), oneWay));
    from.on('error', () => to.destroy());
    from.on('close', () => void setTimeout(() => to.destroy(), oneWay));
  };
  const server = net.createServer((client) => {
    const server = net.connect({ host: upstream.hostname, port: Number(upstream.port) });
    client.setNoDelay(true);
    server.setNoDelay(true);
    for (const s of [client, server]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    }
    pipeDelayed(client, server);
    pipeDelayed(server, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
