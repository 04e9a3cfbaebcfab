// End to end against the built binary: one scenario over stdio, Streamable HTTP and legacy SSE; stdout stays pure.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/until.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'dist/server/main.js');
const TOKEN = 'e2e-token-0123456789abcdef';
const PASSPHRASE = 'e2e-passphrase-never-printed';
const BASE_ENV = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  LOG_LEVEL: 'info',
  S3DB_SECURITY_PASSPHRASE: PASSPHRASE,
};

let scratch: string;
beforeAll(() => {
  // Build once for the whole file: the issue asks for the binary users run, not the sources.
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  scratch = mkdtempSync(join(tmpdir(), 's3db-mcp-e2e-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  return result;
}
async function ok<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await call(client, name, args);
  expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy();
  return result.structuredContent as T;
}

/** The scenario every transport must pass. */
async function scenario(client: Client, resource = 'people'): Promise<void> {
  expect((await client.listTools()).tools).toHaveLength(15);
  await ok(client, 'createResource', {
    name: resource,
    attributes: { name: 'string|required', team: 'string', score: 'number', bio: 'string', token: 'secret' },
    partitions: { byTeam: { fields: { team: 'string' } } },
  });
  const records = Array.from({ length: 50 }, (_, i) => ({
    id: `p${String(i).padStart(2, '0')}`,
    name: `person ${i}`,
    team: i % 2 === 0 ? 'red' : 'blue',
    score: i,
    bio: i % 5 === 0 ? `long bio ${i} `.repeat(300) : `bio ${i}`,
    token: `tok-${i}`,
  }));
  const inserted = await ok<{ inserted: number; errors: unknown[] }>(client, 'insertMany', {
    resource,
    records,
  });
  expect(inserted).toMatchObject({ inserted: 50, errors: [] });

  // By partition, paged with a cursor: 25 reds over two pages of the default 20.
  const reds: { id: string; team: string; bio: string; token: string }[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await ok<{ records: typeof reds; nextCursor?: string; plan: { strategy: string } }>(client, 'query', {
      resource,
      partition: 'byTeam',
      partitionValues: { team: 'red' },
      ...(cursor ? { cursor } : {}),
    });
    expect(page.plan.strategy).toBe('partition');
    reds.push(...page.records);
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== undefined && pages < 10);
  expect(pages).toBe(2);
  expect(reds).toHaveLength(25);
  expect(reds.every((r) => r.team === 'red' && r.token === '[encrypted]')).toBe(true);
  expect(reds.find((r) => r.id === 'p10')?.bio.length).toBeGreaterThan(2048);

  const high = await ok<{ records: { score: number }[] }>(client, 'query', {
    resource,
    filter: { score: { $gte: 45 } },
  });
  expect(high.records.map((r) => r.score).sort((a, b) => a - b)).toEqual([45, 46, 47, 48, 49]);

  const listing = await ok<{ partitions: { values?: { values: Record<string, string>; count: number }[] }[] }>(
    client,
    'listPartitions',
    { resource, partition: 'byTeam' },
  );
  expect(listing.partitions[0]?.values).toEqual(
    expect.arrayContaining([
      { values: { team: 'red' }, count: 25 },
      { values: { team: 'blue' }, count: 25 },
    ]),
  );

  await ok(client, 'update', { resource, id: 'p01', data: { team: 'red', score: 100 } });
  expect(await ok(client, 'count', { resource, partition: 'byTeam', partitionValues: { team: 'red' } })).toMatchObject({
    count: 26,
  });
  // No elicitation in this client: the destructive call is refused until it carries confirm: true.
  const refused = await call(client, 'delete', { resource, id: 'p02' });
  expect(refused.isError).toBe(true);
  expect(JSON.stringify(refused.content)).toMatch(/confirm.*true/);
  await ok(client, 'delete', { resource, id: 'p02', confirm: true });
  const gone = await call(client, 'get', { resource, id: 'p02' });
  expect(gone.isError).toBe(true);
  expect(JSON.stringify(gone.content)).toMatch(/NOT_FOUND/);

  const stats = await ok<{ resources: { name: string; count: number }[]; estimatedCostUSD: number }>(
    client,
    'getStats',
    { resource },
  );
  expect(stats.resources).toEqual([expect.objectContaining({ name: resource, count: 49 })]);
  expect(stats.estimatedCostUSD).toBeGreaterThan(0);
  expect(await ok(client, 'heal', { resource })).toMatchObject({ dryRun: true, problems: [] });
  expect(await ok(client, 'heal', { dryRun: false, resource, confirm: true })).toMatchObject({ dryRun: false });
}

describe('built binary over stdio', () => {
  it('runs the scenario on a file store', async () => {
    const client = new Client({ name: 'e2e', version: '1' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, `--connection-string=file://${join(scratch, 'stdio-data')}`],
      env: BASE_ENV,
      stderr: 'ignore',
    });
    await client.connect(transport);
    try {
      await scenario(client);
    } finally {
      await client.close();
    }
  });

  it('writes nothing but JSON-RPC to stdout, announces the default store on stderr', async () => {
    const cwd = mkdtempSync(join(scratch, 'default-'));
    const child = spawn(process.execPath, [BIN], { cwd, env: BASE_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const send = (msg: object) => child.stdin.write(`${JSON.stringify(msg)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'listResources', arguments: {} } });
    await until(() => stdout.includes('"id":3'), 20_000, 'the third answer', undefined, 20);
    child.stdin.end();
    await exited(child);
    const lines = stdout.split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(stderr).toMatch(/No connection string set/);
    expect(stderr).not.toContain(PASSPHRASE);
  });

  it('exits with code 2 and a clear message on an unknown flag', () => {
    let status: number | null = null;
    let stderr = '';
    try {
      execFileSync(process.execPath, [BIN, '--read_only-true'], { env: BASE_ENV, stdio: 'pipe' });
    } catch (error) {
      status = (error as { status: number }).status;
      stderr = String((error as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toMatch(/Unknown option "--read_only-true"/);
  });
});

describe('built binary over HTTP', () => {
  let child: ChildProcess;
  let url: string;
  beforeAll(async () => {
    child = spawn(process.execPath, [BIN, '--transport=http', '--port=0', '--connection-string=memory://e2e'], {
      env: { ...BASE_ENV, S3DB_MCP_AUTH_TOKEN: TOKEN },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await until(() => /"url":"(http:[^"]+)\/mcp"/.test(stderr), 20_000, 'the listening URL', undefined, 20);
    url = (/"url":"(http:[^"]+)\/mcp"/.exec(stderr) as RegExpExecArray)[1] as string;
  });
  afterAll(async () => {
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });
  const auth = { headers: { authorization: `Bearer ${TOKEN}` } };

  it('runs the scenario over Streamable HTTP', async () => {
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: auth }));
    try {
      await scenario(client);
    } finally {
      await client.close();
    }
  });

  it('runs the scenario over legacy SSE with the token, and serves nothing without it', async () => {
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(
      new SSEClientTransport(new URL(`${url}/sse`), {
        requestInit: auth,
        eventSourceInit: { fetch: (u, init) => fetch(u, { ...init, headers: { ...init?.headers, ...auth.headers } }) },
      }),
    );
    try {
      await scenario(client, 'people_sse');
    } finally {
      await client.close();
    }
    expect((await fetch(`${url}/sse`)).status).toBe(401);
  });
});

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
