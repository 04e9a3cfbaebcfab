// Security: known secrets never reach debug logs, tool results, errors or getStats; --read-only cannot be bypassed by any argument.
import type { DestinationStream } from 'pino';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { MemoryStore, isS3dbError, openStore } from '../../engine/index.js';
import { listAll } from '../../engine/internal.js';
import { createLogger, createServer, openDatabase, redactConfig } from '../../server/index.js';
import { startHttp } from '../../transports/index.js';
import { rejection } from '../support/errors.js';
import { s3TestServer } from '../support/stores.js';
import { connect, testConfig } from './support/connect.js';
import { engineDatabase } from './support/databases.js';

const PASSPHRASE = 'pp-SECRET-passphrase-4242';
const TOKEN = 'tok-SECRET-0123456789abcdef';
const AWS_SECRET = 'awsSECRETwrongKey9/x+y';
const FIELD_SECRET = 'field-SECRET-plaintext-99';
const s3Server = s3TestServer();
const SECRETS = [PASSPHRASE, TOKEN, AWS_SECRET, encodeURIComponent(AWS_SECRET), FIELD_SECRET];

function capture(): { lines: string[]; destination: DestinationStream } {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

function leaks(texts: string[]): string[] {
  return texts.flatMap((t, i) =>
    SECRETS.filter((s) => t.includes(s)).map((s) => `#${i} holds ${s}: ${t.slice(0, 300)}`),
  );
}

describe('secrets stay out of logs, results, errors and getStats', () => {
  it('a workload with failures over HTTP leaks none of them', async () => {
    const { lines, destination } = capture();
    const config = testConfig({
      logLevel: 'trace',
      port: 0,
      passphrase: PASSPHRASE,
      authToken: TOKEN,
      connectionString: 'memory://security',
    });
    const logger = createLogger(config, destination);
    logger.debug({ config: redactConfig(config) }, 'configuration'); // as main.ts logs it
    const seen: string[] = [];
    const db = await openDatabase(config, logger);
    const http = await startHttp(
      config,
      ({ elicitation }) => createServer({ db, config, logger, elicitation }),
      logger,
    );
    const client = new Client({ name: 't', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      }),
    );
    const call = async (name: string, args: Record<string, unknown> = {}) => {
      const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
      seen.push(JSON.stringify(r));
      return r;
    };
    await call('createResource', { name: 'vault', attributes: { label: 'string', key: 'secret' } });
    expect(
      (await call('insert', { resource: 'vault', data: { id: 'k1', label: 'a', key: FIELD_SECRET } })).isError,
    ).toBeFalsy();
    await call('get', { resource: 'vault', id: 'k1' });
    await call('query', { resource: 'vault', filter: { key: FIELD_SECRET } });
    await call('update', { resource: 'vault', id: 'k1', data: { key: FIELD_SECRET, label: 'b' } });
    await call('upsert', { resource: 'vault', data: { id: 'k2', label: 'c', key: FIELD_SECRET } });
    await call('insertMany', {
      resource: 'vault',
      records: [{ id: 'k1', label: 'dup', key: FIELD_SECRET }, { key: 5 }],
    });
    await call('insert', { resource: 'vault', data: { id: '../x', key: FIELD_SECRET, label: { deep: FIELD_SECRET } } });
    await call('insert', { resource: 'nope', data: { key: FIELD_SECRET } });
    await call('get', { resource: 'vault', id: 'missing' });
    await call('get', { resource: 5 });
    await call('describeResource', { resource: 'vault' });
    await call('getStats');
    await call('heal', { dryRun: true });
    // Wrong tokens and a foreign origin are refused and logged without the real token.
    const refused: Record<string, string>[] = [
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: 'Bearer nope' },
      { authorization: `Bearer ${TOKEN}`, origin: 'https://evil.example' },
    ];
    for (const headers of refused) {
      const res = await fetch(`${http.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: '{}',
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      seen.push(await res.text());
    }
    const stats = await db.getStats();
    seen.push(JSON.stringify(stats));
    await client.close();
    await http.close();
    await db.close();

    expect(lines.length).toBeGreaterThan(5);
    expect(lines.some((l) => l.includes('"level":20'))).toBe(true); // debug lines were captured
    expect(leaks(lines)).toEqual([]);
    expect(leaks(seen)).toEqual([]);
  });

  it('getStats and the store description never carry the connection string secret', async () => {
    const store = new MemoryStore('sec');
    const db = await engineDatabase({ store });
    const stats = await db.getStats();
    expect(leaks([JSON.stringify(stats)])).toEqual([]);
    // Opening an S3 store contacts nothing, so this needs no S3 server.
    const s3 = openStore(`http://KEY:${encodeURIComponent(AWS_SECRET)}@127.0.0.1:9/bucket-x`);
    expect(s3.description).toContain('bucket-x');
    expect(leaks([s3.description])).toEqual([]);
    await s3.close();
  });

  it.skipIf(s3Server === null)(
    'a bad AWS secret against the real S3 server: the error and its log lines name no secret',
    async () => {
      const server = s3Server!;
      const { lines, destination } = capture();
      const config = testConfig({
        logLevel: 'trace',
        passphrase: PASSPHRASE,
        authToken: TOKEN,
        connectionString: 'memory://security',
      });
      const logger = createLogger(config, destination);
      const url = new URL(server.endpoint);
      const bad = `http://${server.accessKeyId ?? 'AKIAEXAMPLE'}:${encodeURIComponent(AWS_SECRET)}@${url.host}/no-such-bucket-sec`;
      const err = await rejection(openDatabase({ ...config, connectionString: bad, maxAttempts: 1 }, logger));
      expect(isS3dbError(err)).toBe(true);
      expect(err.code).toMatch(/INVALID_CREDENTIALS|ACCESS_DENIED/);
      logger.error({ err: err.toJSON() }, 'failed to start'); // as main.ts logs it
      logger.debug({ config: redactConfig({ ...config, connectionString: bad }) }, 'configuration');
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines.join('\n')).toContain('no-such-bucket-sec'); // the lines do carry the connection, only redacted
      expect(leaks(lines)).toEqual([]);
      expect(leaks([err.message, err.hint ?? '', JSON.stringify(err.toJSON()), String(err)])).toEqual([]);
    },
  );
});

/** Every key with its ETag: what "the store is unchanged" compares. */
async function snapshot(store: MemoryStore): Promise<string[]> {
  const out: string[] = [];
  for await (const o of listAll(store, '')) out.push(`${o.key} ${o.etag}`);
  return out;
}

describe('--read-only', () => {
  it('no tool, argument or resource template changes the store', async () => {
    const store = new MemoryStore();
    const db = await engineDatabase({ store });
    await db.createResource({
      name: 'docs',
      attributes: { title: 'string', team: 'string|optional' },
      partitions: { byTeam: { fields: { team: 'string' } } },
    });
    await db.resource('docs').insert({ id: 'd1', title: 'keep', team: 'red' });
    // Damage that a repairing heal would fix: an orphan partition reference.
    await store.put('resource=docs/partition=byTeam/team=blue/id=ghost', '', { '-v': 'v0' });
    const before = await snapshot(store);

    const mcp = await connect(db, { readOnly: true });
    const { tools } = await mcp.client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).not.toContain('insert');
    const writes: [string, Record<string, unknown>][] = [
      ['insert', { resource: 'docs', data: { id: 'n', title: 'x' } }],
      ['insertMany', { resource: 'docs', records: [{ title: 'x' }] }],
      ['update', { resource: 'docs', id: 'd1', data: { title: 'changed' } }],
      ['upsert', { resource: 'docs', data: { id: 'd1', title: 'changed' } }],
      ['delete', { resource: 'docs', id: 'd1', confirm: true }],
      ['deleteMany', { resource: 'docs', ids: ['d1'], confirm: true }],
      ['createResource', { name: 'evil', attributes: { a: 'string' } }],
      ['heal', { dryRun: false }],
      ['heal', { dryRun: false, resource: 'docs' }],
    ];
    for (const [name, args] of writes) {
      // Not registered: the spec's answer to an unknown tool is a protocol error (-32602), never a call.
      await expect(mcp.call(name, args), `${name} ${JSON.stringify(args)}`).rejects.toThrow(/-32602/);
    }
    // Read tools with write-looking extra arguments.
    for (const name of names) {
      await mcp.call(name, { resource: 'docs', id: 'd1', dryRun: false, data: { title: 'x' }, confirm: true });
      await mcp.call(name, { resource: 'docs', dryRun: false });
    }
    const { resourceTemplates } = await mcp.client.listResourceTemplates();
    expect(resourceTemplates.length).toBeGreaterThan(0);
    for (const uri of [
      's3db://docs/schema',
      's3db://docs/d1',
      's3db://docs/ghost',
      's3db://evil/schema',
      's3db://../x',
    ]) {
      await mcp.client.readResource({ uri }).catch(() => undefined);
    }
    await mcp.close();
    expect(await snapshot(store)).toEqual(before);
  });
});
