// The planner's choices and exact request counts, cursor paging (also under concurrent inserts), explain,
// count by LIST, listPartitions and heal, over a test-only ResourceAccess on the memory store.
import { afterAll, describe, expect, it } from 'vitest';
import type { Document, ObjectStore } from '../../engine/index.js';
import { healPartitions, listPartitions, runCount, runQuery } from '../../engine/query/index.js';
import { FakeResourceAccess } from '../support/fake-resource-access.js';
import { testStores } from '../support/stores.js';
import { rejection } from '../support/errors.js';

const fieldTypes = { region: 'string', tier: 'string', n: 'number', day: 'date', note: 'string' };
const partitions = {
  byRegion: { fields: { region: 'string' } },
  byTierRegion: { fields: { tier: 'string', region: 'string' } },
  byDay: { fields: { day: 'date|maxlength:10' } },
};
const REGIONS = ['US', 'US-East', 'EU', 'BR', 'JP', 'IN', 'CN', 'AU', 'ZA', 'CA'];

function makeDocs(count: number): Document[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `d${String(i).padStart(5, '0')}`,
    region: REGIONS[i % 10]!,
    tier: i % 3 === 0 ? 'gold' : 'basic',
    n: i,
    day: new Date(Date.UTC(2024, 0, 1 + (i % 7), i % 24)).toISOString(),
    note: `note ${i}`,
  }));
}

for (const testStore of testStores()) {
  describe.skipIf(testStore.skipped !== undefined)(testStore.name, () => {
    const stores: ObjectStore[] = [];
    afterAll(async () => {
      await Promise.all(stores.map((s) => s.close()));
    });
    const newStore = async () => {
      const store = await testStore.create();
      stores.push(store);
      return store;
    };
    async function setup(count: number, metadataFields: string[] = []) {
      const store = await newStore();
      const access = new FakeResourceAccess(store, { fieldTypes, partitions, metadataFields });
      await access.insertMany(makeDocs(count));
      store.resetRequestCounts();
      return { store, access };
    }

    describe('planner and request counts', () => {
      it('a partition query over 1,000 documents with 100 matches costs 1 LIST + 100 GETs', async () => {
        const { store, access } = await setup(1000);
        const result = await runQuery(access, { filter: { region: 'US' }, limit: 1000 });
        expect(result.records).toHaveLength(100);
        expect(result.records.every((d) => d.region === 'US')).toBe(true);
        expect(result.plan).toMatchObject({
          strategy: 'partition',
          partition: 'byRegion',
          prefix: 'resource=items/partition=byRegion/region=US/',
          requests: 101,
          scanned: 100,
        });
        expect(store.requestCounts().byOperation).toMatchObject({ ListObjectsV2: 1, GetObject: 100, HeadObject: 0 });
        expect(result.nextCursor).toBeUndefined();
      });

      it('prefers the partition with most fields and applies the rest of the filter', async () => {
        const { access } = await setup(300);
        const result = await runQuery(access, {
          filter: { $and: [{ region: 'EU' }, { tier: { $eq: 'gold' } }], n: { $gt: 100 } },
        });
        expect(result.plan.partition).toBe('byTierRegion');
        expect(result.records.map((d) => d.n)).toEqual([102, 132, 162, 192, 222, 252, 282]);
        expect(result.plan.requests).toBe(1 + 10); // 10 gold EU references, 7 match n > 100
      });

      it('explicit partition + values; bucketed day partition re-checks the bucket', async () => {
        const { access } = await setup(70);
        const result = await runQuery(access, { partition: 'byDay', partitionValues: { day: '2024-01-03' } });
        expect(result.plan.strategy).toBe('partition');
        expect(result.records).toHaveLength(10);
        expect(result.records.every((d) => (d.day as string).startsWith('2024-01-03'))).toBe(true);
        expect(await rejection(runQuery(access, { partition: 'nope', partitionValues: {} }))).toMatchObject({
          code: 'VALIDATION',
          message: expect.stringContaining('no partition "nope"'),
        });
        const missing = await rejection(
          runQuery(access, { partition: 'byTierRegion', partitionValues: { region: 'US' } }),
        );
        expect(missing.message).toContain('needs a value for "tier"');
      });

      it('region=US never matches region=US-East', async () => {
        const { access } = await setup(100);
        const result = await runQuery(access, { filter: { region: 'US' } });
        expect(new Set(result.records.map((d) => d.region))).toEqual(new Set(['US']));
      });

      it('id lookups are direct reads', async () => {
        const { store, access } = await setup(50);
        const result = await runQuery(access, { filter: { id: { $in: ['d00003', 'nope', 'd00001'] } } });
        expect(result.plan.strategy).toBe('ids');
        expect(result.records.map((d) => d.id)).toEqual(['d00001', 'd00003']);
        expect(result.plan.requests).toBe(3);
        expect(store.requestCounts().byOperation.ListObjectsV2).toBe(0);
      });

      it('a scan reads metadata with HEAD and GETs only the matches', async () => {
        const { store, access } = await setup(100, ['n']);
        const result = await runQuery(access, { filter: { n: { $gte: 95 } } });
        expect(result.plan.strategy).toBe('scan');
        expect(result.records.map((d) => d.n)).toEqual([95, 96, 97, 98, 99]);
        expect(result.records[0]!.note).toBe('note 95');
        expect(store.requestCounts().byOperation).toMatchObject({ ListObjectsV2: 1, HeadObject: 100, GetObject: 5 });
        expect(result.plan.requests).toBe(106);
      });

      it('a scan falls back to GET when the metadata lacks the filter fields', async () => {
        const { store, access } = await setup(100, ['n']);
        const result = await runQuery(access, {
          filter: { note: { $contains: 'note 9' } },
          limit: 1000,
          concurrency: 10,
        });
        expect(result.records).toHaveLength(11);
        expect(store.requestCounts().byOperation.HeadObject).toBeLessThanOrEqual(10);
        expect(result.plan.requests).toBe(store.requestCounts().total);
      });

      it('explain returns the plan from LISTs alone', async () => {
        const { store, access } = await setup(200);
        const result = await runQuery(access, { filter: { region: 'JP' }, explain: true });
        expect(result.records).toEqual([]);
        expect(result.plan).toMatchObject({ strategy: 'partition', estimatedRequests: 21, requests: 1, scanned: 0 });
        expect(store.requestCounts().byOperation.GetObject).toBe(0);
      });

      it('skips references to missing documents and counts them', async () => {
        const { store, access } = await setup(20);
        await store.delete(access.dataKey('d00000'));
        const result = await runQuery(access, { filter: { region: 'US' } });
        expect(result.records.map((d) => d.id)).toEqual(['d00010']);
        expect(result.plan.skippedReferences).toBe(1);
      });
    });

    describe('paging', () => {
      it('pages a scan with no duplicates or gaps', async () => {
        const { access } = await setup(95);
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await runQuery(access, { filter: { n: { $gte: 0 } }, limit: 10, ...(cursor ? { cursor } : {}) });
          seen.push(...page.records.map((d) => d.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen).toEqual(makeDocs(95).map((d) => d.id));
      });

      it('a partition page of N costs 1 LIST + N GETs, and concurrent inserts never duplicate or drop', async () => {
        const { store, access } = await setup(500);
        const expected = makeDocs(500)
          .filter((d) => d.region === 'EU')
          .map((d) => d.id);
        const seen: string[] = [];
        let cursor: string | undefined;
        let extra = 0;
        let fullPages = 0;
        do {
          store.resetRequestCounts();
          const page = await runQuery(access, { filter: { region: 'EU' }, limit: 7, ...(cursor ? { cursor } : {}) });
          if (page.records.length === 7) {
            expect(page.plan.requests).toBe(8);
            fullPages++;
          }
          seen.push(...page.records.map((d) => d.id));
          cursor = page.nextCursor;
          // Concurrent writers: new EU documents sorting before and after the cursor.
          await access.insert({ id: `a-new-${extra}`, region: 'EU', tier: 'basic', n: -1 });
          await access.insert({ id: `z-new-${extra++}`, region: 'EU', tier: 'basic', n: -1 });
        } while (cursor);
        expect(fullPages).toBeGreaterThan(1);
        const pre = seen.filter((id) => id.startsWith('d'));
        expect(pre).toEqual(expected);
        expect(new Set(seen).size).toBe(seen.length);
      });

      it('sorted pages resume after the last sort key + id', async () => {
        const { access } = await setup(60);
        const seen: Document[] = [];
        let cursor: string | undefined;
        do {
          const page = await runQuery(access, {
            filter: { tier: 'gold' },
            sort: { region: 1, n: -1 },
            fields: ['region', 'n'],
            limit: 6,
            ...(cursor ? { cursor } : {}),
          });
          seen.push(...page.records);
          cursor = page.nextCursor;
        } while (cursor);
        const gold = makeDocs(60).filter((d) => d.tier === 'gold');
        const sorted = [...gold].sort((a, b) =>
          a.region === b.region
            ? (b.n as number) - (a.n as number)
            : (a.region as string) < (b.region as string)
              ? -1
              : 1,
        );
        expect(seen.map((d) => d.id)).toEqual(sorted.map((d) => d.id));
        expect(Object.keys(seen[0]!).sort()).toEqual(['id', 'n', 'region']);
      });

      it('rejects a cursor from another query', async () => {
        const { access } = await setup(30);
        const page = await runQuery(access, { filter: { region: 'US' }, limit: 1 });
        expect(page.nextCursor).toBeDefined();
        const e = await rejection(runQuery(access, { filter: { region: 'EU' }, cursor: page.nextCursor! }));
        expect(e.message).toMatch(/different query/);
        expect((await rejection(runQuery(access, { cursor: 'garbage' }))).code).toBe('VALIDATION');
      });
    });

    describe('count', () => {
      it('counts a partition by LIST only, and the resource by LIST of the data prefix', async () => {
        const { store, access } = await setup(1100);
        const byPartition = await runCount(access, { filter: { region: 'US' } });
        expect(byPartition.count).toBe(110);
        expect(byPartition.plan.requests).toBe(1);
        const all = await runCount(access, {});
        expect(all.count).toBe(1100);
        expect(all.plan.requests).toBe(2);
        expect(store.requestCounts().byOperation).toMatchObject({ GetObject: 0, HeadObject: 0, ListObjectsV2: 3 });
      });

      it('counts with a residual filter through the planner', async () => {
        const { access } = await setup(100);
        const result = await runCount(access, { filter: { region: 'US', n: { $lt: 50 } } });
        expect(result.count).toBe(5);
        expect(result.plan.requests).toBe(1 + 10);
      });
    });

    describe('listPartitions', () => {
      it('lists partitions, then distinct values with counts by LIST only, decoded exactly', async () => {
        const store = await newStore();
        const access = new FakeResourceAccess(store, { fieldTypes, partitions });
        const values = ['a/b', 'x=y', '../..', '%2F', '🦄', '', 'US', 'US-East', 'z'.repeat(400)];
        for (const [i, region] of values.entries()) {
          await access.insert({ id: `r${i}a`, region, tier: 't' });
          await access.insert({ id: `r${i}b`, region, tier: 't' });
        }
        expect((await listPartitions(access)).map((p) => p.name)).toEqual(['byRegion', 'byTierRegion', 'byDay']);
        store.resetRequestCounts();
        const [listing] = await listPartitions(access, 'byRegion');
        expect(store.requestCounts().byOperation).toMatchObject({ ListObjectsV2: 1, GetObject: 0, HeadObject: 0 });
        const got = listing!.values!;
        expect(got.every((v) => v.count === 2)).toBe(true);
        expect(
          got
            .filter((v) => !v.truncated)
            .map((v) => v.values.region)
            .sort(),
        ).toEqual(values.slice(0, -1).sort());
        expect(got.find((v) => v.truncated)!.values.region).toMatch(/^z+$/);
        // Values come back usable as partitionValues.
        const q = await runQuery(access, { partition: 'byRegion', partitionValues: { region: '../..' } });
        expect(q.records.map((d) => d.id)).toEqual(['r2a', 'r2b']);
        const long = await runQuery(access, { filter: { region: 'z'.repeat(400) } });
        expect(long.records).toHaveLength(2);
      });
    });

    describe('healPartitions', () => {
      it('finds orphan, missing and stale references, and repairs unless dry run', async () => {
        const { store, access } = await setup(30);
        await store.delete(access.dataKey('d00001')); // orphans: byRegion, byTierRegion, byDay refs of d00001
        await access.insertDataOnly({ id: 'x1', region: 'EU', tier: 'gold' }); // missing 2 refs
        const moved = { ...makeDocs(3)[2]!, region: 'JP' }; // crash after the data write of an update
        await access.insertDataOnly(moved);

        await store.put('resource=items/partition=byGone/x=1/id=d00003', '');
        const dry = await healPartitions(access, { dryRun: true });
        const kinds = dry.map((p) => p.kind).sort();
        expect(kinds).toEqual([
          'missing-reference',
          'missing-reference',
          'missing-reference',
          'missing-reference',
          'orphan-reference',
          'orphan-reference',
          'orphan-reference',
          'orphan-reference',
          'stale-reference',
          'stale-reference',
        ]);
        expect(dry.every((p) => !p.repaired)).toBe(true);
        expect((await healPartitions(access, { dryRun: true })).length).toBe(10);

        const fixed = await healPartitions(access, { dryRun: false });
        expect(fixed.every((p) => p.repaired)).toBe(true);
        expect(await healPartitions(access, { dryRun: true })).toEqual([]);
        const jp = await runQuery(access, { filter: { region: 'JP' } });
        expect(jp.records.map((d) => d.id)).toContain('d00002');
        expect(jp.plan.skippedReferences).toBeUndefined();
      });
    });
  });
}
