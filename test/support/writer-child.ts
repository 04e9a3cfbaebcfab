// A writer in its own OS process, for the many-writer and crash tests. Connection string in
// S3DB_WRITER_CONNECTION. Modes:
//   mixed W       — inserts w{W}-0..4 (owner W) and sets field w{W} of record "counter" of resource "shared"
//   bulk N        — insertMany of N records into resource "bulk" in batches of 20, printing each acknowledged id
//   snapshot B    — builds a snapshot of resource "snap" in segments of about B bytes, printing "segment" after
//                   each segment PUT (the crash test kills it mid-build), then "committed" or "lost"
import { Database, openStore } from '../../engine/index.js';
import { snapshotSegmentsPrefix } from '../../engine/internal.js';

const [mode, arg] = process.argv.slice(2);
const store = openStore(process.env.S3DB_WRITER_CONNECTION ?? '');
const db = new Database({ store });
await db.connect();

if (mode === 'mixed') {
  const w = Number(arg);
  const r = db.resource('shared');
  await Promise.all([
    ...Array.from({ length: 5 }, (_, i) => r.insert({ id: `w${w}-${i}`, owner: w })),
    r.update('counter', { [`w${w}`]: w }),
  ]);
} else if (mode === 'bulk') {
  const n = Number(arg);
  const r = db.resource('bulk');
  for (let start = 0; start < n; start += 20) {
    const items = Array.from({ length: Math.min(20, n - start) }, (_, i) => ({
      id: `b${start + i}`,
      n: start + i,
      g: `g${(start + i) % 3}`,
    }));
    const { ids } = await r.insertMany(items, { concurrency: 10 });
    for (const id of ids) process.stdout.write(`${id}\n`);
  }
} else if (mode === 'snapshot') {
  const put = store.put.bind(store);
  store.put = async (key, ...rest) => {
    const out = await put(key, ...rest);
    if (key.startsWith(snapshotSegmentsPrefix('snap'))) process.stdout.write('segment\n');
    return out;
  };
  const report = await db.buildSnapshot('snap', { segmentBytes: Number(arg), concurrency: 4 });
  process.stdout.write(report.committed ? 'committed\n' : 'lost\n');
} else {
  throw new Error(`unknown mode ${String(mode)}`);
}
await db.close();
await store.close();
