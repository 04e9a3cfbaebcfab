// Partition and query benchmark on the real engine: partition query, scan query with an operator, count
// (partition, all, scan) and listPartitions — S3 requests per operation and latency, on N documents.
import { Database, type ObjectStore } from '../engine/index.js';
import { perOp } from './engine-bench.js';
import { summarize, timeOps, type Row } from './stats.js';

const REGIONS = ['US', 'EU', 'BR', 'JP', 'IN', 'CN', 'AU', 'ZA', 'CA', 'MX'];

export async function runPartitionBench(
  label: string,
  createStore: () => Promise<ObjectStore>,
  sizes: number[],
  options: { insertConcurrency?: number } = {},
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const size of sizes) {
    const store = await createStore();
    const db = new Database({ store, concurrency: 32 });
    await db.connect();
    const { resource } = await db.createResource({
      name: 'bench',
      attributes: { region: 'string', n: 'number', note: 'string' },
      partitions: { byRegion: { fields: { region: 'string' } } },
    });
    store.resetRequestCounts();
    const t0 = performance.now();
    const inserted = await resource.insertMany(
      Array.from({ length: size }, (_, i) => ({
        id: `d${String(i).padStart(6, '0')}`,
        region: REGIONS[i % REGIONS.length]!,
        n: i,
        note: `note ${i}`,
      })),
      { concurrency: options.insertConcurrency ?? 64 },
    );
    const insertSeconds = (performance.now() - t0) / 1000;
    if (inserted.errors.length > 0) throw new Error(`partition bench: ${inserted.errors.length} inserts failed`);
    rows.push({
      store: label,
      docs: size,
      operation: `insertMany (concurrency ${options.insertConcurrency ?? 64})`,
      'requests/op': perOp(store.requestCounts(), size),
      'p50 ms': '',
      'p95 ms': '',
      'p99 ms': '',
      detail: `${Math.round(size / insertSeconds)} docs/s`,
    });
    // Scans read every document: fewer repeats on big sets.
    const cheap = 20;
    const scan = size >= 10_000 ? 2 : 5;
    const ops: [string, number, () => Promise<string>][] = [
      [
        'query partition region=EU (limit 100)',
        cheap,
        async () => {
          const r = await resource.query({ filter: { region: 'EU' }, limit: 100 });
          return `${r.records.length} records, ${r.plan.strategy}`;
        },
      ],
      [
        'query scan n >= N-10 ($gte)',
        scan,
        async () => {
          const r = await resource.query({ filter: { n: { $gte: size - 10 } } });
          return `${r.records.length} records, ${r.plan.strategy}`;
        },
      ],
      [
        'count partition region=EU',
        cheap,
        async () => {
          const r = await resource.count({ filter: { region: 'EU' } });
          return `count ${r.count}, ${r.plan.strategy}`;
        },
      ],
      [
        'count all',
        cheap,
        async () => {
          const r = await resource.count();
          return `count ${r.count}, ${r.plan.strategy}`;
        },
      ],
      [
        'count scan n < 100 ($lt)',
        scan,
        async () => {
          const r = await resource.count({ filter: { n: { $lt: 100 } } });
          return `count ${r.count}, ${r.plan.strategy}`;
        },
      ],
      [
        'listPartitions byRegion',
        cheap,
        async () => {
          const [listing] = await resource.listPartitions('byRegion');
          return `${listing?.values?.length ?? 0} values`;
        },
      ],
    ];
    for (const [operation, repeats, op] of ops) {
      let detail = '';
      store.resetRequestCounts();
      const timing = await timeOps(repeats, 1, async () => {
        detail = await op();
      });
      const s = summarize(timing);
      rows.push({
        store: label,
        docs: size,
        operation,
        'requests/op': perOp(store.requestCounts(), repeats),
        'p50 ms': s['p50 ms'],
        'p95 ms': s['p95 ms'],
        'p99 ms': s['p99 ms'],
        detail,
      });
    }
    await db.close();
    await store.close();
  }
  return rows;
}
