// Benchmark of the replicator: writes with replication to a real PostgreSQL and to a second bucket — write
// throughput, replication throughput (writes until every state reached the target), the lag from a write's
// acknowledgement to its delivery (p50/p95/max) and the source bucket requests per write (outbox entry, revision,
// re-reads). Run alone with `npx tsx bench/replication-bench.ts` (memory store), or from `npm run bench`.
import {
  Database,
  MemoryStore,
  PostgresTarget,
  ReplicatorPlugin,
  S3dbTarget,
  type ObjectStore,
  type ReplicationChange,
  type ReplicationTarget,
} from '../engine/index.js';
import { startPostgres } from '../test/support/postgres.js';
import { percentile, printTable, type Row } from './stats.js';

/** Records when each document state reached the wrapped target. */
function timed(target: ReplicationTarget, seen: Map<string, number>): ReplicationTarget {
  return Object.assign(Object.create(target) as ReplicationTarget, {
    apply: async (change: ReplicationChange) => {
      await target.apply(change);
      seen.set(change.id, performance.now());
    },
  });
}

export async function runReplicationBench(
  label: string,
  createStore: () => Promise<ObjectStore>,
  options: { documents?: number; concurrency?: number } = {},
): Promise<Row[]> {
  const documents = options.documents ?? 300;
  const concurrency = options.concurrency ?? 10;
  const postgres = await startPostgres();
  const rows: Row[] = [];
  try {
    const targets: [string, () => Promise<ReplicationTarget>][] = [
      ['postgres', async () => new PostgresTarget({ connectionString: postgres.url, tablePrefix: `b${Date.now()}_` })],
      ['second bucket', async () => new S3dbTarget({ connection: await createStore() })],
    ];
    for (const [name, make] of targets) {
      const delivered = new Map<string, number>();
      const acked = new Map<string, number>();
      const rep = new ReplicatorPlugin({ targets: [timed(await make(), delivered)], drainIntervalMs: 0 });
      const db = new Database({ store: await createStore(), plugins: [rep] });
      await db.connect();
      const { resource } = await db.createResource({
        name: 'events',
        attributes: { kind: 'string', n: 'number', payload: 'string' },
      });
      // Warm up (table creation, target resource) outside the timing.
      await resource.insert({ id: 'warm', kind: 'warm', n: -1, payload: '' });
      await rep.flush();
      db.store.resetRequestCounts();
      const start = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < documents) {
            const i = next++;
            const id = `e${i}`;
            await resource.insert({ id, kind: i % 2 ? 'click' : 'view', n: i, payload: 'x'.repeat(200) });
            acked.set(id, performance.now());
          }
        }),
      );
      const written = performance.now();
      await rep.flush();
      const done = performance.now();
      const requests = db.store.requestCounts().total;
      const lags = [...acked].map(([id, t]) => (delivered.get(id) ?? done) - t).sort((a, b) => a - b);
      const round = (x: number) => Math.round(x * 10) / 10;
      rows.push({
        store: label,
        target: name,
        writes: documents,
        'writes/s': Math.round(documents / ((written - start) / 1000)),
        'replicated/s': Math.round(documents / ((done - start) / 1000)),
        'lag p50 ms': round(percentile(lags, 50)),
        'lag p95 ms': round(percentile(lags, 95)),
        'lag max ms': round(lags.at(-1) ?? 0),
        'source requests/write': round(requests / documents),
      });
      await db.close();
    }
  } finally {
    await postgres.stop();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable(
    'Replication: throughput and lag (memory store)',
    await runReplicationBench('memory', async () => new MemoryStore()),
  );
}
