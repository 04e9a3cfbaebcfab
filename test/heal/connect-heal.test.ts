// What connect repairs on its own (catalog only, backup first, no data object touched) and what heal repairs.
import { afterAll, describe, expect, it } from 'vitest';
import {
  CATALOG_KEY,
  Database,
  MemoryStore,
  QUARANTINE_PREFIX,
  StorageError,
  type ObjectStore,
} from '../../engine/index.js';
import { testStores } from '../support/stores.js';

async function snapshot(store: ObjectStore, prefix: string): Promise<string[]> {
  const page = await store.list({ prefix });
  return page.objects.map((o) => `${o.key} ${o.etag}`);
}

async function seeded(store: ObjectStore): Promise<Database> {
  const db = new Database({ store });
  await db.connect();
  const { resource } = await db.createResource({
    name: 'users',
    attributes: { name: 'string', region: 'string' },
    partitions: { byRegion: { fields: { region: 'string' } } },
  });
  await resource.insertMany([
    { id: 'a', name: 'Ann', region: 'EU' },
    { id: 'b', name: 'Bob', region: 'US' },
  ]);
  return db;
}

for (const s of testStores()) {
  describe.skipIf(s.skipped !== undefined)(s.name, () => {
    afterAll(() => s.cleanup?.());

    it('connect rebuilds an unreadable catalog after a byte-exact backup and touches no data object', async () => {
      const store = await s.create();
      await seeded(store);
      const garbage = Buffer.from([0x7b, 0x00, 0xff, 0x22, 0x7b]);
      await store.put(CATALOG_KEY, garbage);
      const before = await snapshot(store, 'resource=');
      const [one, two] = [new Database({ store }), new Database({ store })];
      await Promise.all([one.connect(), two.connect()]); // racing repairers: one wins, the other re-reads
      expect(await snapshot(store, 'resource=')).toEqual(before);
      for (const db of [one, two]) {
        expect(db.listResources().map((r) => r.name)).toEqual(['users']);
        expect((await db.resource('users').get('a')).id).toBe('a');
      }
      const reports = [await one.heal({ dryRun: true }), await two.heal({ dryRun: true })];
      const backups = reports.flatMap((r) => r.backups);
      const problems = reports.flatMap((r) => r.problems);
      expect(backups.length).toBeGreaterThanOrEqual(1);
      for (const key of backups) {
        expect(key).toMatch(/^s3db\.json\.corrupted\.\d{4}-\d\d-\d\dT[\d-]+Z\.backup$/);
        expect((await store.get(key))!.body.equals(garbage)).toBe(true);
      }
      expect(problems.find((p) => p.kind === 'resource-rebuilt')?.message).toMatch(/2 document\(s\)/);
      expect(problems.every((p) => p.repaired || p.kind === 'orphan-reference')).toBe(true);
    });

    it('heal repairs a catalog damaged after connect, and the open resource follows the repaired definition', async () => {
      const store = await s.create();
      const db = await seeded(store);
      const users = db.resource('users');
      expect(Object.keys(users.partitions)).toEqual(['byRegion']);
      const cat = JSON.parse((await store.get(CATALOG_KEY))!.body.toString()) as {
        resources: { users: { versions: { v0: { partitions: Record<string, unknown> } } } };
      };
      cat.resources.users.versions.v0.partitions.byRegion = { fields: { nowhere: 'string' } };
      await store.put(CATALOG_KEY, JSON.stringify(cat));
      const dry = await db.heal({});
      expect(dry.problems.map((p) => `${p.kind} ${p.repaired}`)).toEqual(['partition-invalid false']);
      const real = await db.heal({ dryRun: false });
      expect(real.problems.map((p) => p.kind)).toContain('partition-invalid');
      expect(real.backups).toHaveLength(1);
      expect(users.partitions).toEqual({});
      await users.insert({ id: 'c', name: 'Cid', region: 'EU' });
      const fresh = new Database({ store });
      await fresh.connect();
      expect((await fresh.heal({})).problems).toEqual([]);
    });

    it('never moves an undecodable document unless asked: reported with its format, left in place', async () => {
      const store = await s.create();
      const db = await seeded(store);
      const key = 'resource=users/data/id=b';
      const original = (await store.get(key))!;
      await store.put(key, original.body, { '0': 'Ann', '1': 'EU', _v: 'v0' });
      const foreign = (await store.get(key))!;
      store.resetRequestCounts();
      for (const dryRun of [true, false]) {
        const report = await db.heal({ dryRun });
        const found = report.problems.find((p) => p.kind === 'undecodable-record')!;
        expect(found).toMatchObject({ id: 'b', repaired: false });
        expect(found.message).toMatch(/format: s3db\.js.*left in place/);
        expect(report.backups).toEqual([]);
      }
      const c = store.requestCounts().byOperation;
      expect(c.PutObject + c.DeleteObject + c.DeleteObjects).toBe(0);
      expect((await store.get(key))!.etag).toBe(foreign.etag);
    });

    it('quarantines an undecodable document verbatim (copy, then delete) when asked, never in a dry run', async () => {
      const store = await s.create();
      const db = await seeded(store);
      const key = 'resource=users/data/id=b';
      const original = (await store.get(key))!;
      await store.put(key, original.body, { ...original.metadata, '0': '!!' });
      const damaged = (await store.get(key))!;
      store.resetRequestCounts();
      await db.heal({ dryRun: true, quarantine: true });
      const c = store.requestCounts().byOperation;
      expect(c.PutObject + c.DeleteObject + c.DeleteObjects).toBe(0);
      const report = await db.heal({ dryRun: false, quarantine: true });
      const kinds = report.repaired.map((p) => `${p.kind} ${p.id}`);
      expect(kinds).toEqual(['orphan-reference b', 'undecodable-record b']);
      expect(await store.get(key)).toBeNull();
      const [copy] = report.backups;
      expect(copy).toMatch(new RegExp(`^${QUARANTINE_PREFIX}.+/${key}$`));
      const kept = (await store.get(copy!))!;
      expect(kept.body.equals(damaged.body)).toBe(true);
      expect(kept.metadata).toEqual(damaged.metadata);
      expect((await db.resource('users').list()).records.map((r) => r.id)).toEqual(['a']);
    });
  });
}

describe('a catalog destroyed under a running process', () => {
  it('createResource re-reads, rebuilds the resources that have data, and keeps them', async () => {
    const store = new MemoryStore();
    const db = await seeded(store);
    await store.delete(CATALOG_KEY);
    await db.createResource({ name: 'notes', attributes: { title: 'string' } });
    const fresh = new Database({ store });
    await fresh.connect();
    expect(fresh.listResources().map((r) => r.name)).toEqual(['notes', 'users']);
    expect((await fresh.resource('users').get('a')).id).toBe('a');
  });
});

describe('read-only credentials', () => {
  it('connect repairs a damaged catalog in memory when it may not write, and reports it unrepaired', async () => {
    class ReadOnlyStore extends MemoryStore {
      writable = true;
      override async put(...args: Parameters<MemoryStore['put']>) {
        if (!this.writable) throw new StorageError('ACCESS_DENIED', 'Access Denied', { hint: 'read-only' });
        return super.put(...args);
      }
    }
    const store = new ReadOnlyStore();
    await seeded(store);
    const text = (await store.get(CATALOG_KEY))!.body.toString();
    await store.put(CATALOG_KEY, text.replace(/"currentVersion"/, 'currentVersion'));
    store.writable = false;
    const db = new Database({ store });
    await db.connect();
    expect((await db.resource('users').get('b')).name).toBe('Bob');
    const report = await db.heal({});
    expect(report.problems.map((p) => `${p.kind} ${p.repaired}`)).toEqual(['catalog-invalid-json false']);
    expect((await store.get(CATALOG_KEY))!.body.toString()).toContain('currentVersion:');
  });
});
