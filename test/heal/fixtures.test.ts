// Heal over the fixture corpus: each damaged bucket gets the expected report (dry run writes nothing), is repaired, and a second heal finds nothing.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Database, type HealProblem, type HealReport, type ObjectStore } from '../../engine/index.js';
import type { HealFixture } from '../fixtures/heal/fixture.js';
import { testStores } from '../support/stores.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/heal/cases');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({
    name: f.replace(/\.json$/, ''),
    ...(JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as HealFixture),
  }));

const mask = (s: string) => s.replace(/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z/g, '<ts>');
const line = (p: HealProblem) => `[${p.repaired ? 'x' : ' '}] ${p.kind} ${p.resource ?? '-'} ${p.key ?? '-'}`;
const lines = (r: HealReport) => r.problems.map(line);

function writes(store: ObjectStore): number {
  const { byOperation: c } = store.requestCounts();
  return c.PutObject + c.DeleteObject + c.DeleteObjects;
}

async function load(store: ObjectStore, fixture: HealFixture): Promise<void> {
  for (const o of fixture.objects) {
    const body = o.bodyBase64 !== undefined ? Buffer.from(o.bodyBase64, 'base64') : Buffer.from(o.body ?? '', 'utf8');
    await store.put(o.key, body, o.metadata, o.contentType ? { contentType: o.contentType } : {});
  }
}

it('the corpus holds at least 20 damaged buckets', () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(20);
});

for (const s of testStores()) {
  describe.skipIf(s.skipped !== undefined)(s.name, () => {
    afterAll(() => s.cleanup?.());

    for (const fixture of fixtures) {
      it(`${fixture.name}: ${fixture.description}`, async () => {
        const store = await s.create();
        await load(store, fixture);
        const db = new Database({ store });
        await db.connect();

        store.resetRequestCounts();
        const dry = await db.heal({ dryRun: true, quarantine: true });
        expect(writes(store)).toBe(0);
        expect(dry.dryRun).toBe(true);
        expect(lines(dry)).toEqual(fixture.expect.dryRun);
        expect(dry.repaired).toEqual(dry.problems.filter((p) => p.repaired));

        const real = await db.heal({ dryRun: false, quarantine: true });
        expect(lines(real)).toEqual(fixture.expect.repair);
        expect(real.repaired).toHaveLength(real.problems.length);
        expect(real.backups.map(mask).sort()).toEqual(fixture.expect.backups);
        for (const key of real.backups) expect(await store.get(key), key).not.toBeNull();

        // A fresh process finds nothing left to heal, and its connect and dry run write nothing.
        store.resetRequestCounts();
        const db2 = new Database({ store });
        await db2.connect();
        const again = await db2.heal({ dryRun: true });
        expect(lines(again)).toEqual([]);
        expect(writes(store)).toBe(0);

        const catalog: HealFixture['expect']['catalog'] = {};
        for (const r of db2.listResources()) {
          const d = db2.describeResource(r.name);
          catalog[r.name] = {
            currentVersion: d.currentVersion,
            versions: Object.keys(d.versions).sort(),
            attributes: Object.keys(d.attributes).sort(),
            partitions: Object.keys(d.partitions).sort(),
          };
        }
        expect(catalog).toEqual(fixture.expect.catalog);
        const documents: Record<string, string[]> = {};
        for (const name of Object.keys(catalog)) {
          const { ids } = await db2.resource(name).listIds({ limit: 1000 });
          const { records, missing } = await db2.resource(name).getMany(ids);
          expect(missing).toEqual([]);
          documents[name] = records.map((r) => r.id).sort();
        }
        expect(documents).toEqual(fixture.expect.documents);
      });
    }
  });
}
