// Benchmark of partitions and queries: requests per operation and latency on 1,000 and 10,000 documents.
// Run alone with `npx tsx bench/query-bench.ts`, or call runQueryBench() from the benchmark runner.
// Uses a ResourceAccess over the memory store until the Resource lands, so it measures the planner's own cost
// (each document read is one request either way).
import { MemoryStore, listPartitions, runCount, runQuery, type ObjectStore } from '../engine/index.js';
import { FakeResourceAccess } from '../test/support/fake-resource-access.js';

export interface QueryBenchRow {
  documents: number;
  operation: string;
  requests: number;
  ms: number;
  detail: string;
}

const REGIONS = ['US', 'EU', 'BR', 'JP', 'IN', 'CN', 'AU', 'ZA', 'CA', 'MX'];

export async function runQueryBench(
  sizes: number[] = [1000, 10_000],
  createStore: () => Promise<ObjectStore> = async () => new MemoryStore(),
): Promise<QueryBenchRow[]> {
  const rows: QueryBenchRow[] = [];
  for (const size of sizes) {
    const store = await createStore();
    const access = new FakeResourceAccess(store, {
      name: 'bench',
      fieldTypes: { region: 'string', n: 'number', note: 'string' },
      partitions: { byRegion: { fields: { region: 'string' } } },
      metadataFields: ['region', 'n'],
    });
    const docs = Array.from({ length: size }, (_, i) => ({
      id: `d${String(i).padStart(6, '0')}`,
      region: REGIONS[i % REGIONS.length]!,
      n: i,
      note: `note ${i}`,
    }));
    await access.insertMany(docs);
    const measure = async (operation: string, fn: () => Promise<{ requests: number; detail: string }>) => {
      const start = performance.now();
      const { requests, detail } = await fn();
      rows.push({ documents: size, operation, requests, ms: Math.round(performance.now() - start), detail });
    };
    await measure('partition query (limit 100)', async () => {
      const r = await runQuery(access, { filter: { region: 'EU' } });
      return { requests: r.plan.requests, detail: `${r.records.length} records, ${r.plan.strategy}` };
    });
    await measure('scan query $gte (HEAD first)', async () => {
      const r = await runQuery(access, { filter: { n: { $gte: size - 10 } } });
      return { requests: r.plan.requests, detail: `${r.records.length} records, ${r.plan.strategy}` };
    });
    await measure('count partition', async () => {
      const r = await runCount(access, { filter: { region: 'EU' } });
      return { requests: r.plan.requests, detail: `count ${r.count}` };
    });
    await measure('count all', async () => {
      const r = await runCount(access, {});
      return { requests: r.plan.requests, detail: `count ${r.count}` };
    });
    await measure('listPartitions byRegion', async () => {
      store.resetRequestCounts();
      const [listing] = await listPartitions(access, 'byRegion');
      return { requests: store.requestCounts().total, detail: `${listing!.values!.length} values` };
    });
    await store.close();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runQueryBench();
  process.stdout.write(
    rows.map((r) => `${r.documents}\t${r.operation}\t${r.requests} req\t${r.ms} ms\t${r.detail}`).join('\n') + '\n',
  );
}
