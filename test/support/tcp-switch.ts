// A TCP forwarder that can be switched off, to take a real server (PostgreSQL, radosgw) "down" for a while
// without stopping it: when down, open connections are cut and new ones closed at once. Loopback only.
import net from 'node:net';

export interface TcpSwitch {
  port: number;
  down(): void;
  up(): void;
  close(): Promise<void>;
}

export async function startTcpSwitch(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpSwitch> {
  let isDown = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (isDown) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    down: () => {
      isDown = true;
      for (const s of sockets) s.destroy();
    },
    up: () => {
      isDown = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
