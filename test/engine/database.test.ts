// Database and catalog: connect in ≤2/≤3 requests, versions by hash, concurrent writers, old records, heal.
import { describe, expect, it } from 'vitest';
import {
  CATALOG_KEY,
  ConflictError,
  Database,
  NotFoundError,
  ValidationError,
  type ObjectStore,
} from '../../engine/index.js';
import { testStores } from '../support/stores.js';

for (const s of testStores()) {
  describe.skipIf(s.skipped !== undefined)(s.name, () => {
    const open = async (store?: ObjectStore, passphrase?: string) => {
      const st = store ?? (await s.create());
      const db = new Database({ store: st, ...(passphrase ? { passphrase } : {}) });
      await db.connect();
      return db;
    };

    it('connects in 2 requests on an empty store and 1 GET on an existing one', async () => {
      const store = await s.create();
      store.resetRequestCounts();
      await open(store);
      // On an S3 endpoint the first write is preceded by the write-condition probe: 3 PUTs and 1 DELETE.
      const probe = store.kind === 's3' ? 4 : 0;
      expect(store.requestCounts().total).toBeLessThanOrEqual(3 + probe);
      expect(store.requestCounts().byOperation.PutObject).toBe(1 + (probe && 3));
      store.resetRequestCounts();
      await open(store);
      expect(store.requestCounts().total).toBeLessThanOrEqual(2);
      expect(store.requestCounts().byOperation.GetObject).toBe(1);
    });

    it('versions a definition only when its hash changes, and emits events', async () => {
      const db = await open();
      const events: string[] = [];
      db.on('resourceCreated', (e: { name: string }) => events.push(`created:${e.name}`));
      db.on('resourceDefinitionsChanged', (e: { version: string }) => events.push(`changed:${e.version}`));
      const a = await db.createResource({ name: 'users', attributes: { name: 'string' } });
      expect(a).toMatchObject({ version: 'v0', created: true, changed: false });
      const before = db.store.requestCounts().byOperation.PutObject;
      const b = await db.createResource({ name: 'users', attributes: { name: 'string' } });
      expect(b).toMatchObject({ version: 'v0', created: false, changed: false });
      expect(db.store.requestCounts().byOperation.PutObject).toBe(before);
      const c = await db.createResource({ name: 'users', attributes: { name: 'string', age: 'number' } });
      expect(c).toMatchObject({ version: 'v1', created: false, changed: true });
      expect(events).toEqual(['created:users', 'changed:v1']);
      const d = db.describeResource('users');
      expect(Object.keys(d.versions)).toEqual(['v0', 'v1']);
      expect(d.versions.v0!.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(db.listResources()).toEqual([
        {
          name: 'users',
          version: 'v1',
          behavior: 'body-overflow',
          partitions: {},
          createdBy: 'user',
          timestamps: false,
          paranoid: false,
        },
      ]);
      const raw = JSON.parse((await db.store.get(CATALOG_KEY))!.body.toString()) as Record<string, unknown>;
      expect(raw).toMatchObject({ version: '1', resources: { users: { currentVersion: 'v1', createdBy: 'user' } } });
    });

    it('lets two Database instances on one store create resources concurrently without losing either', async () => {
      const store = await s.create();
      const [a, b] = [await open(store), await open(store)];
      await Promise.all([
        ...['a1', 'a2', 'a3'].map((n) => a.createResource({ name: n, attributes: { x: 'string' } })),
        ...['b1', 'b2', 'b3'].map((n) => b.createResource({ name: n, attributes: { y: 'number' } })),
      ]);
      const c = await open(store);
      expect(c.listResources().map((r) => r.name)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3']);
    });

    it('reads records written by an older version', async () => {
      const store = await s.create();
      const db = await open(store);
      const { resource } = await db.createResource({ name: 'p', attributes: { name: 'string', old: 'number' } });
      await resource.insert({ id: 'one', name: 'Ann', old: 5 });
      await db.createResource({ name: 'p', attributes: { name: 'string', fresh: 'boolean|default:true' } });
      const db2 = await open(store);
      const r = db2.resource('p');
      expect(r.version).toBe('v1');
      expect(await r.get('one')).toEqual({ id: 'one', name: 'Ann', old: 5 });
      const head = await r.core.readRecord('one', 'head');
      expect(head).toMatchObject({ version: 'v0', complete: true });
      // An update rewrites it in the current version: fields the version dropped go, defaults apply.
      expect(await r.update('one', { name: 'Bo' })).toEqual({ id: 'one', name: 'Bo', fresh: true });
      expect((await r.core.readRecord('one', 'head'))!.version).toBe('v1');
    });

    it('rejects bad definitions with a clear error', async () => {
      const db = await open();
      await expect(db.createResource({ name: 'bad/name', attributes: {} })).rejects.toThrow(ValidationError);
      await expect(db.createResource({ name: 'x', attributes: { a: 'string|wat' } })).rejects.toThrow(
        /"a": unknown rule/,
      );
      await expect(db.createResource({ name: 'x', attributes: {}, behavior: 'nope' as never })).rejects.toThrow(
        /behavior/,
      );
      await expect(
        db.createResource({ name: 'x', attributes: { a: 'string' }, hooks: { beforeInsert: ['nope'] } }),
      ).rejects.toThrow(/Hook "nope"/);
      await expect(
        db.createResource({ name: 'x', attributes: {}, hooks: { beforeWat: ['n'] } as never }),
      ).rejects.toThrow(/event/);
      await expect(
        db.createResource({
          name: 'x',
          attributes: { s: 'secret' },
          partitions: { bySecret: { fields: { s: 'string' } } },
        }),
      ).rejects.toThrow(/secret/);
      await expect(
        db.createResource({ name: 'x', attributes: { a: 'string' }, partitions: { p: { fields: { zz: 'string' } } } }),
      ).rejects.toThrow(/zz/);
      expect(() => db.resource('bad/name')).toThrow(NotFoundError);
      await expect(db.resource('nope').get('x')).rejects.toThrow(NotFoundError);
      expect(db.hasResource('nope')).toBe(false);
      expect(() => new Database({} as never)).toThrow(/store/);
      const unconnected = new Database({ store: await s.create() });
      await expect(unconnected.createResource({ name: 'x', attributes: {} })).rejects.toThrow(/connect/);
    });

    it('repairs a damaged s3db.json at connect, keeps a backup, and heal reports it', async () => {
      const store = await s.create();
      const db = await open(store);
      await db.createResource({ name: 'users', attributes: { name: 'string' } });
      await db.resource('users').insert({ id: 'u1', name: 'Ann' });
      const text = (await store.get(CATALOG_KEY))!.body.toString();
      const broken = text
        .replace(/"currentVersion"/, 'currentVersion')
        .replace(/\}\s*$/, '')
        .replace(/"v0"\n/, '"v0",\n');
      const parsed = JSON.parse(text) as { resources: { users: Record<string, unknown> } };
      delete parsed.resources.users.keyMap;
      await store.put(CATALOG_KEY, broken.replace(/"keyMap": \{[^}]*\},?/, ''));
      const db2 = await open(store);
      expect(await db2.resource('users').get('u1')).toEqual({ id: 'u1', name: 'Ann' });
      const report = await db2.heal({ dryRun: true });
      expect(report.problems.map((p) => p.kind)).toContain('catalog-invalid-json');
      expect(report.problems.every((p) => p.repaired)).toBe(true);
      expect(report.backups[0]).toMatch(/^s3db\.json\.corrupted\..*\.backup$/);
      expect(await store.get(report.backups[0]!)).not.toBeNull();
      const again = await (await open(store)).heal({ dryRun: false });
      expect(again.problems).toEqual([]);
    });

    it('heal with dryRun=false repairs a catalog damaged after connect', async () => {
      const store = await s.create();
      const db = await open(store);
      await db.createResource({ name: 'users', attributes: { name: 'string' } });
      const text = (await store.get(CATALOG_KEY))!.body.toString();
      await store.put(CATALOG_KEY, `${text.trimEnd().slice(0, -1)},`);
      const dry = await db.heal({});
      expect(dry.dryRun).toBe(true);
      expect(dry.repaired).toEqual([]);
      expect(dry.problems.length).toBeGreaterThan(0);
      const wet = await db.heal({ dryRun: false, resource: 'users' });
      expect(wet.repaired.length).toBeGreaterThan(0);
      expect(JSON.parse((await store.get(CATALOG_KEY))!.body.toString())).toHaveProperty('resources.users');
    });

    it('reports stats by LIST', async () => {
      const db = await open();
      const { resource } = await db.createResource({ name: 'n', attributes: { a: 'string' } });
      await resource.insertMany([{ a: 'x' }, { a: 'y' }]);
      const stats = await db.getStats();
      expect(stats.resources).toMatchObject([{ name: 'n', count: 2 }]);
      expect(stats.resources[0]!.bytes).toBeGreaterThan(0);
      expect(stats.store).toBe(db.store.description);
      expect((await db.getStats({ resource: 'n' })).resources).toHaveLength(1);
    });

    it('surfaces a ConflictError class for duplicate ids', async () => {
      const db = await open();
      const { resource } = await db.createResource({ name: 'c', attributes: { a: 'string' } });
      await resource.insert({ id: 'k', a: '1' });
      await expect(resource.insert({ id: 'k', a: '2' })).rejects.toBeInstanceOf(ConflictError);
      expect(await resource.get('k')).toEqual({ id: 'k', a: '1' });
    });
  });
}
