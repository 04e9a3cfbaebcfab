// Partition references: written after the data object, moved on update (new before old removed), removed on delete.
import { describe, expect, it, vi } from 'vitest';
import { Database } from '../../engine/index.js';
import type * as Partitions from '../../engine/partitions/index.js';
import { testStores } from '../support/stores.js';

vi.mock('../../engine/partitions/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof Partitions>();
  return {
    ...real,
    partitionReferenceKeys: (name: string, partitions: Record<string, unknown>, doc: Record<string, unknown>) =>
      new Map(
        Object.keys(partitions)
          .filter(() => typeof doc.team === 'string')
          .map((p) => [p, `resource=${name}/partition=${p}/team=${String(doc.team)}/id=${String(doc.id)}`]),
      ),
  };
});

for (const s of testStores()) {
  describe(s.name, () => {
    it('keeps references in step with the data', async () => {
      const store = await s.create();
      const db = new Database({ store });
      await db.connect();
      const { resource: r } = await db.createResource({
        name: 'm',
        attributes: { team: 'string' },
        partitions: { byTeam: { fields: { team: 'string' } } },
      });
      const refs = async () => (await store.list({ prefix: 'resource=m/partition=' })).objects.map((o) => o.key);
      await r.insert({ id: 'a', team: 'red' });
      expect(await refs()).toEqual(['resource=m/partition=byTeam/team=red/id=a']);
      expect((await store.head('resource=m/partition=byTeam/team=red/id=a'))!.metadata['-v']).toBe('v0');
      await r.update('a', { team: 'blue' });
      expect(await refs()).toEqual(['resource=m/partition=byTeam/team=blue/id=a']);
      await r.delete('a');
      expect(await refs()).toEqual([]);
      const { resource: lazy } = await db.createResource({
        name: 'l',
        attributes: { team: 'string' },
        partitions: { byTeam: { fields: { team: 'string' } } },
        asyncPartitions: true,
      });
      await lazy.insert({ id: 'x', team: 'red' });
      const deadline = Date.now() + 5000;
      while ((await store.list({ prefix: 'resource=l/partition=' })).objects.length === 0 && Date.now() < deadline) {
        await new Promise((res) => setImmediate(res));
      }
      expect((await store.list({ prefix: 'resource=l/partition=' })).objects).toHaveLength(1);
    });
  });
}
