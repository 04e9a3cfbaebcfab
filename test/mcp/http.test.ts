// HTTP transports: Host/Origin checks (403), bearer token (401), stateless /mcp (405 on GET), health, both clients.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createServer } from '../../server/index.js';
import { assertSafeBind, startHttp, tokenMatches, type RunningHttp } from '../../transports/index.js';
import { thrown } from '../support/errors.js';
import { testConfig } from './support/connect.js';
import { engineDatabase } from './support/databases.js';
import { INIT, MCP_HEADERS } from './support/raw-requests.js';

const TOKEN = 'test-token-0123456789abcdef';

async function start(authToken?: string): Promise<RunningHttp> {
  const config = testConfig({ port: 0, ...(authToken === undefined ? {} : { authToken }) });
  const logger = createLogger(config);
  const db = await engineDatabase();
  return startHttp(config, ({ elicitation }) => createServer({ db, config, logger, elicitation }), logger);
}

describe('HTTP without a token', () => {
  let http: RunningHttp;
  beforeAll(async () => {
    http = await start();
  });
  afterAll(async () => http.close());

  it('serves /healthz', async () => {
    const res = await fetch(`${http.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('answers 405 with a JSON-RPC body to GET and DELETE on the stateless /mcp', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`${http.url}/mcp`, { method, headers: { accept: 'text/event-stream' } });
      expect(res.status, method).toBe(405);
      expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    }
  });

  it('serves POST /mcp with a query string or a trailing slash, and answers a media type it cannot read with 415', async () => {
    for (const path of ['/mcp?client=x', '/mcp/']) {
      const res = await fetch(`${http.url}${path}`, {
        method: 'POST',
        headers: MCP_HEADERS,
        body: JSON.stringify(INIT),
      });
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain('"serverInfo"');
    }
    const plain = await fetch(`${http.url}/mcp`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, 'content-type': 'text/plain' },
      body: JSON.stringify(INIT),
    });
    expect(plain.status).toBe(415);
    expect(await plain.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
  });

  it('rejects a foreign Origin and a foreign Host with 403', async () => {
    const origin = await fetch(`${http.url}/mcp`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, origin: 'https://evil.example' },
      body: JSON.stringify(INIT),
    });
    expect(origin.status).toBe(403);
    // fetch will not forge Host; a raw request does.
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: http.port,
          path: '/mcp',
          method: 'POST',
          headers: { ...MCP_HEADERS, host: 'evil.example' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(INIT));
    });
    expect(status).toBe(403);
  });

  it('accepts a same-origin request and an absent Origin', async () => {
    const res = await fetch(`${http.url}/mcp`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, origin: `http://127.0.0.1:${http.port}` },
      body: JSON.stringify(INIT),
    });
    expect(res.status).toBe(200);
  });

  it('lists tools over Streamable HTTP and over legacy SSE with the SDK clients', async () => {
    const streamable = new Client({ name: 't', version: '1' });
    await streamable.connect(new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`)));
    expect((await streamable.listTools()).tools.length).toBe(15);
    await streamable.close();

    const sse = new Client({ name: 't', version: '1' });
    await sse.connect(new SSEClientTransport(new URL(`${http.url}/sse`)));
    expect((await sse.listTools()).tools.length).toBe(15);
    const created = await sse.callTool({ name: 'createResource', arguments: { name: 'a', attributes: {} } });
    expect(created.isError).toBeFalsy();
    await sse.close();
  });

  it('answers 404 for an unknown SSE session', async () => {
    const res = await fetch(`${http.url}/messages?sessionId=nope`, {
      method: 'POST',
      headers: MCP_HEADERS,
      body: JSON.stringify(INIT),
    });
    expect(res.status).toBe(404);
  });
});

describe('HTTP with a token', () => {
  let http: RunningHttp;
  beforeAll(async () => {
    http = await start(TOKEN);
  });
  afterAll(async () => http.close());

  it('answers 401 with WWW-Authenticate without the token or with a wrong one, on every MCP route', async () => {
    for (const auth of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      for (const [method, path] of [
        ['POST', '/mcp'],
        ['GET', '/sse'],
        ['POST', '/messages?sessionId=x'],
      ] as const) {
        const res = await fetch(`${http.url}${path}`, {
          method,
          headers: { ...MCP_HEADERS, ...(auth === undefined ? {} : { authorization: auth }) },
          ...(method === 'POST' ? { body: JSON.stringify(INIT) } : {}),
        });
        expect(res.status, `${method} ${path} ${auth}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    }
    expect((await fetch(`${http.url}/healthz`)).status).toBe(200);
  });

  it('lets the right token through', async () => {
    const client = new Client({ name: 't', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      }),
    );
    expect((await client.listTools()).tools.length).toBe(15);
    await client.close();
  });
});

describe('binding', () => {
  it('refuses a non-loopback host without a token and says how to set one', () => {
    expect(() => assertSafeBind({ host: '0.0.0.0' })).toThrow(/Refusing to listen on 0.0.0.0/);
    expect(thrown(() => assertSafeBind({ host: '0.0.0.0' })).hint).toMatch(/S3DB_MCP_AUTH_TOKEN/);
    expect(() => assertSafeBind({ host: '0.0.0.0', authToken: TOKEN })).not.toThrow();
    expect(() => assertSafeBind({ host: '127.0.0.1' })).not.toThrow();
    expect(() => assertSafeBind({ host: '::1' })).not.toThrow();
  });

  it('compares tokens of any length', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches('a', TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
  });
});
