// Snapshot benchmark: requests and latency of a filter query returning 10 documents, a sorted query's first and
// fifth page, and a filtered count over N documents — without a snapshot, with a fresh one, and with 1% of the
// documents changed since it was built; plus the build itself, and the file store's LIST latency at 1k/20k keys.
import { Database, FileStore, type ObjectStore, type QueryResult } from '../engine/index.js';
import { mapLimit } from '../engine/internal.js';
import type { Row } from './stats.js';

const round = (x: number) => Math.round(x * 10) / 10;

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

interface Case {
  name: string;
  /** Untimed preparation (e.g. reading pages 1-4); its result is passed to `run`. */
  before?: (db: Database) => Promise<string | undefined>;
  run: (db: Database, cursor: string | undefined) => Promise<{ requests: number }>;
}

function cases(n: number): Case[] {
  const buckets = Math.max(1, Math.floor(n / 10));
  const page = (db: Database, cursor: string | undefined): Promise<QueryResult> =>
    db
      .resource('docs')
      .query({ sort: { n: -1 }, limit: 20, filter: { n: { $gte: 0 } }, ...(cursor ? { cursor } : {}) });
  const skip = async (db: Database, pages: number) => {
    let cursor: string | undefined;
    for (let p = 0; p < pages; p++) cursor = (await page(db, cursor)).nextCursor;
    return cursor;
  };
  return [
    {
      name: 'filter → 10 docs',
      run: async (db) => (await db.resource('docs').query({ filter: { bucket: 7 }, limit: 100 })).plan,
    },
    { name: 'sorted, page 1', run: async (db) => (await page(db, undefined)).plan },
    { name: 'sorted, page 5', before: (db) => skip(db, 4), run: async (db, cursor) => (await page(db, cursor)).plan },
    {
      name: 'filtered count',
      run: async (db) => (await db.resource('docs').count({ filter: { bucket: { $lt: buckets / 2 } } })).plan,
    },
  ];
}

/** Rows for one store and size. `create` gives a fresh empty store. */
export async function runSnapshotBench(label: string, create: () => Promise<ObjectStore>, n: number): Promise<Row[]> {
  const store = await create();
  const rows: Row[] = [];
  try {
    const db = new Database({ store, snapshots: { absentTtlMs: 0 } });
    const plain = new Database({ store, snapshots: false });
    await db.connect();
    const { resource } = await db.createResource({
      name: 'docs',
      attributes: { n: 'number', bucket: 'number', tag: 'string', text: 'string' },
    });
    const buckets = Math.max(1, Math.floor(n / 10));
    for (let start = 0; start < n; start += 1000) {
      const items = Array.from({ length: Math.min(1000, n - start) }, (_, i) => ({
        id: `d${String(start + i).padStart(7, '0')}`,
        n: start + i,
        bucket: (start + i) % buckets,
        tag: `t${(start + i) % 7}`,
        text: `document ${start + i} `.repeat(4),
      }));
      await resource.insertMany(items, { concurrency: 32 });
    }
    await plain.connect();
    const measure = async (variant: string, which: Database) => {
      for (const c of cases(n)) {
        const cursor = c.before ? await c.before(which) : undefined;
        const { value, ms } = await timed(() => c.run(which, cursor));
        rows.push({ store: label, docs: n, variant, query: c.name, requests: value.requests, ms: round(ms) });
        // Each figure as it comes: a long --large run that fails later still leaves what it measured.
        process.stderr.write(
          `[bench]   ${label} ${n} ${variant} · ${c.name}: ${value.requests} req, ${round(ms)} ms\n`,
        );
      }
    };
    await measure('no snapshot', plain);
    const build = await timed(() => db.buildSnapshot('docs'));
    rows.push({
      store: label,
      docs: n,
      variant: `build: ${build.value.segments} segment(s), ${Math.round(build.value.bytes / 1024)} KiB`,
      query: 'buildSnapshot',
      requests: build.value.requests,
      ms: round(build.ms),
    });
    await measure('snapshot, cold (segments fetched)', db);
    await measure('snapshot, warm', db);
    const changed = Math.max(1, Math.floor(n / 100));
    await mapLimit(
      Array.from({ length: changed }, (_, i) => i * 100),
      32,
      (i) => resource.update(`d${String(i).padStart(7, '0')}`, { tag: 'changed' }),
    );
    await measure('snapshot, 1% changed', db);
    await db.close();
    await plain.close();
  } finally {
    await store.close();
  }
  return rows;
}

/** File store LIST: the first 1,000-key page, a later page, and listing every key, at `sizes` keys. */
export async function runFileListBench(root: () => Promise<string>, sizes: number[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const size of sizes) {
    const store = new FileStore(await root());
    await mapLimit(
      Array.from({ length: size }, (_, i) => i),
      32,
      (i) => store.put(`resource=r/data/id=${String(i).padStart(6, '0')}`, `body ${i}`),
    );
    // Past the index's racy window (200 ms), as any directory not written in the last moment.
    await new Promise((r) => setTimeout(r, 300));
    const other = new FileStore(store.root); // a fresh process's view: nothing cached yet
    const cold = await timed(() => other.list({ prefix: 'resource=r/data/' }));
    const warm = await timed(() => other.list({ prefix: 'resource=r/data/' }));
    const middle = await timed(() =>
      other.list({
        prefix: 'resource=r/data/',
        startAfter: `resource=r/data/id=${String(size >> 1).padStart(6, '0')}`,
      }),
    );
    const all = await timed(async () => {
      let count = 0;
      let token: string | undefined;
      do {
        const page = await other.list({ prefix: 'resource=r/data/', ...(token ? { continuationToken: token } : {}) });
        count += page.objects.length;
        token = page.nextContinuationToken;
      } while (token);
      return count;
    });
    await store.put('resource=r/data/id=zzz', 'new'); // a write: the next LIST re-reads that directory
    const afterWrite = await timed(() => other.list({ prefix: 'resource=r/data/' }));
    rows.push({
      keys: size,
      'first page, cold ms': round(cold.ms),
      'first page, cached ms': round(warm.ms),
      'middle page ms': round(middle.ms),
      'page after a write ms': round(afterWrite.ms),
      'all keys ms': round(all.ms),
      listed: all.value,
    });
  }
  return rows;
}
