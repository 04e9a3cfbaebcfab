// Benchmark of the counters (EventualConsistencyPlugin): concurrent writers add 1 to one document's counter while
// the plugin consolidates on an interval — increments/s (each one PUT of a transaction), and the consolidation
// lag: for the k-th acknowledged increment, the time until the document's field first read k or more
// (p50/p95/max), and from the last acknowledgement until it was exact; then one on-demand consolidation of a backlog
// (ms and bucket requests). Run alone with `npx tsx bench/counter-bench.ts` (memory store), or from `npm run bench`.
import { Database, EventualConsistencyPlugin, MemoryStore, type ObjectStore } from '../engine/index.js';
import { percentile, printTable, type Row } from './stats.js';

export async function runCounterBench(
  label: string,
  createStore: () => Promise<ObjectStore>,
  options: { writers?: number; increments?: number; intervalMs?: number } = {},
): Promise<Row[]> {
  const writers = options.writers ?? 20;
  const perWriter = options.increments ?? 25;
  const intervalMs = options.intervalMs ?? 250;
  const total = writers * perWriter;
  const round = (x: number) => Math.round(x * 10) / 10;

  // 1. Increments with the interval consolidator running; a reader polls the document's field (what a `get`
  // returns: consolidation writes the counter state, then copies its value into the document).
  const counters = new EventualConsistencyPlugin({
    resources: { accounts: ['balance'] },
    consolidateIntervalMs: intervalMs,
  });
  const db = new Database({ store: await createStore(), plugins: [counters] });
  await db.connect();
  const accounts = (await db.createResource({ name: 'accounts', attributes: { balance: 'number' } })).resource;
  await accounts.insert({ id: 'a1', balance: 0 });
  const acked: number[] = [];
  const reached: number[] = [];
  let writing = true;
  const reader = (async () => {
    while (writing || reached.length < total) {
      const v = Number((await accounts.get('a1')).balance);
      const now = performance.now();
      while (reached.length < Math.min(v, total)) reached.push(now);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let i = 0; i < perWriter; i++) {
        await counters.add('accounts', 'a1', 'balance', 1);
        acked.push(performance.now());
      }
    }),
  );
  const written = performance.now();
  writing = false;
  await reader;
  const exact = reached.at(-1)!;
  const lags = acked.map((t, k) => reached[k]! - t).sort((a, b) => a - b);
  const value = (await accounts.get('a1')).balance;
  await db.close();
  if (value !== total) throw new Error(`counter bench: the document says ${String(value)}, expected ${total}`);

  // 2. One consolidation of a backlog of `total` pending increments (interval off).
  const onDemand = new EventualConsistencyPlugin({ resources: { accounts: ['balance'] } });
  const db2 = new Database({ store: await createStore(), plugins: [onDemand] });
  await db2.connect();
  await db2.createResource({ name: 'accounts', attributes: { balance: 'number' } });
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next++ < total) await onDemand.add('accounts', 'a1', 'balance', 1);
    }),
  );
  db2.store.resetRequestCounts();
  const t0 = performance.now();
  const report = await onDemand.consolidate('accounts', 'a1', 'balance');
  const consolidateMs = performance.now() - t0;
  const requests = db2.store.requestCounts().total;
  await db2.close();
  if (report.value !== total) throw new Error(`counter bench: consolidated ${report.value}, expected ${total}`);

  return [
    {
      store: label,
      writers,
      increments: total,
      'increments/s': Math.round(total / ((written - start) / 1000)),
      'interval ms': intervalMs,
      'lag p50 ms': round(percentile(lags, 50)),
      'lag p95 ms': round(percentile(lags, 95)),
      'lag max ms': round(lags.at(-1) ?? 0),
      'exact after last ack ms': round(exact - written),
      'consolidate a backlog of all: ms': round(consolidateMs),
      'its requests': requests,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable(
    'Counters: increments/s and consolidation lag (memory store)',
    await runCounterBench('memory', async () => new MemoryStore(), { increments: 100 }),
  );
}
