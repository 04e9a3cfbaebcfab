// A loopback TCP port that was free a moment ago (the OS picks it; nothing listens on it when this resolves), for
// the servers the tests and benchmarks start themselves, so two suites never collide on a fixed port.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
