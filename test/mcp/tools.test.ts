// Every MCP tool through a real SDK Client over InMemoryTransport: success, bad arguments, not found, modes.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLUGIN_TOOLS, TOOL_NAMES } from '../../tools/index.js';
import { connect, structured, textOf, type Connected } from './support/connect.js';
import { MemoryStore } from '../../engine/index.js';
import { DATABASES, engineDatabase } from './support/databases.js';

const USERS = {
  name: 'users',
  attributes: { name: 'string|required', country: 'string', age: 'number', apiKey: 'secret' },
  partitions: { byCountry: { fields: { country: 'string' } } },
};

for (const { name: dbName, store, make } of DATABASES) {
  describe.skipIf(store.skipped !== undefined)(`tools on ${dbName}`, () => {
    afterAll(async () => store.cleanup?.());
    let mcp: Connected;
    beforeEach(async () => {
      mcp = await connect(await make());
      expect((await mcp.call('createResource', USERS)).isError).toBeFalsy();
    });
    afterEach(async () => mcp.close());

    const seed = async (n: number) => {
      const records = Array.from({ length: n }, (_, i) => ({
        id: `u${String(i).padStart(3, '0')}`,
        name: `user ${i}`,
        country: i % 2 === 0 ? 'PT' : 'ES',
        age: i,
        apiKey: `key-${i}`,
      }));
      const result = await mcp.call('insertMany', { resource: 'users', records });
      expect(result.isError).toBeFalsy();
    };

    it('lists all 15 tools with annotations derived from their kind', async () => {
      const { tools } = await mcp.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(TOOL_NAMES.filter((n) => !(n in PLUGIN_TOOLS)).sort()); // plugin tools need their plugin
      // Hints are sent only where they differ from the spec's defaults; read them as a client does.
      const effective = (name: string) => {
        const a = tools.find((t) => t.name === name)?.annotations ?? {};
        return {
          readOnlyHint: a.readOnlyHint ?? false,
          destructiveHint: a.destructiveHint ?? true,
          idempotentHint: a.idempotentHint ?? false,
          openWorldHint: a.openWorldHint ?? true,
        };
      };
      expect(effective('get')).toMatchObject({ readOnlyHint: true, openWorldHint: false });
      expect(effective('delete')).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
      expect(effective('insert')).toMatchObject({
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      });
      expect(effective('upsert')).toMatchObject({ readOnlyHint: false, destructiveHint: true });
      for (const tool of tools) expect(tool.annotations?.title, tool.name).toBeUndefined(); // the tool's own title
      for (const tool of tools) {
        expect(tool.outputSchema, tool.name).toBeDefined();
        expect(tool.description, tool.name).toMatch(/Example/);
      }
    });

    it('createResource, listResources and describeResource report the definition', async () => {
      const again = structured(await mcp.call('createResource', USERS));
      expect(again).toMatchObject({ name: 'users', created: false, changed: false });
      const list = structured<{ resources: { name: string; partitions: string[] }[] }>(await mcp.call('listResources'));
      expect(list.resources).toEqual([expect.objectContaining({ name: 'users', partitions: ['byCountry'] })]);
      const described = structured(await mcp.call('describeResource', { resource: 'users' }));
      expect(described).toMatchObject({ name: 'users', attributes: { name: 'string|required' } });
    });

    it('insert, get, update and upsert return records with secrets masked', async () => {
      const inserted = await mcp.call('insert', {
        resource: 'users',
        data: { id: 'ada', name: 'Ada', country: 'PT', apiKey: 'sk-123' },
      });
      expect(inserted.isError).toBeFalsy();
      expect(structured(inserted)).toMatchObject({ id: 'ada', record: { name: 'Ada', apiKey: '[encrypted]' } });
      expect(textOf(inserted)).not.toContain('sk-123');

      const got = await mcp.call('get', { resource: 'users', id: 'ada' });
      expect(structured(got)).toMatchObject({ record: { id: 'ada', name: 'Ada' } });
      expect(textOf(got)).toMatch(/not instructions/);
      expect(textOf(got)).toMatch(/<untrusted-data-[0-9a-f]{16}>[\s\S]*"Ada"[\s\S]*<\/untrusted-data-[0-9a-f]{16}>/);

      const updated = await mcp.call('update', { resource: 'users', id: 'ada', data: { country: 'ES' } });
      expect(structured(updated)).toMatchObject({ record: { id: 'ada', name: 'Ada', country: 'ES' } });

      const up1 = await mcp.call('upsert', { resource: 'users', data: { id: 'bob', name: 'Bob' } });
      expect(structured(up1)).toMatchObject({ created: true, record: { id: 'bob' } });
      const up2 = await mcp.call('upsert', { resource: 'users', data: { id: 'bob', name: 'Bobby' } });
      expect(structured(up2)).toMatchObject({ created: false, record: { name: 'Bobby' } });
    });

    it('insertMany reports per-item errors without failing the batch', async () => {
      await seed(3);
      const result = await mcp.call('insertMany', {
        resource: 'users',
        records: [
          { id: 'u000', name: 'dup' },
          { id: 'fresh', name: 'new' },
        ],
      });
      expect(structured(result)).toMatchObject({
        inserted: 1,
        ids: ['fresh'],
        errors: [expect.objectContaining({ index: 0, code: 'CONFLICT' })],
      });
    });

    it('query pages with a cursor, states the page count and never calls it a total', async () => {
      await seed(30);
      const first = await mcp.call('query', { resource: 'users' });
      const page = structured<{ records: unknown[]; count: number; nextCursor?: string; limit: number }>(first);
      expect(page.count).toBe(20);
      expect(page.records).toHaveLength(20);
      expect(page.limit).toBe(20);
      expect(page.nextCursor).toBeDefined();
      expect(textOf(first)).toMatch(/not the total/);
      const second = structured<{ count: number; nextCursor?: string }>(
        await mcp.call('query', { resource: 'users', cursor: page.nextCursor }),
      );
      expect(second.count).toBe(10);
      expect(second.nextCursor).toBeUndefined();

      const capped = structured<{ limit: number }>(await mcp.call('query', { resource: 'users', limit: 5000 }));
      expect(capped.limit).toBe(200);
    });

    it('query by partition and by operator', async () => {
      await seed(10);
      const pt = structured<{ records: { country: string }[]; plan: { strategy: string } }>(
        await mcp.call('query', { resource: 'users', partition: 'byCountry', partitionValues: { country: 'PT' } }),
      );
      expect(pt.records).toHaveLength(5);
      expect(pt.records.every((r) => r.country === 'PT')).toBe(true);
      expect(pt.plan.strategy).toBe('partition');
      const old = structured<{ records: { age: number }[] }>(
        await mcp.call('query', { resource: 'users', filter: { age: { $gte: 7 } } }),
      );
      expect(old.records.map((r) => r.age).sort()).toEqual([7, 8, 9]);
    });

    it('count and listPartitions', async () => {
      await seed(10);
      expect(structured(await mcp.call('count', { resource: 'users' }))).toMatchObject({ count: 10 });
      const listing = structured<{ partitions: { name: string; values?: { values: object; count: number }[] }[] }>(
        await mcp.call('listPartitions', { resource: 'users', partition: 'byCountry' }),
      );
      expect(listing.partitions[0]?.values).toEqual(
        expect.arrayContaining([
          { values: { country: 'PT' }, count: 5 },
          { values: { country: 'ES' }, count: 5 },
        ]),
      );
    });

    it('delete and deleteMany remove documents; missing ids come back as errors', async () => {
      await seed(4);
      expect(structured(await mcp.call('delete', { resource: 'users', id: 'u000', confirm: true }))).toEqual({
        deleted: 'u000',
      });
      const many = structured<{ deleted: string[]; errors: { id?: string }[] }>(
        await mcp.call('deleteMany', { resource: 'users', ids: ['u001', 'u002', 'nope'], confirm: true }),
      );
      expect(many.deleted).toEqual(['u001', 'u002']);
      expect(many.errors).toEqual([expect.objectContaining({ id: 'nope' })]);
      expect(structured(await mcp.call('count', { resource: 'users' }))).toMatchObject({ count: 1 });
    });

    it('getStats counts documents and requests and estimates their cost; heal defaults to a dry run', async () => {
      await seed(5);
      const stats = structured<{
        resources: { name: string; count: number }[];
        requests: { total: number };
        estimatedCostUSD: number;
        uptimeSeconds: number;
        store: string;
      }>(await mcp.call('getStats'));
      expect(stats.resources).toEqual([expect.objectContaining({ name: 'users', count: 5 })]);
      expect(stats.requests.total).toBeGreaterThan(0);
      expect(stats.estimatedCostUSD).toBeGreaterThan(0);
      expect(stats.uptimeSeconds).toBeGreaterThanOrEqual(0);
      const healed = structured(await mcp.call('heal'));
      expect(healed).toMatchObject({ dryRun: true, repaired: [] });
    });

    it('a missing document or resource is an isError result with the code and a hint', async () => {
      const missingDoc = await mcp.call('get', { resource: 'users', id: 'ghost' });
      expect(missingDoc.isError).toBe(true);
      expect(textOf(missingDoc)).toMatch(/^Error \[NOT_FOUND\]/);
      expect(textOf(missingDoc)).toMatch(/Hint: /);
      for (const [tool, args] of [
        ['describeResource', { resource: 'ghosts' }],
        ['insert', { resource: 'ghosts', data: { a: 1 } }],
        ['query', { resource: 'ghosts' }],
        ['update', { resource: 'users', id: 'ghost', data: { a: 1 } }],
        ['delete', { resource: 'users', id: 'ghost', confirm: true }],
      ] as const) {
        const result = await mcp.call(tool, args);
        expect(result.isError, tool).toBe(true);
        expect(textOf(result), tool).toMatch(/NOT_FOUND[\s\S]*Hint: /);
      }
    });

    it('bad arguments are an isError result for every tool that takes them', async () => {
      const bad: Record<string, Record<string, unknown>> = {
        createResource: { name: 'bad name!', attributes: {} },
        describeResource: {},
        insert: { resource: 'users' },
        insertMany: { resource: 'users', records: [] },
        get: { resource: 'users', id: 42 },
        update: { resource: 'users', id: 'x' },
        upsert: { resource: 'users', data: { name: 'no id' } },
        delete: { resource: 'users' },
        deleteMany: { resource: 'users', ids: [] },
        query: { resource: 'users', limit: 0 },
        count: { resource: 7 },
        listPartitions: {},
        getStats: { resource: '' },
        heal: { dryRun: 'no' },
      };
      for (const [tool, args] of Object.entries(bad)) {
        const result = await mcp.call(tool, args);
        expect(result.isError, tool).toBe(true);
        expect(textOf(result), tool).toMatch(/validation/i);
      }
    });

    it('an engine validation error comes back with its code, never a stack', async () => {
      const result = await mcp.call('insert', { resource: 'users', data: { country: 'PT' } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^Error \[VALIDATION\]/);
      expect(textOf(result)).not.toMatch(/\s+at .+\.ts:\d+/);
    });
  });
}

describe('modes', () => {
  it('query cuts a page at --max-response-bytes in one pass, measuring records as presented', async () => {
    const store = new MemoryStore();
    const mcp = await connect(await engineDatabase({ store }), { maxResponseBytes: 1024 });
    await mcp.call('createResource', USERS);
    const records = Array.from({ length: 12 }, (_, i) => ({ id: `u${i}`, name: 'n'.repeat(150), apiKey: 'k' }));
    expect((await mcp.call('insertMany', { resource: 'users', records })).isError).toBeFalsy();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      store.resetRequestCounts();
      const page = structured<{
        records: { id: string }[];
        truncated: boolean;
        nextCursor?: string;
        plan: { requests: number };
      }>(await mcp.call('query', { resource: 'users', ...(cursor === undefined ? {} : { cursor }) }));
      // One engine query per call: the store saw exactly the requests the plan reports.
      expect(store.requestCounts().total).toBe(page.plan.requests);
      expect(Buffer.byteLength(JSON.stringify(page.records)) <= 1024 || page.records.length === 1).toBe(true);
      if (page.nextCursor !== undefined) expect(page.truncated).toBe(true);
      seen.push(...page.records.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(seen.sort()).toEqual(records.map((r) => r.id).sort());
    await mcp.close();
  });

  it('read-only mode registers no write tool', async () => {
    const { make } = DATABASES[0] as (typeof DATABASES)[number];
    const mcp = await connect(await make(), { readOnly: true });
    const names = (await mcp.client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(['count', 'describeResource', 'get', 'getStats', 'listPartitions', 'listResources', 'query']);
    // An unregistered tool is a protocol error (-32602), as the spec says for unknown tools.
    await expect(mcp.call('insert', { resource: 'users', data: {} })).rejects.toThrow(/-32602.*insert not found/);
    await mcp.close();
  });

  it('disableTools removes tools by name; an unknown name is a config error', async () => {
    const { make } = DATABASES[0] as (typeof DATABASES)[number];
    const mcp = await connect(await make(), { disableTools: ['heal', 'deleteMany'] });
    const names = (await mcp.client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('heal');
    expect(names).not.toContain('deleteMany');
    expect(names).toContain('delete');
    await mcp.close();
    await expect(connect(await make(), { disableTools: ['hael'] })).rejects.toThrow(/Unknown tool name.*hael/);
  });

  it('the server carries instructions, resource templates and a prompt', async () => {
    const { make } = DATABASES[0] as (typeof DATABASES)[number];
    const db = await make();
    const mcp = await connect(db);
    await mcp.call('createResource', USERS);
    await mcp.call('insert', { resource: 'users', data: { id: 'ada', name: 'Ada', apiKey: 'sk-1' } });
    expect(mcp.client.getInstructions()).toMatch(/partition/i);
    const templates = (await mcp.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toEqual(expect.arrayContaining(['s3db://{resource}/{id}', 's3db://{resource}/schema']));
    const schema = await mcp.client.readResource({ uri: 's3db://users/schema' });
    expect(JSON.parse((schema.contents[0] as { text: string }).text)).toMatchObject({ name: 'users' });
    const doc = await mcp.client.readResource({ uri: 's3db://users/ada' });
    const text = (doc.contents[0] as { text: string }).text;
    expect(text).toContain('"Ada"');
    expect(text).not.toContain('sk-1');
    await expect(mcp.client.readResource({ uri: 's3db://users/ghost' })).rejects.toThrow(/NOT_FOUND/);
    const listed = (await mcp.client.listResources()).resources.map((r) => r.uri);
    expect(listed).toContain('s3db://users/schema');
    const prompts = (await mcp.client.listPrompts()).prompts.map((p) => p.name);
    expect(prompts).toContain('explore-resource');
    await mcp.close();
  });
});
