// Benchmark of the cache plugin: S3 requests and latency per repeated get / query / count, without a cache and
// with the memory and s3 drivers. Run alone with `npx tsx bench/cache-bench.ts` (memory store), or call
// runCacheBench(createStore) from the benchmark runner with an S3 store.
import { CachePlugin, Database, MemoryStore, type ObjectStore, type Plugin } from '../engine/index.js';
import { printTable, summarize, timeOps, type Row } from './stats.js';

const REGIONS = ['US', 'EU', 'BR', 'JP'];

export async function runCacheBench(
  createStore: () => Promise<ObjectStore> = async () => new MemoryStore(),
  options: { documents?: number; repeats?: number } = {},
): Promise<Row[]> {
  const documents = options.documents ?? 200;
  const repeats = options.repeats ?? 200;
  const modes: [string, () => Plugin[]][] = [
    ['no cache', () => []],
    ['memory cache', () => [new CachePlugin({ driver: 'memory' })]],
    ['s3 cache', () => [new CachePlugin({ driver: 's3' })]],
  ];
  const rows: Row[] = [];
  for (const [mode, plugins] of modes) {
    const db = new Database({ store: await createStore(), plugins: plugins() });
    await db.connect();
    const { resource } = await db.createResource({
      name: 'bench',
      attributes: { region: 'string', n: 'number' },
      partitions: { byRegion: { fields: { region: 'string' } } },
    });
    await resource.insertMany(
      Array.from({ length: documents }, (_, i) => ({ id: `d${i}`, region: REGIONS[i % REGIONS.length]!, n: i })),
    );
    const ops: [string, (i: number) => Promise<unknown>][] = [
      ['get (10 ids, repeated)', (i) => resource.get(`d${i % 10}`)],
      ['query partition EU limit 20', () => resource.query({ filter: { region: 'EU' }, limit: 20 })],
      ['count all', () => resource.count()],
    ];
    for (const [operation, op] of ops) {
      db.store.resetRequestCounts();
      const timing = await timeOps(repeats, 1, op);
      rows.push({
        mode,
        operation,
        calls: repeats,
        'requests/call': Math.round((db.store.requestCounts().total / repeats) * 100) / 100,
        ...summarize(timing),
      });
    }
    await db.close();
    await db.store.close();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable('Cache plugin: requests per repeated call (memory store)', await runCacheBench());
}
