// heal finds a missing, stale or damaged snapshot and (unless a dry run) builds a fresh one, leaving small and
// plugin-owned resources alone; background rebuilds run one at a time per process.
import { afterAll, describe, expect, it } from 'vitest';
import { Database, type ObjectStore } from '../../engine/index.js';
import {
  decodeManifest,
  inspectSnapshot,
  listKeys,
  snapshotManifestKey,
  snapshotSegmentsPrefix,
} from '../../engine/internal.js';
import { testStores } from '../support/stores.js';

const DEFINITION = { name: 'items', attributes: { n: 'number', tag: 'string' } };
const id = (i: number) => `d${String(i).padStart(4, '0')}`;

async function seed(db: Database, name: string, count: number, createdBy?: string) {
  const { resource } = await db.createResource({ ...DEFINITION, name, ...(createdBy ? { createdBy } : {}) });
  const docs = Array.from({ length: count }, (_, i) => ({ id: id(i), n: i, tag: `t${i % 5}` }));
  expect((await resource.insertMany(docs, { concurrency: 32 })).errors).toEqual([]);
  return resource;
}

const snapshotProblems = (report: { problems: { kind: string; resource?: string; repaired: boolean }[] }) =>
  report.problems
    .filter((p) => p.kind.startsWith('snapshot-'))
    .map((p) => ({ kind: p.kind, resource: p.resource, repaired: p.repaired }));

async function buildId(store: ObjectStore, resource: string): Promise<string | undefined> {
  const obj = await store.get(snapshotManifestKey(resource));
  return obj ? decodeManifest(obj.body).buildId : undefined;
}

for (const testStore of testStores()) {
  describe.skipIf(testStore.skipped !== undefined)(testStore.name, { timeout: 120_000 }, () => {
    const opened: { close(): Promise<void> }[] = [];
    afterAll(async () => {
      for (const o of opened.splice(0)) await o.close();
      await testStore.cleanup?.();
    });
    const size = testStore.name === 'memory' ? 300 : 120;

    async function open(options: ConstructorParameters<typeof Database>[0]['snapshots'] = {}, store?: ObjectStore) {
      const s = store ?? (await testStore.create());
      const db = new Database({ store: s, snapshots: options });
      await db.connect();
      opened.push(db);
      if (!store) opened.push(s);
      return { db, store: s };
    }

    it('builds a missing snapshot for a user resource with enough documents; a dry run writes nothing', async () => {
      const { db, store } = await open({ absentTtlMs: 0 });
      const items = await seed(db, 'items', size);
      await seed(db, 'few', 5);
      await seed(db, 'owned', size, 'SomePlugin');
      const dry = await db.heal();
      expect(snapshotProblems(dry)).toEqual([{ kind: 'snapshot-missing', resource: 'items', repaired: false }]);
      expect(dry.problems.find((p) => p.kind === 'snapshot-missing')!.message).toContain(`${size} document(s)`);
      expect(await listKeys(store, 's3db.snapshots/')).toEqual([]);

      const applied = await db.heal({ dryRun: false });
      expect(snapshotProblems(applied)).toEqual([{ kind: 'snapshot-missing', resource: 'items', repaired: true }]);
      expect(await buildId(store, 'few')).toBeUndefined();
      expect(await buildId(store, 'owned')).toBeUndefined();
      const got = await items.query({ filter: { tag: 't3' }, limit: 1000 });
      expect(got.records).toHaveLength(size / 5);
      expect(got.plan.snapshot).toMatchObject({ documents: size, fromSnapshot: size, changed: 0 });
      expect(snapshotProblems(await db.heal())).toEqual([]);

      // A plugin-owned resource gets one when heal is asked about it by name.
      expect(snapshotProblems(await db.heal({ dryRun: false, resource: 'owned' }))).toEqual([
        { kind: 'snapshot-missing', resource: 'owned', repaired: true },
      ]);
      expect(await buildId(store, 'owned')).toBeDefined();
      await expect(db.buildSnapshot('nobody')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(db.dropSnapshot('nobody')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('rebuilds a snapshot once 1% of the documents changed, not before', async () => {
      const { db, store } = await open({ rebuildAfterChanged: false });
      const items = await seed(db, 'items', size);
      const first = await db.buildSnapshot('items');
      const onePercent = Math.ceil(size / 100);
      for (let i = 0; i < onePercent - 1; i++) await items.update(id(i), { tag: 'changed' });
      expect(snapshotProblems(await db.heal({ dryRun: false }))).toEqual([]);
      expect(await buildId(store, 'items')).toBe(first.buildId);

      await items.delete(id(size - 1)); // a removal counts too
      const dry = await db.heal();
      expect(snapshotProblems(dry)).toEqual([{ kind: 'snapshot-stale', resource: 'items', repaired: false }]);
      expect(dry.problems.find((p) => p.kind === 'snapshot-stale')!.message).toContain(
        `${onePercent - 1} of ${size - 1} document(s) changed or new`,
      );
      expect(await buildId(store, 'items')).toBe(first.buildId);
      await db.heal({ dryRun: false });
      expect(await buildId(store, 'items')).not.toBe(first.buildId);
      const after = await items.count({ filter: { tag: 'changed' } });
      expect(after.count).toBe(onePercent - 1);
      expect(after.plan.snapshot).toMatchObject({ documents: size - 1, changed: 0 });
    });

    it('rebuilds a damaged manifest and a snapshot whose segment is gone', async () => {
      const { db, store } = await open({ rebuildAfterChanged: false, build: { segmentBytes: 2048 } });
      const items = await seed(db, 'items', size);
      await db.buildSnapshot('items');
      const [segment] = await listKeys(store, snapshotSegmentsPrefix('items'));
      await store.delete(segment!);
      expect(await inspectSnapshot(store, 'items')).toMatchObject({ state: 'damaged', missingSegments: 1 });
      expect(snapshotProblems(await db.heal({ dryRun: false }))).toEqual([
        { kind: 'snapshot-damaged', resource: 'items', repaired: true },
      ]);
      expect(await inspectSnapshot(store, 'items')).toMatchObject({ state: 'current', changed: 0, removed: 0 });

      await store.put(snapshotManifestKey('items'), 'not a manifest');
      expect(snapshotProblems(await db.heal())).toEqual([
        { kind: 'snapshot-damaged', resource: 'items', repaired: false },
      ]);
      await db.heal({ dryRun: false });
      const got = await items.count({ filter: { n: { $gte: 0 } } });
      expect(got.count).toBe(size);
      expect(got.plan.snapshot).toMatchObject({ fromSnapshot: size, changed: 0 });
    });

    it('a cancelled build removes its segments and leaves the previous snapshot', async () => {
      const { db, store } = await open({ build: { segmentBytes: 1024 } });
      await seed(db, 'items', size);
      const first = await db.buildSnapshot('items');
      const kept = await listKeys(store, snapshotSegmentsPrefix('items'));
      const cancel = new AbortController();
      let puts = 0;
      const counting = Object.create(store) as ObjectStore;
      counting.put = async (key, ...rest) => {
        const done = await store.put(key, ...rest);
        if (key.startsWith(snapshotSegmentsPrefix('items')) && ++puts === 2) cancel.abort();
        return done;
      };
      const other = new Database({ store: counting, snapshots: { build: { segmentBytes: 1024 } } });
      await other.connect();
      await expect(other.buildSnapshot('items', { signal: cancel.signal })).rejects.toMatchObject({
        code: 'CANCELLED',
      });
      expect(await buildId(store, 'items')).toBe(first.buildId);
      expect(puts).toBeGreaterThanOrEqual(2);
      expect(await listKeys(store, snapshotSegmentsPrefix('items'))).toEqual(kept);
    });

    it('inspects with a manifest GET and LISTs only', async () => {
      const { db, store } = await open();
      await seed(db, 'items', size);
      await db.buildSnapshot('items');
      const found = await inspectSnapshot(store, 'items');
      // GET manifest + ⌈N/1000⌉ LIST of the data + 1 LIST of the segments.
      expect(found).toMatchObject({ state: 'current', documents: size, packed: size, requests: 3 });
    });

    it('with snapshots off, heal neither reports nor builds them', async () => {
      const store = await testStore.create();
      opened.push(store);
      const db = new Database({ store, snapshots: false });
      await db.connect();
      opened.push(db);
      await seed(db, 'items', size);
      expect(snapshotProblems(await db.heal({ dryRun: false }))).toEqual([]);
      expect(await listKeys(store, 's3db.snapshots/')).toEqual([]);
    });
  });
}

describe('background rebuilds', () => {
  it('run one at a time per process; a resource noticed meanwhile is rebuilt by a later query', async () => {
    const { MemoryStore } = await import('../../engine/index.js');
    const inner = new MemoryStore();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let holding = true;
    // Holds the first background build at its first segment PUT until released.
    const store = Object.create(inner) as ObjectStore;
    store.put = async (key, ...rest) => {
      if (holding && key.startsWith(snapshotSegmentsPrefix('a'))) await gate;
      return inner.put(key, ...rest);
    };
    const builder = new Database({ store: inner });
    await builder.connect();
    const db = new Database({ store, snapshots: { minDocuments: 0, rebuildAfterChanged: 3 } });
    await db.connect();
    const a = await seed(builder, 'a', 20);
    const b = await seed(builder, 'b', 20);
    const built = { a: (await builder.buildSnapshot('a')).buildId, b: (await builder.buildSnapshot('b')).buildId };
    for (let i = 0; i < 3; i++) {
      await a.update(id(i), { tag: 'x' });
      await b.update(id(i), { tag: 'x' });
    }
    expect((await db.resource('a').count({ filter: { tag: 'x' } })).plan.snapshot!.changed).toBe(3);
    expect((await db.resource('b').count({ filter: { tag: 'x' } })).plan.snapshot!.changed).toBe(3);
    holding = false;
    release();
    await db.close();
    expect(await buildId(inner, 'a')).not.toBe(built.a);
    expect(await buildId(inner, 'b')).toBe(built.b);
    expect((await db.resource('b').count({ filter: { tag: 'x' } })).plan.snapshot!.changed).toBe(3);
    await db.close();
    expect(await buildId(inner, 'b')).not.toBe(built.b);
    await builder.close();
  });
});
