// Two Databases sharing one store see each other's schema before they act: a resource created by the other is
// found, a record written under a newer version reads by its attribute names, and an update from the stale
// one never drops the fields it did not know.
import { afterAll, describe, expect, it } from 'vitest';
import { Database, type ObjectStore } from '../../engine/index.js';
import { testStores } from '../support/stores.js';

for (const s of testStores()) {
  describe.skipIf(s.skipped !== undefined)(`two servers on one ${s.name} store`, () => {
    afterAll(() => s.cleanup?.());

    async function two(): Promise<[Database, Database, ObjectStore]> {
      const store = await s.create();
      const a = new Database({ store });
      await a.connect();
      await a.createResource({ name: 'people', attributes: { name: 'string' } });
      const b = new Database({ store });
      await b.connect();
      return [a, b, store];
    }

    it('finds a resource the other created after it connected (one HEAD + one GET, once)', async () => {
      const [a, b, store] = await two();
      await a.createResource({ name: 'late', attributes: { v: 'number' } });
      await a.resource('late').insert({ id: 'x', v: 1 });
      store.resetRequestCounts();
      expect((await b.resource('late').get('x')).v).toBe(1);
      expect(store.requestCounts().byOperation).toMatchObject({ HeadObject: 1, GetObject: 2 });
      expect(b.listResources().map((r) => r.name)).toContain('late');
      await expect(b.resource('never').get('x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('reads and updates a record written under a newer schema without dropping its new fields', async () => {
      const [a, b] = await two();
      await a.resource('people').insert({ id: 'p', name: 'Ann' });
      await b.resource('people').get('p'); // b has read the resource under v0
      await a.createResource({ name: 'people', attributes: { name: 'string', email: 'string|optional' } });
      await a.resource('people').update('p', { email: 'ann@example.com' });
      expect(await b.resource('people').get('p')).toEqual({ id: 'p', name: 'Ann', email: 'ann@example.com' });
      const c = new Database({ store: b.store });
      await c.connect();
      await a.createResource({
        name: 'people',
        attributes: { name: 'string', email: 'string|optional', age: 'number|optional' },
      });
      await a.resource('people').update('p', { age: 40 });
      // c still holds v1: its update must keep `age`, which only v2 knows.
      await c.resource('people').update('p', { name: 'Anna' });
      expect(await a.resource('people').get('p')).toEqual({ id: 'p', name: 'Anna', email: 'ann@example.com', age: 40 });
    });
  });
}
