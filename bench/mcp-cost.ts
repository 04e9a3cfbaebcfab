// What MCP costs on top of the engine, for one `get` by id on the memory store: the engine call alone, then the
// built server (a child process, so its CPU is its own) over stdio and over HTTP with one client (median, p99,
// server CPU per call), HTTP calls/s with 1, 20 and 50 concurrent clients, and the size of tools/list.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Database, MemoryStore } from '../engine/index.js';
import { percentile, type Row } from './stats.js';
import { freePort } from '../test/support/free-port.js';

const MAIN = fileURLToPath(new URL('../dist/server/main.js', import.meta.url));
const MODERN = { versionNegotiation: { mode: { pin: '2026-07-28' } } } as const;
const DOC = { resource: 'users', id: 'u1' };

export interface McpCostOptions {
  calls: number;
  seconds: number;
}

/** Calls before measuring: the server's JIT compiles its hot path in the first few hundred. */
const WARM_UP = 500;

const ms = (v: number) => Number(v.toFixed(3));

/** utime + stime of a process in ms (Linux /proc; clock ticks are 100 a second there). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function seed(client: Client): Promise<void> {
  await client.callTool({ name: 'createResource', arguments: { name: 'users', attributes: { name: 'string' } } });
  await client.callTool({ name: 'insert', arguments: { resource: 'users', data: { id: 'u1', name: 'Ada' } } });
}

/** Sorted latencies of `calls` sequential calls after the warm-up, and the server's CPU per timed call. */
async function timeCalls(
  call: () => Promise<unknown>,
  calls: number,
  pid: number,
): Promise<{ times: number[]; cpuPerCall: number }> {
  for (let i = 0; i < WARM_UP; i++) await call();
  const cpu0 = cpuMs(pid);
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await call();
    times.push(performance.now() - t);
  }
  return { times: times.sort((a, b) => a - b), cpuPerCall: (cpuMs(pid) - cpu0) / calls };
}

const getVia = (client: Client) => () => client.callTool({ name: 'get', arguments: DOC });

async function engineMs(calls: number): Promise<number> {
  const db = new Database({ store: new MemoryStore() });
  await db.connect();
  await db.createResource({ name: 'users', attributes: { name: 'string' } });
  const users = db.resource('users');
  await users.insert({ id: 'u1', name: 'Ada' });
  const out: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await users.get('u1');
    out.push(performance.now() - t);
  }
  return percentile(
    out.sort((a, b) => a - b),
    50,
  );
}

/**
 * The same 2026-07-28 tools/call the SDK client sends (headers and _meta envelope), over plain node:http with
 * keep-alive: it measures what the server can serve, where the SDK client's own cost (about as much as the
 * server's) would otherwise cap the figure on a 2-core machine.
 */
function rawCaller(port: number, sockets: number): () => Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: {
      name: 'get',
      arguments: DOC,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' },
        'io.modelcontextprotocol/clientCapabilities': {},
      },
    },
  });
  const headers = {
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'mcp-method': 'tools/call',
    'mcp-name': 'get',
    'mcp-protocol-version': '2026-07-28',
  };
  return () =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', agent, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          if (res.statusCode === 200 && text.includes('"structuredContent"')) resolve();
          else reject(new Error(`raw call failed: ${res.statusCode} ${text.slice(0, 200)}`));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
}

/** Calls/s and server CPU per call for `clients` loops of `call` during `seconds`. */
async function drive(
  clients: number,
  seconds: number,
  pid: number,
  call: (client: number) => Promise<unknown>,
): Promise<{ perSecond: number; cpuPerCall: number }> {
  let calls = 0;
  const cpuStart = cpuMs(pid);
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < end) {
        await call(client);
        calls++;
      }
    }),
  );
  return { perSecond: Math.round(calls / seconds), cpuPerCall: ms((cpuMs(pid) - cpuStart) / calls) };
}

export async function runMcpCostBench(options: McpCostOptions): Promise<{ rows: Row[]; throughput: Row[] }> {
  const engine = await engineMs(options.calls);
  const rows: Row[] = [
    {
      path: 'engine (no MCP)',
      'p50 ms': ms(engine),
      'p99 ms': '',
      'over engine p50 ms': '',
      'server CPU ms/call': '',
    },
  ];

  const stdio = new Client({ name: 'bench', version: '1' }, MODERN);
  const stdioTransport = new StdioClientTransport({
    command: process.execPath,
    args: [MAIN, '--connection-string=memory://bench', '--log-level=warn'],
  });
  await stdio.connect(stdioTransport);
  await seed(stdio);
  const { times: stdioTimes, cpuPerCall: stdioCpu } = await timeCalls(
    getVia(stdio),
    options.calls,
    stdioTransport.pid!,
  );
  const toolsList = JSON.stringify((await stdio.listTools()).tools).length;
  await stdio.close();
  const latencyRow = (path: string, times: number[], cpuPerCall: number): Row => ({
    path,
    'p50 ms': ms(percentile(times, 50)),
    'p99 ms': ms(percentile(times, 99)),
    'over engine p50 ms': ms(percentile(times, 50) - engine),
    'server CPU ms/call': ms(cpuPerCall),
  });
  rows.push(latencyRow('stdio, 1 client', stdioTimes, stdioCpu));

  const port = await freePort();
  const server = spawn(
    process.execPath,
    [MAIN, '--transport=http', `--port=${port}`, '--connection-string=memory://bench', '--log-level=warn'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = new URL(`http://127.0.0.1:${port}/mcp`);
  try {
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const connectHttp = async () => {
      const client = new Client({ name: 'bench', version: '1' }, MODERN);
      await client.connect(new StreamableHTTPClientTransport(url));
      return client;
    };
    const one = await connectHttp();
    await seed(one);
    const { times: httpTimes, cpuPerCall: httpCpu } = await timeCalls(getVia(one), options.calls, server.pid!);
    rows.push(latencyRow('HTTP /mcp (2026-07-28), 1 client', httpTimes, httpCpu));
    await one.close();

    const { times: rawTimes, cpuPerCall: rawCpu } = await timeCalls(rawCaller(port, 1), options.calls, server.pid!);
    rows.push(latencyRow('HTTP /mcp (2026-07-28), 1 plain node:http client', rawTimes, rawCpu));

    const throughput: Row[] = [];
    for (const clients of [1, 20, 50]) {
      const pool = await Promise.all(Array.from({ length: clients }, connectHttp));
      const sdk = await drive(clients, options.seconds, server.pid!, (i) =>
        pool[i]!.callTool({ name: 'get', arguments: DOC }),
      );
      await Promise.all(pool.map((c) => c.close()));
      const plain = await drive(clients, options.seconds, server.pid!, rawCaller(port, clients));
      throughput.push({
        'HTTP clients': clients,
        'calls/s (SDK clients)': sdk.perSecond,
        'server CPU ms/call (SDK)': sdk.cpuPerCall,
        'calls/s (plain HTTP clients)': plain.perSecond,
        'server CPU ms/call (plain)': plain.cpuPerCall,
      });
    }
    throughput.push({ 'HTTP clients': 'tools/list size (chars)', 'calls/s (SDK clients)': toolsList });
    return { rows, throughput };
  } finally {
    server.kill();
  }
}
