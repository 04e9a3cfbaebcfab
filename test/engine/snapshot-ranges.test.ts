// A snapshot scan lists its prefix in parallel ranges split at the manifest's every 1,000th key, and still sees
// exactly the keys a sequential LIST sees: after deletes that empty or shrink a range, inserts that grow one past a
// page, and updates — for unsorted pages with cursors, sorted pages and counts; an unchanged scan costs no more.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Database, FileStore, MemoryStore, type Document, type ObjectStore } from '../../engine/index.js';

const N = 3500;
const id = (i: number) => `d${String(i).padStart(5, '0')}`;
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** The store, counting LIST calls in flight at once. */
function watched(store: ObjectStore) {
  const seen = { inFlight: 0, most: 0 };
  const wrapped = Object.create(store) as ObjectStore;
  wrapped.list = async (options) => {
    seen.most = Math.max(seen.most, ++seen.inFlight);
    try {
      return await store.list(options);
    } finally {
      seen.inFlight--;
    }
  };
  return { store: wrapped, seen };
}

async function allPages(db: Database, limit: number): Promise<{ records: Document[]; pages: number }> {
  const records: Document[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await db.resource('items').query({ filter: { n: { $gte: 0 } }, limit, ...(cursor ? { cursor } : {}) });
    records.push(...page.records);
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { records, pages };
}

const changesArb = fc.record({
  deleted: fc.uniqueArray(fc.integer({ min: 0, max: N - 1 }), { maxLength: 1200 }),
  // New ids sort between existing ones (d01234 < d01234x < d01235): a range grows past one LIST page.
  insertedAfter: fc.uniqueArray(fc.integer({ min: 0, max: N - 1 }), { maxLength: 1500 }),
  updated: fc.uniqueArray(fc.integer({ min: 0, max: N - 1 }), { maxLength: 100 }),
  // A whole range deleted: its LIST ends in the next range.
  wipedRange: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
});

const STORES: { name: string; create: () => Promise<ObjectStore> }[] = [
  { name: 'memory', create: async () => new MemoryStore() },
  {
    name: 'file',
    create: async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 's3db-ranges-'));
      dirs.push(dir);
      return new FileStore(dir);
    },
  },
];

for (const { name, create } of STORES) {
  describe(`snapshot scans in ranges on ${name}`, { timeout: 300_000 }, () => {
    it('return what a sequential scan returns after any deletes, inserts and updates', async () => {
      await fc.assert(
        fc.asyncProperty(changesArb, async (changes) => {
          const { store, seen } = watched(await create());
          const db = new Database({ store, snapshots: { absentTtlMs: 0, rebuildAfterChanged: false } });
          const plain = new Database({ store, snapshots: false });
          await db.connect();
          const { resource } = await db.createResource({ name: 'items', attributes: { n: 'number', tag: 'string' } });
          const docs = Array.from({ length: N }, (_, i) => ({ id: id(i), n: i, tag: 'a' }));
          expect((await resource.insertMany(docs, { concurrency: 64 })).errors).toEqual([]);
          await db.buildSnapshot('items');
          await plain.connect();

          const wiped =
            changes.wipedRange === undefined
              ? []
              : docs.slice(1000 * changes.wipedRange + 1, 1000 * changes.wipedRange + 1001);
          const deleted = new Set([...changes.deleted.map(id), ...wiped.map((d) => d.id)]);
          await resource.deleteMany([...deleted], { concurrency: 64 });
          const inserted = changes.insertedAfter.map((i) => ({ id: `${id(i)}x`, n: N + i, tag: 'b' }));
          expect((await resource.insertMany(inserted, { concurrency: 64 })).errors).toEqual([]);
          for (const i of changes.updated) if (!deleted.has(id(i))) await resource.update(id(i), { tag: 'c' });

          seen.most = 0;
          // 1,300 a page: pages end inside a range and the next one starts there.
          const [ours, theirs] = [await allPages(db, 1300), await allPages(plain, 1300)];
          expect(ours.records.map((d) => d.id)).toEqual(theirs.records.map((d) => d.id));
          expect(ours.records).toEqual(theirs.records);
          const sorted = { filter: { tag: { $ne: 'z' } }, sort: { tag: -1 as const, n: 1 as const }, limit: 50 };
          const a = await db.resource('items').query(sorted);
          expect(a.plan.snapshot).toBeDefined();
          expect(a.records).toEqual((await plain.resource('items').query(sorted)).records);
          const count = await db.resource('items').count({ filter: { tag: 'b' } });
          expect(count.count).toBe(inserted.length);
          expect(seen.most).toBeGreaterThan(1);
          await db.close();
          await plain.close();
        }),
        { numRuns: name === 'memory' ? 6 : 2, seed: 13 },
      );
    });

    it('an unchanged scan costs its LISTs and the manifest HEAD, in fewer round trips', async () => {
      const { store, seen } = watched(await create());
      const db = new Database({ store, snapshots: { absentTtlMs: 0 } });
      await db.connect();
      const { resource } = await db.createResource({ name: 'items', attributes: { n: 'number', tag: 'string' } });
      const docs = Array.from({ length: 3000 }, (_, i) => ({ id: id(i), n: i, tag: 'a' }));
      await resource.insertMany(docs, { concurrency: 64 });
      await db.buildSnapshot('items');
      await resource.count({ filter: { tag: 'a' } }); // the manifest is read and the segment cached
      seen.most = 0;
      const warm = await resource.count({ filter: { tag: 'a' } });
      expect(warm.count).toBe(3000);
      expect(warm.plan.requests).toBe(1 + 3); // manifest HEAD + 3 LIST, as many as a sequential scan
      expect(seen.most).toBeGreaterThanOrEqual(2);
      await db.close();
    });
  });
}
