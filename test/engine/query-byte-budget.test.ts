// The query byte budget (maxBytes): each page stops before the record that would pass it, in one pass, and
// paging through every page returns each match exactly once, in order, sorted or not.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Database, MemoryStore, type Document } from '../../engine/index.js';
import { DEFAULT_QUERY_CONCURRENCY } from '../../engine/internal.js';
import { testStores } from '../support/stores.js';

const pageBytes = (records: readonly Document[]) =>
  2 + records.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r)) + 1, 0);

async function seeded(sizes: number[], store = new MemoryStore()) {
  const db = new Database({ store });
  await db.connect();
  const { resource } = await db.createResource({ name: 'notes', attributes: { n: 'number', text: 'string' } });
  const items = sizes.map((size, i) => ({ id: `n${String(i).padStart(3, '0')}`, n: i % 7, text: 'x'.repeat(size) }));
  expect((await resource.insertMany(items)).errors).toEqual([]);
  return { resource, store };
}

/** Pages through a query with `maxBytes`, checking each page's bound and maximality; returns the ids in order. */
async function pageThrough(
  resource: Awaited<ReturnType<typeof seeded>>['resource'],
  options: { maxBytes: number; limit: number; sort?: Record<string, 1 | -1>; filter?: Record<string, unknown> },
) {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 500; pages++) {
    const result = await resource.query({ ...options, ...(cursor === undefined ? {} : { cursor }) });
    const { records } = result;
    if (records.length > 1) expect(pageBytes(records)).toBeLessThanOrEqual(options.maxBytes);
    if (result.truncated) {
      expect(records.length).toBeLessThan(options.limit);
      expect(result.nextCursor).toBeDefined();
    }
    ids.push(...records.map((r) => r.id));
    cursor = result.nextCursor;
    if (cursor === undefined) return ids;
  }
  throw new Error('did not finish paging');
}

describe('query maxBytes', () => {
  it('pages cover every match once, in order, each page within the budget (property, unsorted and sorted)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 50, max: 2000 }),
        fc.integer({ min: 1, max: 15 }),
        fc.boolean(),
        async (sizes, maxBytes, limit, sorted) => {
          const { resource } = await seeded(sizes);
          const sort = sorted ? ({ n: -1 } as const) : undefined;
          const expected = (await resource.query({ limit: 10_000, ...(sort ? { sort } : {}) })).records.map(
            (r) => r.id,
          );
          const got = await pageThrough(resource, { maxBytes, limit, ...(sort ? { sort } : {}) });
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a page is cut in one pass: it reads at most one window of documents past the cut', async () => {
    const { resource, store } = await seeded(Array.from({ length: 60 }, () => 300));
    store.resetRequestCounts();
    const result = await resource.query({ maxBytes: 1500, limit: 50, filter: { n: { $gte: 0 } } });
    expect(result.truncated).toBe(true);
    expect(result.records.length).toBeGreaterThan(0);
    const counts = store.requestCounts();
    // The next record would not fit: the page is as long as the budget allows.
    const next = await resource.query({ limit: 1, filter: { n: { $gte: 0 } }, cursor: result.nextCursor! });
    expect(pageBytes([...result.records, ...next.records])).toBeGreaterThan(1500);
    expect(counts.total).toBe(result.plan.requests);
    // One LIST, the records returned, the one that did not fit, and at most the concurrency window in flight.
    expect(counts.byOperation.ListObjectsV2).toBe(1);
    expect(counts.total).toBeLessThanOrEqual(1 + result.records.length + 1 + DEFAULT_QUERY_CONCURRENCY);
  });

  it('the first record is returned even when it alone passes the budget', async () => {
    const { resource } = await seeded([5000, 10]);
    const result = await resource.query({ maxBytes: 100, limit: 10 });
    expect(result.records.map((r) => r.id)).toEqual(['n000']);
    expect(result.truncated).toBe(true);
    const rest = await resource.query({ maxBytes: 100, limit: 10, cursor: result.nextCursor! });
    expect(rest.records.map((r) => r.id)).toEqual(['n001']);
  });

  it('sizeOf measures records as the caller presents them', async () => {
    const { resource } = await seeded([10, 10, 10, 10]);
    const result = await resource.query({ maxBytes: 2 + 3 * 101, limit: 10, sizeOf: () => 100 });
    expect(result.records).toHaveLength(3);
    expect(result.truncated).toBe(true);
  });
});

for (const testStore of testStores()) {
  describe.skipIf(testStore.skipped !== undefined)(`query maxBytes on ${testStore.name}`, () => {
    afterAll(async () => testStore.cleanup?.());
    it('pages through a scan by bytes with each document exactly once', async () => {
      const sizes = Array.from({ length: 30 }, (_, i) => (i * 37) % 500);
      const { resource } = await seeded(sizes, (await testStore.create()) as MemoryStore);
      const got = await pageThrough(resource, { maxBytes: 1200, limit: 8 });
      expect(got).toEqual(sizes.map((_, i) => `n${String(i).padStart(3, '0')}`));
    });
  });
}
