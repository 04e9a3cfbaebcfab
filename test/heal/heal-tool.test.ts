// The heal MCP tool returns the engine's report faithfully (problems, repaired, backups), dry run by default.
import { afterAll, describe, expect, it } from 'vitest';
import { CATALOG_KEY } from '../../engine/index.js';
import { connect, structured, textOf } from '../mcp/support/connect.js';
import { DATABASES, engineDatabase } from '../mcp/support/databases.js';

interface Report {
  dryRun: boolean;
  problems: { kind: string; resource?: string; key?: string; id?: string; message: string; repaired: boolean }[];
  repaired: Report['problems'];
  backups: string[];
}

for (const { name, store } of DATABASES) {
  describe.skipIf(store.skipped !== undefined)(`heal tool on ${name}`, () => {
    afterAll(() => store.cleanup?.());

    it('reports, then repairs, exactly what the engine found, and says what it fixes', async () => {
      const objects = await store.create();
      const setup = await engineDatabase({ store: objects });
      const { resource } = await setup.createResource({
        name: 'users',
        attributes: { name: 'string', region: 'string' },
        partitions: { byRegion: { fields: { region: 'string' } } },
      });
      await resource.insert({ id: 'a', name: 'Ann', region: 'EU' });
      await objects.put('resource=users/partition=byRegion/region=EU/id=ghost', '', { '-v': 'v0' });
      const text = (await objects.get(CATALOG_KEY))!.body.toString();
      await objects.put(CATALOG_KEY, `${text.trimEnd().slice(0, -1)},}`); // trailing comma: repaired at connect

      const db = await engineDatabase({ store: objects });
      const mcp = await connect(db);
      const { tools } = await mcp.client.listTools();
      const description = tools.find((t) => t.name === 'heal')!.description!;
      for (const word of ['s3db.json', 'rebuilt', 'quarantine', 'dry run', 'backed up', 'stale']) {
        expect(description).toContain(word);
      }

      const expected = await db.heal({ dryRun: true });
      objects.resetRequestCounts();
      const dryResult = await mcp.call('heal');
      expect(dryResult.isError).toBeFalsy();
      const dry = structured<Report>(dryResult);
      const writes = objects.requestCounts().byOperation;
      expect(writes.PutObject + writes.DeleteObject + writes.DeleteObjects).toBe(0);
      expect(dry).toEqual({ ...expected });
      expect(dry.problems.map((p) => `${p.kind} ${p.repaired}`)).toEqual([
        'catalog-invalid-json true',
        'orphan-reference false',
      ]);
      expect(dry.backups).toHaveLength(1);
      expect(textOf(dryResult)).toMatch(/Dry run: 2 problem/);

      const real = structured<Report>(await mcp.call('heal', { dryRun: false, resource: 'users', confirm: true }));
      expect(real.dryRun).toBe(false);
      expect(real.repaired).toEqual(real.problems);
      expect(real.problems.find((p) => p.kind === 'orphan-reference')).toMatchObject({
        resource: 'users',
        id: 'ghost',
        key: 'resource=users/partition=byRegion/region=EU/id=ghost',
        repaired: true,
      });
      expect(structured<Report>(await mcp.call('heal', {})).problems.filter((p) => !p.repaired)).toEqual([]);
      await mcp.close();
    });
  });
}
