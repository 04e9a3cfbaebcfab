// A writer in its own OS process for the replication crash test: opens the source bucket with a ReplicatorPlugin
// (PostgreSQL + a second bucket) and writes until it is killed, printing `ack N` after each acknowledged write.
// Environment: S3DB_REPL_SOURCE, S3DB_REPL_TARGET (connection strings), S3DB_REPL_PG (postgres URL),
// S3DB_REPL_TABLE. Four writers in parallel upsert and now and then delete documents k0..k39.
import { Database, PostgresTarget, ReplicatorPlugin, S3dbTarget, openStore } from '../../engine/index.js';

const env = process.env;
const rep = new ReplicatorPlugin({
  targets: [
    new PostgresTarget({ connectionString: env.S3DB_REPL_PG ?? '', tables: { docs: env.S3DB_REPL_TABLE ?? 'docs' } }),
    new S3dbTarget({ connection: env.S3DB_REPL_TARGET ?? '' }),
  ],
  retryMs: 50,
  maxRetryMs: 200,
  drainIntervalMs: 0,
});
const db = new Database({ store: openStore(env.S3DB_REPL_SOURCE ?? ''), plugins: [rep] });
await db.connect();
const docs = db.resource('docs');
let seq = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    for (;;) {
      const i = seq++;
      const id = `k${i % 40}`;
      if (i % 7 === 6) await docs.delete(id).catch(() => undefined);
      else await docs.upsert({ id, n: i, text: `write ${i}` });
      process.stdout.write(`ack ${i}\n`);
    }
  }),
);
