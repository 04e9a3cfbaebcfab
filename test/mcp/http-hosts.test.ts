// HTTP beyond loopback: which Host/Origin headers pass (Docker port maps, proxies, LAN names, a token), a
// --host=127.0.0.2 server reachable at its own URL, bounded SSE sessions, and JSON-only error bodies.
import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createServer, type Config } from '../../server/index.js';
import { hostAllowed, originAllowed, startHttp, type RunningHttp } from '../../transports/index.js';
import { testConfig } from './support/connect.js';
import { engineDatabase } from './support/databases.js';
import { INIT, MCP_HEADERS } from './support/raw-requests.js';

const TOKEN = 'test-token-0123456789abcdef';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with any Host header (fetch will not forge one). Reads at most `maxBytes` of the body. */
function raw(
  http: RunningHttp,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string; maxBytes?: number },
): Promise<Raw> {
  const address = new URL(http.url).hostname;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: address,
        port: http.port,
        path: options.path ?? '/mcp',
        method: options.method ?? 'POST',
        headers: { ...MCP_HEADERS, ...options.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (options.maxBytes !== undefined && body.length >= options.maxBytes) {
            res.destroy();
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body ?? JSON.stringify(INIT));
  });
}

async function start(overrides: Partial<Config> = {}): Promise<RunningHttp> {
  const config = testConfig({ port: 0, ...overrides });
  const logger = createLogger(config);
  const db = await engineDatabase();
  return startHttp(config, ({ elicitation }) => createServer({ db, config, logger, elicitation }), logger);
}

const loopback = { host: '127.0.0.1', allowedHosts: [], allowedOrigins: [] };

describe('the Host rule', () => {
  it('without a token: loopback names on any port, the bound address, listed names; nothing else', () => {
    for (const host of ['localhost:9000', '127.0.0.1:8000', 'localhost', '[::1]:443', 'LOCALHOST:1', '127.9.9.9:1']) {
      expect(hostAllowed(loopback, host), host).toBe(true);
    }
    for (const host of [
      undefined,
      '',
      'evil.example',
      'evil.example:8000',
      'localhost.evil.example:8000',
      '10.0.0.5',
    ]) {
      expect(hostAllowed(loopback, host), String(host)).toBe(false);
    }
    const proxied = { ...loopback, allowedHosts: ['mcp.example.com'] };
    expect(hostAllowed(proxied, 'mcp.example.com')).toBe(true);
    expect(hostAllowed(proxied, 'mcp.example.com:443')).toBe(true);
    expect(hostAllowed(proxied, 'other.example.com')).toBe(false);
    expect(hostAllowed({ ...loopback, host: '::1' }, '[::1]:8000')).toBe(true);
  });

  it('any name that is not loopback or listed is refused without a token (DNS rebinding)', () => {
    fc.assert(
      fc.property(fc.domain(), fc.option(fc.integer({ min: 1, max: 65535 })), (name, port) => {
        fc.pre(name !== 'localhost');
        const header = port === null ? name : `${name}:${port}`;
        expect(hostAllowed(loopback, header)).toBe(false);
        expect(hostAllowed({ ...loopback, authToken: TOKEN }, header)).toBe(true);
        expect(hostAllowed({ ...loopback, authToken: TOKEN, allowedHosts: ['only.example'] }, header)).toBe(
          name === 'only.example',
        );
      }),
    );
  });

  it('accepts a browser Origin only when same-origin with its Host or listed', () => {
    expect(originAllowed(loopback, undefined, 'localhost:9000')).toBe(true);
    expect(originAllowed(loopback, 'http://localhost:9000', 'localhost:9000')).toBe(true);
    expect(originAllowed(loopback, 'https://evil.example', 'localhost:9000')).toBe(false);
    expect(originAllowed(loopback, 'http://localhost:9001', 'localhost:9000')).toBe(false);
    expect(originAllowed(loopback, 'null', 'localhost:9000')).toBe(false);
    expect(originAllowed({ ...loopback, allowedOrigins: ['https://app.example'] }, 'https://app.example', 'x')).toBe(
      true,
    );
  });
});

describe('HTTP with the Host headers real clients send', () => {
  let open: RunningHttp;
  let tokened: RunningHttp;
  beforeAll(async () => {
    open = await start();
    tokened = await start({ authToken: TOKEN });
  });
  afterAll(async () => {
    await open.close();
    await tokened.close();
  });

  it('serves a Docker-published port and refuses a rebinding name without a token', async () => {
    expect((await raw(open, { headers: { host: 'localhost:9000' } })).status).toBe(200);
    expect((await raw(open, { headers: { host: '127.0.0.1:9000', origin: 'http://127.0.0.1:9000' } })).status).toBe(
      200,
    );
    const refused = await raw(open, { headers: { host: 'attacker.example:8000' } });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { message: expect.stringMatching(/allowed-hosts/) } });
  });

  it('with a token serves a LAN address and a proxy name', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const host of ['192.168.1.20:8000', 'mcp.example.com', 'localhost:9000']) {
      expect((await raw(tokened, { headers: { ...auth, host } })).status, host).toBe(200);
    }
    expect((await raw(tokened, { headers: { host: 'mcp.example.com' } })).status).toBe(401);
  });
});

describe('--host=127.0.0.2', () => {
  it('serves requests addressed to its own printed URL', async () => {
    let http: RunningHttp;
    try {
      http = await start({ host: '127.0.0.2' });
    } catch {
      return; // this machine has no 127.0.0.2 (not Linux)
    }
    try {
      expect(http.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
      const res = await fetch(`${http.url}/mcp`, {
        method: 'POST',
        headers: { ...MCP_HEADERS, origin: http.url },
        body: JSON.stringify(INIT),
      });
      expect(res.status).toBe(200);
    } finally {
      await http.close();
    }
  });
});

describe('legacy SSE sessions are bounded', () => {
  let http: RunningHttp | undefined;
  afterEach(async () => {
    await http?.close();
    http = undefined;
  });

  it('answers 503 past --sse-max-sessions and frees a slot when a stream closes', async () => {
    http = await start({ sseMaxSessions: 2 });
    const streams = [new AbortController(), new AbortController()];
    for (const stream of streams) {
      const res = await fetch(`${http.url}/sse`, { signal: stream.signal });
      expect(res.status).toBe(200);
    }
    const third = await raw(http, { method: 'GET', path: '/sse', body: '' });
    expect(third.status).toBe(503);
    expect(third.headers['retry-after']).toBe('30');
    expect(JSON.parse(third.body)).toMatchObject({ error: { message: expect.stringMatching(/limit 2/) } });
    streams[0]!.abort();
    const deadline = Date.now() + 5000;
    let status = 503;
    while (status === 503 && Date.now() < deadline) {
      status = (await raw(http, { method: 'GET', path: '/sse', body: '', maxBytes: 1 })).status;
    }
    expect(status).toBe(200);
    streams[1]!.abort();
  });

  it('closes a session idle for --sse-idle-timeout-ms', async () => {
    http = await start({ sseIdleTimeoutMs: 200 });
    const res = await fetch(`${http.url}/sse`);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const sessionId = /sessionId=([\w-]+)/.exec(first)?.[1];
    expect(sessionId).toBeDefined();
    // The stream ends on its own once the session times out.
    const started = Date.now();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    expect(Date.now() - started).toBeLessThan(5000);
    const post = await raw(http, { path: `/messages?sessionId=${sessionId}` });
    expect(post.status).toBe(404);
  });
});

describe('HTTP error bodies', () => {
  const previous = process.env.NODE_ENV;
  let http: RunningHttp;
  beforeAll(async () => {
    process.env.NODE_ENV = 'development'; // express shows stack traces in its error page outside production
    http = await start();
  });
  afterAll(async () => {
    process.env.NODE_ENV = previous;
    await http.close();
  });

  it('are JSON without a stack or a path for malformed, non-object and oversized bodies', async () => {
    const cases: [string, number][] = [
      ['{"jsonrpc": ', 400],
      ['"just a string"', 400],
      ['42', 400],
      [`{"x":"${'a'.repeat(9 * 1024 * 1024)}"}`, 413],
    ];
    for (const [body, status] of cases) {
      for (const path of ['/mcp', '/messages?sessionId=x']) {
        const res = await raw(http, { path, body });
        expect(res.status, `${path} ${body.slice(0, 20)}`).toBe(status);
        expect(res.headers['content-type']).toMatch(/application\/json/);
        const parsed = JSON.parse(res.body) as { error: { code: number; message: string } };
        expect(parsed.error.code).toBeLessThan(0);
        expect(res.body).not.toMatch(/at |node_modules|\/work\/|\.ts:|\.js:/);
      }
    }
    const parse = JSON.parse((await raw(http, { body: '{' })).body) as { error: { code: number } };
    expect(parse.error.code).toBe(-32700);
  });
});
