// What an agent trips on, each pinned: upsert says replace and offers merge, filter values of the wrong type,
// unknown argument keys, sort direction case, "required", hints naming only real tools, resource mimeTypes, and
// an unknown tool answered as the spec says.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOOLS, TOOL_NAMES } from '../../tools/index.js';
import { connect, structured, textOf, type Connected } from './support/connect.js';
import { engineDatabase } from './support/databases.js';

const ORDERS = { name: 'orders', attributes: { total: 'number', status: 'string', note: 'string', paid: 'boolean' } };

describe('what an agent trips on', () => {
  let mcp: Connected;
  beforeEach(async () => {
    mcp = await connect(await engineDatabase());
    expect((await mcp.call('createResource', ORDERS)).isError).toBeFalsy();
    const records = [
      { id: 'o1', total: 914.94, status: 'open', note: 'first', paid: false },
      { id: 'o2', total: 20, status: 'closed', note: 'second', paid: true },
      { id: 'o3', total: 600, status: 'open', paid: true },
    ];
    expect((await mcp.call('insertMany', { resource: 'orders', records })).isError).toBeFalsy();
  });
  afterEach(async () => mcp.close());

  it('upsert replaces the whole document by default and says so; mode "merge" keeps the other fields', async () => {
    const { tools } = await mcp.client.listTools();
    const upsert = tools.find((t) => t.name === 'upsert')!;
    expect(upsert.description).toMatch(/REPLACE it whole/);
    expect(upsert.description).not.toMatch(/\bupdate the existing/i);

    const replaced = await mcp.call('upsert', { resource: 'orders', data: { id: 'o1', status: 'paid' } });
    expect(structured(replaced)).toMatchObject({ created: false, action: 'replaced', record: { id: 'o1' } });
    expect(textOf(replaced)).toMatch(/^Replaced whole document "o1"/);
    const afterReplace = structured<{ record: Record<string, unknown> }>(
      await mcp.call('get', { resource: 'orders', id: 'o1' }),
    );
    expect(afterReplace.record).not.toHaveProperty('total'); // gone: it was not in data

    const merged = await mcp.call('upsert', { resource: 'orders', data: { id: 'o2', status: 'paid' }, mode: 'merge' });
    expect(structured(merged)).toMatchObject({
      created: false,
      action: 'merged',
      record: { total: 20, status: 'paid' },
    });
    expect(textOf(merged)).toMatch(/^Merged fields into "o2"/);

    const inserted = await mcp.call('upsert', { resource: 'orders', data: { id: 'o9', total: 1 }, mode: 'merge' });
    expect(structured(inserted)).toMatchObject({ created: true, action: 'inserted' });
    expect((await mcp.call('upsert', { resource: 'orders', data: { id: 'o9' }, mode: 'patch' })).isError).toBe(true);
  });

  it('a filter value of the wrong type is a VALIDATION error naming the field and type, never an empty page', async () => {
    for (const filter of [{ total: { $gt: '500' } }, { total: '914.94' }, { paid: 'true' }]) {
      for (const tool of ['query', 'count']) {
        const result = await mcp.call(tool, { resource: 'orders', filter });
        expect(result.isError, `${tool} ${JSON.stringify(filter)}`).toBe(true);
        const field = Object.keys(filter)[0]!;
        expect(textOf(result)).toMatch(
          new RegExp(`^Error \\[VALIDATION\\]: Filter on "${field}" \\((number|boolean)\\) needs`),
        );
        expect(textOf(result)).toMatch(/\nHint: /);
      }
    }
    const right = structured<{ count: number }>(
      await mcp.call('query', { resource: 'orders', filter: { total: { $gt: 500 } } }),
    );
    expect(right.count).toBe(2);
  });

  it('unknown argument keys are refused, naming the key', async () => {
    const result = await mcp.call('query', { resource: 'orders', limt: 5 });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^Error \[VALIDATION\]/);
    expect(textOf(result)).toContain('limt');
    for (const tool of TOOLS) {
      const listed = (await mcp.client.listTools()).tools.find((t) => t.name === tool.name);
      if (listed) expect(listed.inputSchema.additionalProperties, tool.name).toBe(false);
    }
  });

  it('sort accepts asc and desc in any case', async () => {
    for (const dir of ['DESC', 'Desc', 'desc', -1]) {
      const page = structured<{ records: { id: string }[] }>(
        await mcp.call('query', { resource: 'orders', sort: { total: dir } }),
      );
      expect(
        page.records.map((r) => r.id),
        String(dir),
      ).toEqual(['o1', 'o3', 'o2']);
    }
    const asc = structured<{ records: { id: string }[] }>(
      await mcp.call('query', { resource: 'orders', sort: { total: 'ASC' } }),
    );
    expect(asc.records.map((r) => r.id)).toEqual(['o2', 'o3', 'o1']);
    expect((await mcp.call('query', { resource: 'orders', sort: { total: 'down' } })).isError).toBe(true);
  });

  it('a missing required argument says "required"', async () => {
    for (const [tool, args, name] of [
      ['get', { resource: 'orders' }, 'id'],
      ['get', { id: 'o1' }, 'resource'],
      ['insert', { resource: 'orders' }, 'data'],
      ['insertMany', { resource: 'orders' }, 'records'],
      ['deleteMany', { resource: 'orders' }, 'ids'],
      ['createResource', { name: 'x' }, 'attributes'],
    ] as const) {
      const result = await mcp.call(tool, args);
      expect(result.isError, tool).toBe(true);
      expect(textOf(result), tool).toContain(`${name} is required`);
    }
  });

  it('hints name only tools that exist (or their fields)', () => {
    const files = execSync('git ls-files engine tools server transports', { encoding: 'utf8' })
      .split('\n')
      .filter((f) => f.endsWith('.ts'));
    const fieldNames = new Set(
      TOOLS.flatMap((t) => [...Object.keys(t.inputSchema.shape), ...Object.keys(t.outputSchema.shape)]),
    );
    // Reachable only from the library API (the tools cannot pass hooks, store options or list options).
    const libraryOnly = new Set([
      'openStore',
      'registerHook',
      'maxKeys',
      'fieldTypes',
      'allowSecretRetype',
      'readOnly',
      'buildSnapshot',
    ]);
    const wrong: string[] = [];
    const seen = new Set<string>();
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      for (const hint of source.matchAll(
        /hint:\s*((?:`[^`]*`|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\s*\+\s*|[^,}\n])+)/g,
      )) {
        for (const [word] of hint[1]!.matchAll(/\b[a-z]+[A-Z][A-Za-z]*\b/g)) {
          seen.add(word);
          if (!TOOL_NAMES.includes(word) && !fieldNames.has(word) && !libraryOnly.has(word))
            wrong.push(`${file}: ${word}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    // The check reads hints: it finds the tool names hints do use.
    expect(seen).toContain('insertMany');
  });

  it('resources/read of a document returns the mimeType its template advertises', async () => {
    const { resourceTemplates } = await mcp.client.listResourceTemplates();
    for (const [uri, template] of [
      ['s3db://orders/o1', 's3db://{resource}/{id}'],
      ['s3db://orders/schema', 's3db://{resource}/schema'],
    ] as const) {
      const advertised = resourceTemplates.find((t) => t.uriTemplate === template)?.mimeType;
      const read = await mcp.client.readResource({ uri });
      expect(advertised, template).toBeDefined();
      expect(read.contents[0]?.mimeType, uri).toBe(advertised);
    }
  });

  it('an unknown tool is a JSON-RPC error -32602 naming it, as the spec says', async () => {
    await expect(mcp.call('listIds', { resource: 'orders' })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringMatching(/listIds not found/),
    });
  });
});
