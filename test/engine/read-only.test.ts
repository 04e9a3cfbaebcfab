// readOnly changes nothing in the store, byte for byte (every key and ETag), with every plugin on, whether the
// store is empty, holds a damaged catalog or is populated; and a store that ignores conditional writes is
// refused for writing with an error naming it.
import { afterAll, describe, expect, it } from 'vitest';
import { Database, MemoryStore, type ObjectStore, type PutOptions } from '../../engine/index.js';
import { listAll } from '../../engine/internal.js';
import { buildPlugins, openDatabase, createLogger } from '../../server/index.js';
import { testStores } from '../support/stores.js';
import { testConfig } from '../mcp/support/connect.js';

async function snapshot(store: ObjectStore): Promise<string[]> {
  const out: string[] = [];
  for await (const o of listAll(store, '')) out.push(`${o.key} ${o.etag} ${o.size}`);
  return out;
}

const allPlugins = () =>
  buildPlugins({ plugins: ['metrics', 'cache', 'audit', 'fulltext'], cacheDriver: 's3', fulltext: 'notes:text' });

async function populate(store: ObjectStore): Promise<void> {
  const db = new Database({ store, passphrase: 'pw' });
  await db.connect();
  await db.createResource({
    name: 'notes',
    attributes: { text: 'string', kind: 'string', token: 'secret|optional' },
    partitions: { byKind: { fields: { kind: 'string' } } },
  });
  await db
    .resource('notes')
    .insertMany(
      Array.from({ length: 6 }, (_, i) => ({ id: `n${i}`, text: `note ${i}`, kind: i % 2 ? 'a' : 'b', token: 't' })),
    );
}

async function damage(store: ObjectStore, text: string): Promise<void> {
  await store.put('s3db.json', text, {}, { contentType: 'application/json' });
}

const SCENARIOS: [string, (s: ObjectStore) => Promise<void>][] = [
  ['an empty store', async () => {}],
  ['a populated store', populate],
  [
    'a catalog with "resources": null',
    async (s) => {
      await populate(s);
      await damage(s, '{"version":"1","resources":null}');
    },
  ],
  [
    'a garbage catalog',
    async (s) => {
      await populate(s);
      await damage(s, '\u0000garbage{{');
    },
  ],
  [
    'a missing catalog',
    async (s) => {
      await populate(s);
      await s.delete('s3db.json');
    },
  ],
];

for (const s of testStores()) {
  describe.skipIf(s.skipped !== undefined)(`read-only on ${s.name}`, () => {
    afterAll(() => s.cleanup?.());

    for (const [label, prepare] of SCENARIOS) {
      it(`changes nothing on ${label}`, async () => {
        const store = await s.create();
        await prepare(store);
        const before = await snapshot(store);
        const db = new Database({ store, readOnly: true, plugins: allPlugins(), passphrase: 'pw' });
        await db.connect();
        const names = db.listResources().map((r) => r.name);
        if (label !== 'an empty store') expect(names).toContain('notes');
        if (names.includes('notes')) {
          const notes = db.resource('notes');
          for (let i = 0; i < 2; i++) {
            await notes.query({ limit: 3 });
            await notes.getOrNull('n1');
            await notes.count();
            await notes.list();
          }
          await expect(notes.insert({ text: 'x', kind: 'a' })).rejects.toMatchObject({ code: 'CONFIG' });
          await expect(notes.update('n1', { text: 'y' })).rejects.toMatchObject({ code: 'CONFIG' });
          await expect(notes.delete('n1')).rejects.toMatchObject({ code: 'CONFIG' });
        }
        await db.getStats();
        const report = await db.heal({ dryRun: true });
        if (label.includes('catalog')) expect(report.problems.length).toBeGreaterThan(0);
        await expect(db.heal({ dryRun: false })).rejects.toMatchObject({ code: 'CONFIG' });
        await expect(db.createResource({ name: 'other', attributes: { a: 'string' } })).rejects.toMatchObject({
          code: 'CONFIG',
          message: expect.stringContaining('read-only'),
        });
        await db.close();
        expect(await snapshot(store)).toEqual(before);
      });
    }
  });
}

describe('the server opens read-only when told', () => {
  it('--read-only reaches the engine: an empty directory stays empty', async () => {
    const { mkdtemp, readdir, rm } = await import('node:fs/promises');
    const dir = await mkdtemp(`${(await import('node:os')).tmpdir()}/s3db-ro-`);
    try {
      const config = testConfig({ connectionString: `file://${dir}`, readOnly: true, plugins: ['audit', 'cache'] });
      const db = await openDatabase(config, createLogger(config));
      expect(db.readOnly).toBe(true);
      await db.close();
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** An S3 endpoint that accepts conditional PUTs and ignores the condition (as some emulators do). */
function ignoringConditions(ignore: 'ifNoneMatch' | 'ifMatch') {
  const inner = new MemoryStore();
  const state = { ignoring: true };
  const store: ObjectStore = {
    kind: 's3',
    description: 'http://emulator.test/bucket',
    get: (k) => inner.get(k),
    head: (k) => inner.head(k),
    list: (o) => inner.list(o),
    delete: (k) => inner.delete(k),
    deleteMany: (k) => inner.deleteMany(k),
    put: (key, body, metadata, options: PutOptions = {}) => {
      const { [ignore]: _dropped, ...kept } = options;
      return inner.put(key, body, metadata, state.ignoring ? kept : options);
    },
    requestCounts: () => inner.requestCounts(),
    resetRequestCounts: () => inner.resetRequestCounts(),
    close: () => inner.close(),
  };
  return { store, state };
}

describe('a store that ignores conditional writes', () => {
  for (const ignore of ['ifNoneMatch', 'ifMatch'] as const) {
    it(`is refused for writing when it ignores ${ignore}, naming the store and the condition`, async () => {
      const { store } = ignoringConditions(ignore);
      const db = new Database({ store });
      const err = await db.connect().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({
        code: 'CONFIG',
        message: expect.stringContaining(store.description),
        details: { ignoredCondition: ignore === 'ifMatch' ? 'If-Match' : 'If-None-Match: *' },
      });
      expect((await snapshot(store)).filter((k) => !k.startsWith('s3db.json'))).toEqual([]);
    });
  }

  it('reads a populated store that ignores conditions, refuses writes, and is not probed when read-only', async () => {
    const { store, state } = ignoringConditions('ifMatch');
    state.ignoring = false;
    await populate(store); // written while the endpoint still honoured conditions
    state.ignoring = true;
    const db = new Database({ store });
    await db.connect();
    expect((await db.resource('notes').get('n1')).text).toBe('note 1');
    await expect(db.resource('notes').update('n1', { text: 'z' })).rejects.toMatchObject({ code: 'CONFIG' });
    store.resetRequestCounts();
    const ro = new Database({ store, readOnly: true });
    await ro.connect();
    await ro.resource('notes').get('n1');
    expect(store.requestCounts().byOperation.PutObject).toBe(0);
  });

  for (const s of testStores().filter((t) => t.name !== 'memory' && t.name !== 'file')) {
    it.skipIf(s.skipped !== undefined)(`passes on ${s.name} in 4 requests, once per database`, async () => {
      const store = await s.create();
      const db = new Database({ store });
      await db.connect();
      const after = store.requestCounts();
      await db.createResource({ name: 'a', attributes: { x: 'string' } });
      await db.createResource({ name: 'b', attributes: { x: 'string' } });
      expect(store.requestCounts().byOperation.DeleteObject).toBe(after.byOperation.DeleteObject);
      expect(after.byOperation.DeleteObject).toBe(1);
      expect(await snapshot(store)).toEqual([expect.stringMatching(/^s3db\.json /)]);
    });
  }
});
