// Queries through the real Resource: partition writes/moves/deletes seen by the planner, escaping round-trips,
// request counts, HEAD-first scans, secrets refused, cursors under concurrent inserts, counts and heal.
import { afterAll, describe, expect, it } from 'vitest';
import { Database, type ObjectStore } from '../../engine/index.js';
import { testStores } from '../support/stores.js';
import { rejection } from '../support/errors.js';

const REGIONS = ['US', 'US-East', 'EU', 'a/b', 'x=y', '../..', '🦄', '', '%2F', 'JP'];

for (const testStore of testStores()) {
  describe.skipIf(testStore.skipped !== undefined)(testStore.name, () => {
    const stores: ObjectStore[] = [];
    afterAll(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await testStore.cleanup?.();
    });

    async function setup(count: number) {
      const store = await testStore.create();
      stores.push(store);
      const db = new Database({ store, passphrase: 'query-test-passphrase' });
      await db.connect();
      const { resource } = await db.createResource({
        name: 'people',
        attributes: { region: 'string', tier: 'string', n: 'number', note: 'string', pin: 'secret' },
        partitions: {
          byRegion: { fields: { region: 'string' } },
          byTierRegion: { fields: { tier: 'string', region: 'string' } },
        },
      });
      const items = Array.from({ length: count }, (_, i) => ({
        id: `p${String(i).padStart(5, '0')}`,
        region: REGIONS[i % REGIONS.length]!,
        tier: i % 2 === 0 ? 'gold' : 'basic',
        n: i,
        note: `note ${i}`,
      }));
      const result = await resource.insertMany(items);
      expect(result.errors).toEqual([]);
      store.resetRequestCounts();
      return { store, db, resource };
    }

    it('a partition query over 1,000 documents with 100 matches costs 1 LIST + 100 GETs', async () => {
      const { store, resource } = await setup(1000);
      const result = await resource.query({ filter: { region: 'EU' }, limit: 500 });
      expect(result.records).toHaveLength(100);
      expect(result.records.every((d) => d.region === 'EU')).toBe(true);
      expect(result.plan).toMatchObject({ strategy: 'partition', partition: 'byRegion', requests: 101 });
      expect(store.requestCounts().byOperation).toMatchObject({ ListObjectsV2: 1, GetObject: 100 });
      const count = await resource.count({ filter: { region: 'EU' } });
      expect(count).toMatchObject({ count: 100, plan: { requests: 1 } });
    });

    it('escaped values round-trip through listPartitions and back into a query', async () => {
      const { resource } = await setup(40);
      const [listing] = await resource.listPartitions('byRegion');
      expect(listing!.values!.map((v) => v.values.region).sort()).toEqual([...REGIONS].sort());
      expect(listing!.values!.every((v) => v.count === 4)).toBe(true);
      for (const region of REGIONS) {
        const page = await resource.query({ partition: 'byRegion', partitionValues: { region } });
        expect(page.records.map((d) => d.region)).toEqual([region, region, region, region]);
      }
    });

    it('follows updates that move a document and deletes', async () => {
      const { resource } = await setup(20);
      await resource.update('p00002', { region: 'JP' });
      await resource.delete('p00009');
      const jp = await resource.query({ filter: { region: 'JP' } });
      expect(jp.records.map((d) => d.id)).toEqual(['p00002', 'p00019']);
      const eu = await resource.query({ filter: { region: 'EU' } });
      expect(eu.records.map((d) => d.id)).toEqual(['p00012']);
    });

    it('scans with operators, sorts and projects; refuses secrets and unknown fields', async () => {
      const { store, resource } = await setup(30);
      const result = await resource.query({
        filter: { $or: [{ n: { $lt: 3 } }, { note: { $startsWith: 'note 2' } }], $not: { tier: 'basic' } },
        sort: { n: -1 },
        fields: ['n'],
      });
      expect(result.plan.strategy).toBe('scan');
      // Small documents live wholly in metadata: the scan is LIST + one HEAD each, no GET.
      expect(result.plan.requests).toBe(31);
      expect(store.requestCounts().byOperation).toMatchObject({ ListObjectsV2: 1, HeadObject: 30, GetObject: 0 });
      expect(result.records).toEqual([
        { id: 'p00028', n: 28 },
        { id: 'p00026', n: 26 },
        { id: 'p00024', n: 24 },
        { id: 'p00022', n: 22 },
        { id: 'p00020', n: 20 },
        { id: 'p00002', n: 2 },
        { id: 'p00000', n: 0 },
      ]);
      expect((await rejection(resource.query({ filter: { pin: '1234' } }))).message).toMatch(/secret/);
      expect((await rejection(resource.query({ filter: { regoin: 'EU' } }))).hint).toContain('region');
    });

    it('pages with a cursor, exactly once per pre-existing match, while documents are inserted', async () => {
      const { resource } = await setup(200);
      const seen: string[] = [];
      let cursor: string | undefined;
      let i = 0;
      do {
        const page = await resource.query({
          filter: { tier: 'gold', n: { $gte: 0 } },
          limit: 9,
          ...(cursor ? { cursor } : {}),
        });
        seen.push(...page.records.map((d) => d.id));
        cursor = page.nextCursor;
        await resource.insert({ id: `a${i}`, region: 'EU', tier: 'gold', n: 1 });
        await resource.insert({ id: `z${i++}`, region: 'EU', tier: 'gold', n: 1 });
      } while (cursor);
      const pre = seen.filter((id) => id.startsWith('p'));
      expect(pre).toEqual(Array.from({ length: 100 }, (_, k) => `p${String(k * 2).padStart(5, '0')}`));
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('heal finds and repairs a missing and an orphan reference', async () => {
      const { store, db, resource } = await setup(10);
      await store.delete('resource=people/partition=byRegion/region=EU/id=p00002');
      await store.delete(resource.core.dataKey('p00003'));
      const dry = await db.heal({ dryRun: true });
      const kinds = dry.problems.map((p) => p.kind);
      expect(kinds.filter((k) => k === 'missing-reference')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'orphan-reference')).toHaveLength(2);
      await db.heal({ dryRun: false });
      expect((await db.heal({ dryRun: true })).problems).toEqual([]);
      expect((await resource.query({ filter: { region: 'EU' } })).records.map((d) => d.id)).toEqual(['p00002']);
    });
  });
}
