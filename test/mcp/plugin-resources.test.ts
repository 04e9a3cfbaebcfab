// Plugin-owned resources (the audit log) cannot be written through the ordinary tools unless the server allows it.
import { describe, expect, it } from 'vitest';
import { AuditPlugin, Database, MemoryStore } from '../../engine/index.js';
import { configSchema } from '../../server/index.js';
import { connect, structured, textOf } from './support/connect.js';
import { TEST_PASSPHRASE } from './support/databases.js';

const AUDIT = 'plg_audits';

/** Every write tool, with arguments aimed at one existing audit record `id`. */
function writes(resource: string, id: string): [string, Record<string, unknown>][] {
  const forged = {
    id: 'forged',
    resourceName: 'users',
    operation: 'insert',
    recordId: 'x',
    at: '2024-01-01',
    day: '2024-01-01',
  };
  return [
    ['insert', { resource, data: forged }],
    ['insertMany', { resource, records: [forged] }],
    ['upsert', { resource, data: { ...forged, id } }],
    ['update', { resource, id, data: { actor: 'someone else' } }],
    ['delete', { resource, id, confirm: true }],
    ['deleteMany', { resource, ids: [id], confirm: true }],
    ['createResource', { name: resource, attributes: { anything: 'string' } }],
  ];
}

async function auditedDatabase(): Promise<{ db: Database; store: MemoryStore }> {
  const store = new MemoryStore();
  const db = new Database({ store, passphrase: TEST_PASSPHRASE, plugins: [new AuditPlugin()] });
  await db.connect();
  await db.createResource({ name: 'users', attributes: { name: 'string' } });
  await db.resource('users').insert({ id: 'u1', name: 'Ada' });
  return { db, store };
}

describe('plugin-owned resources through the tools', () => {
  it('every write tool is refused with VALIDATION and writes nothing, by default', async () => {
    const { db, store } = await auditedDatabase();
    const mcp = await connect(db);
    const [record] = (await db.resource(AUDIT).list()).records;
    const before = await db.resource(AUDIT).list();
    for (const [tool, args] of writes(AUDIT, record!.id)) {
      store.resetRequestCounts();
      const result = await mcp.call(tool, args);
      expect(result.isError, tool).toBe(true);
      expect(textOf(result), tool).toMatch(/^Error \[VALIDATION\]: Resource "plg_audits" belongs to AuditPlugin/);
      expect(textOf(result)).toContain('--writable-plugin-resources');
      const counts = store.requestCounts().byOperation;
      expect(counts.PutObject + counts.DeleteObject + counts.DeleteObjects, tool).toBe(0);
    }
    expect(await db.resource(AUDIT).list()).toEqual(before);
    // Reads still work, and user resources stay writable.
    expect((await mcp.call('query', { resource: AUDIT })).isError).toBeFalsy();
    expect((await mcp.call('update', { resource: 'users', id: 'u1', data: { name: 'Bob' } })).isError).toBeFalsy();
    await mcp.close();
  });

  it('--writable-plugin-resources lets them through', async () => {
    expect(configSchema.parse({}).writablePluginResources).toBe(false);
    const { db } = await auditedDatabase();
    const mcp = await connect(db, { writablePluginResources: true });
    const [record] = (await db.resource(AUDIT).list()).records;
    for (const [tool, args] of writes(AUDIT, record!.id).slice(0, 4)) {
      const result = await mcp.call(tool, args);
      expect(result.isError, `${tool}: ${textOf(result)}`).toBeFalsy();
    }
    expect(
      structured<{ deleted: string }>(await mcp.call('delete', { resource: AUDIT, id: 'forged', confirm: true }))
        .deleted,
    ).toBe('forged');
    await mcp.close();
  });
});
