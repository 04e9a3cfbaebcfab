// Test-only HTTP proxy in front of an S3 endpoint that injects faults: 503 SlowDown, 500, connection resets,
// stalls, and responses dropped after the write reached the server. Loopback only.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAULTS = ['slowdown', 'internal', 'reset', 'stall', 'drop-response'] as const;
export type Fault = (typeof FAULTS)[number];

export interface FaultRule {
  fault: Fault;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  /** Only requests with this method (e.g. 'PUT'). */
  method?: string;
  /** Only requests whose path (percent-decoded) contains this string. */
  pathIncludes?: string;
}

export interface FaultProxy {
  url: string;
  /** Queue a fault for the next matching requests. */
  inject(rule: FaultRule): void;
  clear(): void;
  /** Requests seen, and faults actually applied, by kind. */
  stats(): { requests: number; applied: Record<Fault, number>; forwarded: number };
  close(): Promise<void>;
}

const S3_ERROR = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

/** The request path with percent-escapes decoded (S3 keys arrive as `resource%3Ditems/…`). */
function decodedPath(req: http.IncomingMessage): string {
  const url = req.url ?? '';
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const rules: (FaultRule & { left: number })[] = [];
  const applied = Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>;
  let requests = 0;
  let forwarded = 0;
  const stalled = new Set<http.ServerResponse>();

  const takeRule = (req: http.IncomingMessage): Fault | undefined => {
    const i = rules.findIndex(
      (r) =>
        r.left > 0 &&
        (r.method === undefined || r.method === req.method) &&
        (r.pathIncludes === undefined || decodedPath(req).includes(r.pathIncludes)),
    );
    if (i < 0) return undefined;
    const rule = rules[i]!;
    rule.left -= 1;
    if (rule.left === 0) rules.splice(i, 1);
    applied[rule.fault] += 1;
    return rule.fault;
  };

  const forward = (req: http.IncomingMessage, body: Buffer, onResponse: (res: http.IncomingMessage) => void) => {
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      onResponse,
    );
    out.on('error', () => req.socket.destroy());
    out.end(body);
    forwarded += 1;
  };

  const server = http.createServer((req, res) => {
    requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      switch (takeRule(req)) {
        case 'slowdown':
          res
            .writeHead(503, { 'content-type': 'application/xml' })
            .end(S3_ERROR('SlowDown', 'Please reduce your request rate.'));
          return;
        case 'internal':
          res.writeHead(500, { 'content-type': 'application/xml' }).end(S3_ERROR('InternalError', 'Injected.'));
          return;
        case 'reset':
          req.socket.destroy();
          return;
        case 'stall':
          stalled.add(res);
          return;
        case 'drop-response':
          // The write reaches the server; the client never hears back.
          forward(req, body, (upRes) => {
            upRes.resume();
            upRes.on('end', () => req.socket.destroy());
          });
          return;
        default:
          forward(req, body, (upRes) => {
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.pipe(res);
          });
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    inject(rule) {
      rules.push({ ...rule, left: rule.times ?? 1 });
    },
    clear() {
      rules.length = 0;
    },
    stats: () => ({ requests, applied: { ...applied }, forwarded }),
    close: async () => {
      for (const res of stalled) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
