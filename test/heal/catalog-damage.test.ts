// The catalog heals from any damage without forgetting data: every damaged form of s3db.json (text that is not
// a catalog, an object the store cannot read, a directory in its place) is backed up when it can be read,
// rebuilt from the bucket, and the database starts with every document reachable.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Database, FileStore, MemoryStore, type ObjectStore } from '../../engine/index.js';
import { testStores } from '../support/stores.js';

async function populate(store: ObjectStore): Promise<void> {
  const db = new Database({ store });
  await db.connect();
  await db.createResource({ name: 'notes', attributes: { text: 'string' } });
  await db.createResource({ name: 'tags', attributes: { label: 'string' } });
  await db.resource('notes').insertMany(Array.from({ length: 5 }, (_, i) => ({ id: `n${i}`, text: `t${i}` })));
  await db.resource('tags').insert({ id: 'g', label: 'x' });
}

/**
 * Connects over the damaged store and checks that nothing was forgotten. `repaired`: the store could be written
 * (else the repair stays in memory and heal keeps reporting it); `backedUp`: undefined when either may happen.
 */
async function expectRecovered(store: ObjectStore, repaired: boolean, backedUp?: boolean): Promise<void> {
  const db = new Database({ store });
  await db.connect();
  expect(db.listResources().map((r) => r.name)).toEqual(['notes', 'tags']);
  expect((await db.resource('notes').count()).count).toBe(5);
  const doc = await db.resource('notes').get('n3');
  expect(Object.values(doc)).toContain('t3');
  const report = await db.heal({ dryRun: true });
  if (backedUp !== undefined) expect(report.backups.length > 0).toBe(backedUp);
  if (repaired) {
    expect(report.repaired.length).toBeGreaterThan(0);
    expect(report.problems.filter((p) => !p.repaired)).toEqual([]);
  } else {
    expect(report.problems.map((p) => p.kind)).toContain('catalog-unreadable');
  }
}

const TEXT_FORMS: [string, string][] = [
  ['"resources": null', '{"version":"1","s3dbVersion":"x","lastUpdated":"x","resources":null}'],
  ['resources a string', '{"version":"1","resources":"gone"}'],
  ['no resources', '{"version":"1"}'],
  ['an array', '[]'],
  ['garbage', '\u0000\u0001 not json at all {{{'],
  ['truncated', '{"version":"1","resources":{"notes":{"currentVersion":"v0","versions":{"v0":{"attr'],
  ['zero bytes', ''],
];

for (const s of testStores()) {
  describe.skipIf(s.skipped !== undefined)(`damaged s3db.json text on ${s.name}`, () => {
    afterAll(() => s.cleanup?.());
    for (const [label, text] of TEXT_FORMS) {
      it(`recovers from ${label}`, async () => {
        const store = await s.create();
        await populate(store);
        await store.put('s3db.json', text, {}, { contentType: 'application/json' });
        await expectRecovered(store, true, true);
      });
    }
  });
}

describe('damaged s3db.json text, property-based', () => {
  it('any text in place of the catalog: connect rebuilds, every resource and document is still there', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json().map((j) => `{"version":"1","resources":${j}}`),
          fc.nat(200).map((n) => n),
        ),
        async (damage) => {
          const store = new MemoryStore();
          await populate(store);
          const text =
            typeof damage === 'number' ? (await store.get('s3db.json'))!.body.toString().slice(0, damage) : damage;
          await store.put('s3db.json', text);
          const db = new Database({ store });
          await db.connect();
          expect(db.listResources().map((r) => r.name)).toEqual(['notes', 'tags']);
          expect((await db.resource('notes').count()).count).toBe(5);
        },
      ),
      // Always tried: a well-formed catalog that lists none of the bucket's resources (found by this property).
      { numRuns: 40, examples: [['{"version":"1","resources":{}}']] },
    );
  });
});

describe('a damaged catalog file on the file store', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  async function fileStore(): Promise<{ store: FileStore; file: string }> {
    const { mkdtemp } = await import('node:fs/promises');
    const os = await import('node:os');
    const dir = await mkdtemp(path.join(os.tmpdir(), 's3db-damage-'));
    dirs.push(dir);
    const store = new FileStore(dir);
    await populate(store);
    const name = (await readdir(dir)).find((f) => f.endsWith('s3db.json'))!;
    return { store, file: path.join(dir, name) };
  }

  for (const form of ['garbage', 'zero bytes', 'truncated', 'a directory'] as const) {
    it(`starts over ${form} in place of the object, rebuilt from the bucket`, async () => {
      const { store, file } = await fileStore();
      const bytes = await readFile(file);
      await rm(file);
      if (form === 'garbage') await writeFile(file, 'garbage \u0000 bytes');
      if (form === 'zero bytes') await writeFile(file, '');
      if (form === 'truncated') await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
      if (form === 'a directory') await mkdir(file);
      await expectRecovered(store, form !== 'a directory', form === 'truncated' ? undefined : false);
      if (form !== 'a directory')
        expect(JSON.parse((await store.get('s3db.json'))!.body.toString()).resources).toHaveProperty('notes');
    });
  }
});
