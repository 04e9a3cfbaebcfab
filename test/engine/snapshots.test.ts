// A query answered from a resource snapshot returns exactly what a full scan returns (every operator, sort,
// projection, count; after changes; under concurrent writes and builds), costs LISTs + segments + changed reads,
// and the manifest stays valid through crashes and racing builders; secrets stay encrypted inside segments.
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Database, type Document, type Filter, type ObjectStore, type SortSpec } from '../../engine/index.js';
import {
  buildSnapshot,
  decodeManifest,
  listKeys,
  snapshotManifestKey,
  snapshotSegmentsPrefix,
} from '../../engine/internal.js';
import { testStores } from '../support/stores.js';

const PASSPHRASE = 'snapshot-test-passphrase';
const NAMES = ['ann', 'bo', 'Cy', 'dee', 'éa', 'zz top', ''];
const CITIES = ['Lisbon', 'Paris', 'Oslo'];

const docArb = fc.record(
  {
    name: fc.constantFrom(...NAMES),
    age: fc.integer({ min: 0, max: 99 }),
    active: fc.boolean(),
    tags: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
    profile: fc.record({ city: fc.constantFrom(...CITIES) }),
    born: fc.date({ min: new Date('1950-01-01'), max: new Date('2020-01-01'), noInvalidDate: true }),
    // Sometimes long enough to overflow metadata into the body.
    note: fc.oneof(fc.string({ maxLength: 12 }), fc.string({ minLength: 2100, maxLength: 2200 })),
    pin: fc.string({ minLength: 1, maxLength: 12 }),
  },
  { requiredKeys: ['name', 'pin'] },
);

const num = fc.integer({ min: 0, max: 99 });
const leafArb: fc.Arbitrary<Filter> = fc.oneof(
  fc.constantFrom(...NAMES).map((name) => ({ name })),
  fc
    .tuple(fc.constantFrom('$eq', '$ne', '$gt', '$gte', '$lt', '$lte'), num)
    .map(([op, v]) => ({ age: { [op]: v } }) as Filter),
  fc.array(num, { maxLength: 4 }).map((v) => ({ age: { $in: v } })),
  fc.array(fc.constantFrom(...NAMES), { maxLength: 3 }).map((v) => ({ name: { $nin: v } })),
  fc.boolean().map((b) => ({ age: { $exists: b } })),
  fc.constantFrom('a', 'b', 'c').map((t) => ({ tags: { $contains: t } })),
  fc.constantFrom('a', 'b', 'z', 'é', 'D').map((p) => ({ name: { $startsWith: p } })),
  fc.boolean().map((active) => ({ active })),
  fc.constantFrom(...CITIES).map((city) => ({ 'profile.city': city })),
  fc
    .date({ min: new Date('1950-01-01'), max: new Date('2020-01-01'), noInvalidDate: true })
    .map((d) => ({ born: { $gte: d.toISOString() } })),
);
const { filter: filterArb } = fc.letrec<{ filter: Filter }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.array(tie('filter'), { minLength: 1, maxLength: 3 }).map((f) => ({ $and: f })),
    fc.array(tie('filter'), { minLength: 1, maxLength: 3 }).map((f) => ({ $or: f })),
    tie('filter').map((f) => ({ $not: f })),
  ),
}));
const sortArb: fc.Arbitrary<SortSpec | undefined> = fc.option(
  fc.constantFrom<SortSpec>({ age: 1 }, { age: -1 }, { name: 'asc' }, { born: 'desc' }, { 'profile.city': 1, age: -1 }),
  { nil: undefined },
);
const fieldsArb = fc.option(fc.subarray(['name', 'age', 'profile.city', 'pin', 'note']), { nil: undefined });

const DEFINITION = {
  name: 'items',
  attributes: {
    name: 'string',
    age: 'number',
    active: 'boolean',
    tags: 'array|items:string',
    profile: { city: 'string' },
    born: 'date',
    note: 'string',
    pin: 'secret',
  },
};

for (const testStore of testStores()) {
  describe.skipIf(testStore.skipped !== undefined)(testStore.name, () => {
    const opened: { close(): Promise<void> }[] = [];
    afterAll(async () => {
      for (const o of opened.splice(0)) await o.close();
      await testStore.cleanup?.();
    });
    const remote = testStore.name !== 'memory'; // fewer runs where each request costs real I/O

    /** A database reading snapshots (always looking) and one that never does, over the same store. */
    async function open(store?: ObjectStore) {
      const s = store ?? (await testStore.create());
      const db = new Database({
        store: s,
        passphrase: PASSPHRASE,
        snapshots: { minDocuments: 0, absentTtlMs: 0, build: { segmentBytes: 16 * 1024 } },
      });
      await db.connect();
      opened.push(db);
      if (!store) opened.push(s);
      return { store: s, db };
    }

    /** A database over the same store that never reads snapshots: its scans are the reference. */
    async function referenceDb(store: ObjectStore) {
      const plain = new Database({ store, passphrase: PASSPHRASE, snapshots: false });
      await plain.connect();
      opened.push(plain);
      return plain;
    }

    async function seed(db: Database, docs: Record<string, unknown>[]) {
      const { resource } = await db.createResource(DEFINITION);
      const result = await resource.insertMany(docs.map((d, i) => ({ id: `d${String(i).padStart(4, '0')}`, ...d })));
      expect(result.errors).toEqual([]);
      return resource;
    }

    /** Every page of a query (limit 7), concatenated, with the requests of each page. */
    async function allPages(db: Database, filter: Filter | undefined, sort: SortSpec | undefined, fields?: string[]) {
      const records: Document[] = [];
      const requests: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await db.resource('items').query({
          ...(filter ? { filter } : {}),
          ...(sort ? { sort } : {}),
          ...(fields ? { fields } : {}),
          limit: 7,
          ...(cursor ? { cursor } : {}),
        });
        records.push(...page.records);
        requests.push(page.plan.requests);
        cursor = page.nextCursor;
      } while (cursor);
      return { records, requests };
    }

    it('hands each caller documents of its own: changing a result never changes what the next query returns', async () => {
      const docs = fc.sample(docArb, { numRuns: 30, seed: 5 });
      const { db, store } = await open();
      await seed(db, docs);
      const plain = await referenceDb(store);
      await db.buildSnapshot('items');
      const items = db.resource('items');
      const want = (await plain.resource('items').query({ limit: 1000 })).records;
      for (const fields of [undefined, ['profile.city', 'tags'], ['profile']]) {
        // Twice each: the second query is served from the documents the first one decoded.
        for (let round = 0; round < 2; round++) {
          const got = await items.query({ limit: 1000, ...(fields ? { fields } : {}) });
          expect(got.plan.snapshot?.fromSnapshot).toBe(docs.length);
          for (const doc of got.records) {
            expect(Object.isFrozen(doc)).toBe(false);
            const d = doc as Record<string, unknown>;
            d.name = 'changed';
            if (Array.isArray(d.tags)) d.tags.push('changed');
            if (d.profile && typeof d.profile === 'object') (d.profile as Record<string, unknown>).city = 'changed';
          }
        }
      }
      expect((await items.query({ limit: 1000 })).records).toEqual(want);
    });

    it('equals a full scan for random documents, filters, sorts and projections, before and after changes', async () => {
      const docs = fc.sample(docArb, { numRuns: remote ? 40 : 80, seed: 13 });
      const { db, store } = await open();
      await seed(db, docs);
      const plain = await referenceDb(store);
      const report = await db.buildSnapshot('items');
      expect(report).toMatchObject({ committed: true, documents: docs.length });
      expect(report.segments).toBeGreaterThan(1);
      const items = db.resource('items');
      const reference = plain.resource('items');
      const check = async (filter: Filter, sort: SortSpec | undefined, fields: string[] | undefined) => {
        const options = { filter, limit: 1000, ...(sort ? { sort } : {}), ...(fields ? { fields } : {}) };
        const [got, want] = await Promise.all([items.query(options), reference.query(options)]);
        expect(got.records).toEqual(want.records);
        expect(got.plan.snapshot).toBeDefined();
        const [c1, c2] = await Promise.all([items.count({ filter }), reference.count({ filter })]);
        expect(c1.count).toBe(c2.count);
      };
      await fc.assert(fc.asyncProperty(filterArb, sortArb, fieldsArb, check), { numRuns: remote ? 8 : 60, seed: 7 });
      // Change 10%: updates, deletes, inserts. The snapshot still answers exactly.
      for (let i = 0; i < docs.length; i += 10) await items.update(`d${String(i).padStart(4, '0')}`, { age: 100 - i });
      for (let i = 5; i < docs.length; i += 20) await items.delete(`d${String(i).padStart(4, '0')}`);
      await items.insert({ id: 'new1', name: 'ann', age: 1, pin: 'x', profile: { city: 'Oslo' } });
      await fc.assert(fc.asyncProperty(filterArb, sortArb, fieldsArb, check), { numRuns: remote ? 5 : 40, seed: 8 });
      const changed = await items.query({ filter: { age: { $gte: 0 } }, limit: 1000 });
      expect(changed.plan.snapshot!.changed).toBe(Math.ceil(docs.length / 10) + 1);
      // Paged, sorted: the same sequence as the scan, and later pages cost no more than the first.
      const paged = await allPages(db, { active: true }, { age: -1 });
      expect(paged.records).toEqual((await allPages(plain, { active: true }, { age: -1 })).records);
      expect(Math.max(...paged.requests)).toBeLessThanOrEqual(paged.requests[0]!);
    });

    it('a filter over unchanged documents costs the manifest, the LISTs and the segments, then only HEAD + LIST', async () => {
      const { db, store } = await open();
      await seed(db, fc.sample(docArb, { numRuns: 120, seed: 3 }));
      const report = await db.buildSnapshot('items', { segmentBytes: 8 * 1024 * 1024 });
      expect(report.segments).toBe(1);
      store.resetRequestCounts();
      const first = await db.resource('items').query({ filter: { age: 42 } });
      // Manifest GET + 1 LIST + 1 segment GET; no per-document request.
      expect(first.plan.requests).toBe(3);
      expect(store.requestCounts().total).toBe(3);
      const second = await db.resource('items').count({ filter: { age: { $lt: 50 } } });
      // Manifest HEAD (unchanged) + 1 LIST; the segment is in memory.
      expect(second.plan.requests).toBe(2);
      const explain = await db.resource('items').query({ filter: { age: 42 }, explain: true });
      expect(explain.plan.estimatedRequests).toBe(2);
      expect(explain.plan.snapshot).toMatchObject({ documents: 120, segments: 1 });
    });

    it('secret fields are never in plaintext in a segment, and are revealed on read', async () => {
      const { db, store } = await open();
      const items = await seed(db, [
        { name: 'ann', pin: 'PLAINTEXT-PIN-1' },
        { name: 'bo', pin: 'PLAINTEXT-PIN-2' },
      ]);
      await db.buildSnapshot('items');
      const segments = await listKeys(store, snapshotSegmentsPrefix('items'));
      expect(segments.length).toBeGreaterThan(0);
      for (const key of segments) {
        const text = gunzipSync((await store.get(key))!.body).toString('utf8');
        expect(text).not.toContain('PLAINTEXT-PIN');
      }
      const got = await items.query({ filter: { name: { $ne: 'x' } }, sort: { name: 1 } });
      expect(got.plan.snapshot).toBeDefined();
      expect(got.records.map((d) => d.pin)).toEqual(['PLAINTEXT-PIN-1', 'PLAINTEXT-PIN-2']);
    });

    it('decodes each packed document with the schema version that wrote it', async () => {
      const { db, store } = await open();
      await seed(db, fc.sample(docArb, { numRuns: 20, seed: 5 }));
      await db.createResource({ ...DEFINITION, attributes: { ...DEFINITION.attributes, rank: 'number' } });
      const plain = await referenceDb(store);
      await db.resource('items').insert({ id: 'v1doc', name: 'ann', rank: 3, pin: 'p' });
      await db.buildSnapshot('items');
      const options = { filter: { name: { $exists: true } }, sort: { name: 1 as const }, limit: 100 };
      const got = await db.resource('items').query(options);
      expect(got.plan.snapshot!.fromSnapshot).toBe(21);
      expect(got.records).toEqual((await plain.resource('items').query(options)).records);
    });

    it('two builders racing leave one valid manifest; the loser removes its segments', async () => {
      const { db, store } = await open();
      await seed(db, fc.sample(docArb, { numRuns: 30, seed: 9 }));
      // Hold both manifest PUTs until both builders reached them, so they truly race on the same ETag.
      let waiting = 0;
      let release!: () => void;
      const bothThere = new Promise<void>((r) => (release = r));
      const put = store.put.bind(store);
      const racing = Object.create(store) as ObjectStore;
      racing.put = async (key, ...rest) => {
        if (key === snapshotManifestKey('items')) {
          if (++waiting === 2) release();
          await bothThere;
        }
        return put(key, ...rest);
      };
      const [a, b] = await Promise.all([buildSnapshot(racing, 'items'), buildSnapshot(racing, 'items')]);
      expect([a.committed, b.committed].sort()).toEqual([false, true]);
      const manifest = decodeManifest((await store.get(snapshotManifestKey('items')))!.body);
      const winner = a.committed ? a : b;
      expect(manifest.buildId).toBe(winner.buildId);
      expect((await listKeys(store, snapshotSegmentsPrefix('items'))).sort()).toEqual(
        manifest.segments.map((s) => s.key).sort(),
      );
      const got = await db.resource('items').count({ filter: { age: { $gte: 0 } } });
      expect(got.plan.snapshot!.fromSnapshot).toBe(30);
    });

    it('a build that fails mid-way (store error) leaves the previous snapshot valid', async () => {
      const { db, store } = await open();
      const items = await seed(db, fc.sample(docArb, { numRuns: 40, seed: 11 }));
      const plain = await referenceDb(store);
      const first = await db.buildSnapshot('items', { segmentBytes: 4096 });
      await items.update('d0001', { age: 5 });
      let puts = 0;
      const failing = Object.create(store) as ObjectStore;
      failing.put = async (key, ...rest) => {
        if (key.startsWith(snapshotSegmentsPrefix('items')) && ++puts === 3) throw new Error('injected crash');
        return store.put(key, ...rest);
      };
      await expect(buildSnapshot(failing, 'items', { segmentBytes: 4096 })).rejects.toThrow('injected crash');
      const manifest = decodeManifest((await store.get(snapshotManifestKey('items')))!.body);
      expect(manifest.buildId).toBe(first.buildId);
      const options = { filter: { age: { $lt: 60 } }, sort: { age: 1 as const }, limit: 1000 };
      const got = await items.query(options);
      expect(got.plan.snapshot).toMatchObject({ changed: 1, fromSnapshot: 39 });
      expect(got.records).toEqual((await plain.resource('items').query(options)).records);
    });

    it('a query that finds enough changed documents starts one background rebuild', async () => {
      const store = await testStore.create();
      opened.push(store);
      const db = new Database({
        store,
        passphrase: PASSPHRASE,
        snapshots: { minDocuments: 0, rebuildAfterChanged: 5 },
      });
      await db.connect();
      const items = await seed(db, fc.sample(docArb, { numRuns: 40, seed: 4 }));
      const first = await db.buildSnapshot('items');
      for (let i = 0; i < 4; i++) await items.update(`d000${i}`, { age: 1 });
      expect((await items.count({ filter: { age: { $gte: 0 } } })).plan.snapshot!.changed).toBe(4);
      await db.close(); // waits for background builds: none started below the threshold
      expect(decodeManifest((await store.get(snapshotManifestKey('items')))!.body).buildId).toBe(first.buildId);
      await items.update('d0004', { age: 1 });
      expect((await items.count({ filter: { age: { $gte: 0 } } })).plan.snapshot!.changed).toBe(5);
      await db.close();
      expect(decodeManifest((await store.get(snapshotManifestKey('items')))!.body).buildId).not.toBe(first.buildId);
      expect((await items.count({ filter: { age: { $gte: 0 } } })).plan.snapshot!.changed).toBe(0);
    });

    it('old segments go after the grace period, not before', async () => {
      const { db, store } = await open();
      await seed(db, fc.sample(docArb, { numRuns: 10, seed: 2 }));
      const a = await db.buildSnapshot('items');
      const b = await db.buildSnapshot('items');
      const keys = await listKeys(store, snapshotSegmentsPrefix('items'));
      expect(keys.some((k) => k.includes(a.buildId))).toBe(true);
      const c = await db.buildSnapshot('items', { graceMs: 0 });
      expect(c.removed).toBeGreaterThan(0);
      const left = await listKeys(store, snapshotSegmentsPrefix('items'));
      expect(left.every((k) => k.includes(c.buildId))).toBe(true);
      expect(left.some((k) => k.includes(b.buildId))).toBe(false);
    });

    it('stays exact under concurrent inserts, updates, deletes and another builder while queries run', async () => {
      const { db, store } = await open();
      const docs = fc.sample(docArb, { numRuns: remote ? 60 : 150, seed: 21 });
      const items = await seed(db, docs);
      const plain = await referenceDb(store);
      await db.buildSnapshot('items', { segmentBytes: 8192 });
      const builder = (await open(store)).db;
      const touched = new Set<string>();
      const id = (i: number) => `d${String(i).padStart(4, '0')}`;
      const writes = (async () => {
        for (let i = 0; i < docs.length; i += 7) {
          touched.add(id(i));
          await items.update(id(i), { active: !docs[i]!.active });
          if (i % 2 === 0) {
            touched.add(id(i + 1));
            await items.delete(id(i + 1));
          }
          touched.add(`n${i}`);
          await items.insert({ id: `n${i}`, name: 'ann', active: true, pin: 'q' });
        }
      })();
      const rebuild = builder.buildSnapshot('items', { segmentBytes: 8192 });
      const reference = await plain.resource('items').query({ filter: { active: true }, limit: 1000 });
      const untouchedWant = reference.records.filter((d) => !touched.has(d.id));
      const during: Document[][] = [];
      for (let round = 0; round < 4; round++) {
        during.push((await items.query({ filter: { active: true }, sort: { name: 1 }, limit: 1000 })).records);
      }
      await Promise.all([writes, rebuild]);
      for (const records of during) {
        // Documents nobody touched are all there, unchanged; every returned document matches the filter.
        expect(records.every((d) => d.active === true)).toBe(true);
        const untouched = records.filter((d) => !touched.has(d.id));
        const want = new Map(untouchedWant.map((d) => [d.id, d]));
        expect(untouched.filter((d) => want.has(d.id))).toEqual(untouched);
        for (const d of untouched) expect(d).toEqual(want.get(d.id));
      }
      const options = { filter: { active: true }, sort: { name: 1 as const }, limit: 1000 };
      const [after, full] = await Promise.all([items.query(options), plain.resource('items').query(options)]);
      expect(after.plan.snapshot).toBeDefined();
      expect(after.records).toEqual(full.records);
    });
  });
}
