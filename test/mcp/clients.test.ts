// Old and new clients on every transport: the SDK v2 client (protocol 2026-07-28) and the v1 client (2025-era)
// over stdio (the built binary), Streamable HTTP at /mcp and legacy SSE; confirmation on each, stateless included.
import { fileURLToPath } from 'node:url';
import {
  Client as ClientV2,
  SSEClientTransport as SseV2,
  StreamableHTTPClientTransport as HttpV2,
} from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioV2 } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport as SseV1 } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport as StdioV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as HttpV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createServer } from '../../server/index.js';
import { startHttp, type RunningHttp } from '../../transports/index.js';
import { testConfig } from './support/connect.js';
import { engineDatabase } from './support/databases.js';

const MAIN = fileURLToPath(new URL('../../dist/server/main.js', import.meta.url));
const NOTES = { name: 'notes', attributes: { body: 'string|optional' } };

type Answer = 'accept' | 'decline' | 'none';

/** The little both clients offer that the test uses. */
interface AnyClient {
  listTools(): Promise<{ tools: { name: string }[] }>;
  callTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

interface Result {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

async function v2(transport: ConstructorParameters<typeof HttpV2>[0] | 'stdio' | URL, answer: Answer, sse = false) {
  // The v2 client speaks 2025 unless told to negotiate; pin the new revision except on SSE (a 2025 transport).
  const client = new ClientV2(
    { name: 'v2', version: '1' },
    {
      ...(sse ? {} : { versionNegotiation: { mode: { pin: '2026-07-28' } } }),
      ...(answer === 'none' ? {} : { capabilities: { elicitation: { form: {} } } }),
    },
  );
  if (answer !== 'none') {
    client.setRequestHandler('elicitation/create', () =>
      Promise.resolve(answer === 'accept' ? { action: 'accept', content: { confirm: true } } : { action: 'decline' }),
    );
  }
  const t =
    transport === 'stdio'
      ? new StdioV2({
          command: process.execPath,
          args: [MAIN, '--connection-string=memory://v2', '--log-level=silent'],
        })
      : sse
        ? new SseV2(transport as URL)
        : new HttpV2(transport as URL);
  await client.connect(t);
  return client as unknown as AnyClient & { getNegotiatedProtocolVersion(): string | undefined };
}

async function v1(transport: URL | 'stdio', answer: Answer, sse = false) {
  const client = new ClientV1(
    { name: 'v1', version: '1' },
    answer === 'none' ? {} : { capabilities: { elicitation: {} } },
  );
  if (answer !== 'none') {
    client.setRequestHandler(ElicitRequestSchema, () =>
      Promise.resolve(answer === 'accept' ? { action: 'accept', content: { confirm: true } } : { action: 'decline' }),
    );
  }
  const t =
    transport === 'stdio'
      ? new StdioV1({
          command: process.execPath,
          args: [MAIN, '--connection-string=memory://v1', '--log-level=silent'],
        })
      : sse
        ? new SseV1(transport)
        : new HttpV1(transport);
  await client.connect(t);
  return client as unknown as AnyClient & { getServerVersion(): { name: string } | undefined };
}

/** create, insert, then a delete: the answer decides whether the document survives. */
async function deleteWith(client: AnyClient, id: string, args: Record<string, unknown> = {}): Promise<Result> {
  await client.callTool({ name: 'createResource', arguments: NOTES });
  const inserted = (await client.callTool({
    name: 'insert',
    arguments: { resource: 'notes', data: { id } },
  })) as Result;
  expect(inserted.isError).toBeFalsy();
  return (await client.callTool({ name: 'delete', arguments: { resource: 'notes', id, ...args } })) as Result;
}

async function exists(client: AnyClient, id: string): Promise<boolean> {
  const got = (await client.callTool({ name: 'get', arguments: { resource: 'notes', id } })) as Result;
  return got.isError !== true;
}

const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');

describe('HTTP: v2 and v1 clients on /mcp and /sse', () => {
  let http: RunningHttp;
  let mcp: URL;
  let sse: URL;
  beforeAll(async () => {
    const config = testConfig({ port: 0 });
    const logger = createLogger(config);
    const db = await engineDatabase();
    http = await startHttp(config, ({ elicitation }) => createServer({ db, config, logger, elicitation }), logger);
    mcp = new URL(`${http.url}/mcp`);
    sse = new URL(`${http.url}/sse`);
  });
  afterAll(async () => http.close());

  it('a v2 client speaks 2026-07-28 on /mcp, lists tools and confirms a delete by retrying with its answer', async () => {
    const client = await v2(mcp, 'accept');
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('query');
    const deleted = await deleteWith(client, 'm1');
    expect(deleted.isError, text(deleted)).toBeFalsy();
    expect(await exists(client, 'm1')).toBe(false);
    await client.close();
  });

  it('a 2026-07-28 request needs no handshake and its list result carries a cache hint', async () => {
    const envelope = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    const res = await fetch(mcp, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/list',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: envelope } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('mcp-session-id')).toBeNull();
    const body = (await res.json()) as { result: { tools: unknown[]; ttlMs: number } };
    expect(body.result.tools.length).toBeGreaterThan(10);
    expect(body.result.ttlMs).toBe(300_000);
  });

  it('a v2 client that declines on stateless /mcp keeps the document', async () => {
    const client = await v2(mcp, 'decline');
    const declined = await deleteWith(client, 'm2');
    expect(declined.isError).toBe(true);
    expect(text(declined)).toMatch(/^Cancelled/);
    expect(await exists(client, 'm2')).toBe(true);
    await client.close();
  });

  it('a v2 client without elicitation gets the confirm: true fallback', async () => {
    const client = await v2(mcp, 'none');
    const refused = await deleteWith(client, 'm3');
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/"confirm": true/);
    expect(await exists(client, 'm3')).toBe(true);
    const confirmed = (await client.callTool({
      name: 'delete',
      arguments: { resource: 'notes', id: 'm3', confirm: true },
    })) as Result;
    expect(confirmed.isError).toBeFalsy();
    await client.close();
  });

  it('a v1 client on stateless /mcp cannot be asked: refused without confirm: true, even with elicitation', async () => {
    const client = await v1(mcp, 'accept');
    expect((await client.listTools()).tools.length).toBeGreaterThan(10);
    const refused = await deleteWith(client, 'h1');
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/cannot be asked[\s\S]*"confirm": true/);
    expect(await exists(client, 'h1')).toBe(true);
    await client.close();
  });

  for (const [name, connect] of [
    ['v1', (answer: Answer) => v1(sse, answer, true)],
    ['v2', (answer: Answer) => v2(sse, answer, true)],
  ] as const) {
    it(`a ${name} client on legacy SSE is asked (elicitation) and the answer decides`, async () => {
      const declining = await connect('decline');
      const declined = await deleteWith(declining, `${name}-s1`);
      expect(text(declined)).toMatch(/^Cancelled/);
      expect(await exists(declining, `${name}-s1`)).toBe(true);
      await declining.close();
      const accepting = await connect('accept');
      const deleted = await deleteWith(accepting, `${name}-s2`);
      expect(deleted.isError, text(deleted)).toBeFalsy();
      expect(await exists(accepting, `${name}-s2`)).toBe(false);
      await accepting.close();
    });
  }
});

describe('stdio (built binary): v2 and v1 clients', () => {
  it('a v2 client speaks 2026-07-28, lists tools, confirms by retrying with its answer and deletes', async () => {
    const client = await v2('stdio', 'accept');
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('insert');
    const deleted = await deleteWith(client, 'a');
    expect(deleted.isError, text(deleted)).toBeFalsy();
    expect(await exists(client, 'a')).toBe(false);
    await client.close();
  });

  it('a v1 client that declines keeps the document', async () => {
    const client = await v1('stdio', 'decline');
    expect(client.getServerVersion()?.name).toBe('s3db-mcp-server');
    const declined = await deleteWith(client, 'b');
    expect(text(declined)).toMatch(/^Cancelled/);
    expect(await exists(client, 'b')).toBe(true);
    await client.close();
  });
});
