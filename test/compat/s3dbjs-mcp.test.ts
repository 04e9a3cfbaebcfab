// The MCP tools over a bucket s3db.js 21.6.2 wrote: get, query and count return what the engine reads (the
// same documents as s3db.js's own reads, with the documented exceptions); writes are refused with a hint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, MemoryStore } from '../../engine/index.js';
import { expectedRecords, fixture, loadFixture } from '../support/s3dbjs-fixture.js';
import { connect, structured, textOf, type Connected } from '../mcp/support/connect.js';

const records = expectedRecords();

describe('MCP tools over an s3db.js bucket', () => {
  let db: Database;
  let mcp: Connected;
  beforeAll(async () => {
    const store = new MemoryStore('s3dbjs-mcp', { enforceMetadataLimit: false });
    await loadFixture(store, 'radosgw');
    db = new Database({ store, passphrase: fixture.passphrase });
    await db.connect();
    mcp = await connect(db, { revealSecrets: true, passphrase: fixture.passphrase });
  });
  afterAll(async () => {
    await mcp.close();
  });

  it('get returns every record as the engine reads it', async () => {
    for (const [resource, id] of records) {
      const result = await mcp.call('get', { resource, id });
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(structured<{ record: unknown }>(result).record).toEqual(await db.resource(resource).get(id));
    }
  });

  it('query and count see every record of every resource', async () => {
    for (const resource of db.listResources().map((r) => r.name)) {
      const ids = records.filter(([r]) => r === resource).map(([, id]) => id);
      const count = await mcp.call('count', { resource });
      expect(structured<{ count: number }>(count).count).toBe(ids.length);
      const query = await mcp.call('query', { resource, limit: 100 });
      expect(query.isError, textOf(query)).toBeFalsy();
      const found = structured<{ records: { id: string }[] }>(query).records.map((r) => r.id);
      expect(found.sort()).toEqual([...ids].sort());
    }
    const filtered = await mcp.call('query', { resource: 'articles', filter: { category: 'science' } });
    const science = structured<{ records: { category: string }[] }>(filtered).records;
    expect(science.length).toBeGreaterThan(0);
    expect(science.every((r) => r.category === 'science')).toBe(true);
  });

  it('a write is an isError result naming the migration, never a stack', async () => {
    const result = await mcp.call('insert', { resource: 'articles', data: { title: 'x' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('s3db migrate --from-s3dbjs');
    expect(textOf(result)).not.toMatch(/\n\s+at /);
  });
});
