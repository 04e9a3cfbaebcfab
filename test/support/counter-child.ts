// A counter writer in its own OS process (test/engine/plugins-counters.test.ts). Connection string in
// S3DB_WRITER_CONNECTION. Args: WRITERS INCREMENTS CONSOLIDATE(0|1). Runs WRITERS concurrent loops, each adding
// INCREMENTS times 1..9 to accounts/a.balance (printing the sum it added), and with CONSOLIDATE=1 a consolidator
// loop until the writers are done.
import { Database, EventualConsistencyPlugin, openStore } from '../../engine/index.js';

const [writers, increments, consolidate] = process.argv.slice(2).map(Number);
const store = openStore(process.env.S3DB_WRITER_CONNECTION ?? '');
const counters = new EventualConsistencyPlugin({ resources: { accounts: ['balance'] } });
const db = new Database({ store, plugins: [counters] });
await db.connect();

let done = false;
const consolidator = (async () => {
  while (consolidate === 1 && !done) {
    await counters.consolidate('accounts', 'a', 'balance');
    await new Promise((r) => setTimeout(r, 20));
  }
})();
const sums = await Promise.all(
  Array.from({ length: writers ?? 0 }, async (_, w) => {
    let sum = 0;
    for (let i = 0; i < (increments ?? 0); i++) {
      const n = 1 + ((w * 7 + i) % 9);
      await counters.add('accounts', 'a', 'balance', n, `w${w}`);
      sum += n;
    }
    return sum;
  }),
);
done = true;
await consolidator;
process.stdout.write(`${sums.reduce((a, b) => a + b, 0)}\n`);
await db.close();
await store.close();
