// Plugins behind the MCP tools: tool writes are audited in plg_audits, which the ordinary query tool reads; repeated tool reads are served by the cache.
import { afterEach, describe, expect, it } from 'vitest';
import { AuditPlugin, CachePlugin, Database, MemoryStore } from '../../engine/index.js';
import { connect, structured, type Connected } from './support/connect.js';
import { TEST_PASSPHRASE } from './support/databases.js';

describe('plugins through the MCP tools (memory store)', () => {
  let mcp: Connected | undefined;
  afterEach(async () => mcp?.close());

  it('audits tool writes and answers repeated tool reads from the cache', async () => {
    const cache = new CachePlugin();
    const audit = new AuditPlugin();
    const db = new Database({ store: new MemoryStore(), passphrase: TEST_PASSPHRASE, plugins: [cache, audit] });
    await db.connect();
    mcp = await connect(db);
    const users = { name: 'users', attributes: { name: 'string', apiKey: 'secret|optional' } };
    expect((await mcp.call('createResource', users)).isError).toBeFalsy();
    expect(
      (await mcp.call('insert', { resource: 'users', data: { id: 'a', name: 'Ann', apiKey: 'sk-1' } })).isError,
    ).toBeFalsy();
    expect((await mcp.call('update', { resource: 'users', id: 'a', data: { name: 'Anna' } })).isError).toBeFalsy();

    const listed = structured<{ resources: { name: string; createdBy: string }[] }>(await mcp.call('listResources'));
    expect(listed.resources).toContainEqual(expect.objectContaining({ name: 'plg_audits', createdBy: 'AuditPlugin' }));
    const trail = structured<{ records: { operation: string; after: { name: string; apiKey: string } }[] }>(
      await mcp.call('query', {
        resource: 'plg_audits',
        partition: 'byResource',
        partitionValues: { resourceName: 'users' },
        sort: { id: 1 },
      }),
    );
    expect(trail.records.map((r) => [r.operation, r.after.name, r.after.apiKey])).toEqual([
      ['insert', 'Ann', '[secret]'],
      ['update', 'Anna', '[secret]'],
    ]);

    await mcp.call('get', { resource: 'users', id: 'a' });
    const before = cache.stats().hits;
    const again = structured<{ record: { name: string } }>(await mcp.call('get', { resource: 'users', id: 'a' }));
    expect(again.record.name).toBe('Anna');
    expect(cache.stats().hits).toBe(before + 1);
  });
});
