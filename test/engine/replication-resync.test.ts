// Resync and drift check: 5,000 documents rebuilt into PostgreSQL and a second bucket a page at a time with bounded live heap; a check finds missing, extra and stale rows, and a resync repairs them.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, MemoryStore, PostgresTarget, ReplicatorPlugin, S3dbTarget } from '../../engine/index.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { bucketDocs, pgQuery, pgRows } from '../support/replication.js';

let postgres: PostgresServer;
beforeAll(async () => {
  postgres = await startPostgres();
}, 120_000);
afterAll(async () => {
  await postgres?.stop();
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const liveHeap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

async function rig(table: string, targetStore = new MemoryStore()) {
  const rep = new ReplicatorPlugin({
    targets: [
      new PostgresTarget({ connectionString: postgres.url, tables: { items: table } }),
      new S3dbTarget({ connection: targetStore }),
    ],
    resources: ['items'],
    drainIntervalMs: 0,
    concurrency: 16,
  });
  const db = new Database({ store: new MemoryStore(), plugins: [rep] });
  await db.connect();
  await db.createResource({ name: 'items', attributes: { n: 'number', text: 'string' } });
  return { db, rep, targetStore };
}

describe('resync and drift check', () => {
  it('rebuilds 5,000 documents into empty targets with bounded live heap', async () => {
    const { db, rep, targetStore } = await rig('resync5k');
    // Written without plugins: the targets never saw them, as when a target is added to an existing bucket.
    const bare = db.withoutPlugins().resource('items');
    const pad = 'x'.repeat(6000);
    for (let i = 0; i < 5000; i += 250) {
      await bare.insertMany(
        Array.from({ length: 250 }, (_, k) => ({ id: `i${String(i + k).padStart(5, '0')}`, n: i + k, text: pad })),
        { concurrency: 50 },
      );
    }
    const before = await rep.check();
    expect(before.map((r) => [r.target, r.missing])).toEqual([
      ['postgres', 5000],
      ['s3db', 5000],
    ]);
    const base = liveHeap();
    let peak = 0;
    let pages = 0;
    const [report] = await rep.resync({
      resource: 'items',
      pageSize: 250,
      onProgress: () => {
        pages++;
        peak = Math.max(peak, liveHeap() - base);
      },
    });
    expect(report).toMatchObject({ resource: 'items', documents: 5000, removed: 0, failed: 0 });
    expect(pages).toBeGreaterThanOrEqual(20);
    // 5,000 × 6 KB = 30 MB of documents went through; what stays live between pages is a page (plus the target
    // store's own index of 5,000 keys), not the resource.
    expect(peak).toBeLessThan(16 * 1024 * 1024);
    console.log(`resync 5000 docs: peak live heap growth ${(peak / 1024 / 1024).toFixed(1)} MB over ${pages} pages`);
    const after = await rep.check();
    expect(after.every((r) => r.inSync && r.bucket === 5000 && r.atTarget === 5000)).toBe(true);
    const tdb = new Database({ store: targetStore });
    await tdb.connect();
    expect((await tdb.resource('items').get('i04999')).n).toBe(4999);
    await tdb.close();
    await db.close();
  }, 180_000);

  it('finds missing, extra and stale rows and a resync repairs exactly them', async () => {
    const { db, rep } = await rig('drift');
    const items = db.resource('items');
    for (let i = 0; i < 30; i++) await items.insert({ id: `d${i}`, n: i, text: 't' });
    await rep.flush();
    expect((await rep.check()).every((r) => r.inSync)).toBe(true);
    // Drift made behind the replicator's back.
    await pgQuery(postgres.url, `DELETE FROM "drift" WHERE id IN ('d1', 'd2')`);
    await pgQuery(postgres.url, `UPDATE "drift" SET etag = 'tampered', document = '{"id":"d3"}' WHERE id = 'd3'`);
    await pgQuery(
      postgres.url,
      `INSERT INTO "drift" (id, document, version, revision) VALUES ('zz', '{"id":"zz"}', 'v0', 1)`,
    );
    await db.withoutPlugins().resource('items').update('d4', { n: 400 }); // not replicated: no plugin ran
    const [pgReport] = await rep.check({ targets: ['postgres'] });
    expect(pgReport).toMatchObject({ missing: 2, extra: 1, stale: 2, inSync: false });
    expect(pgReport!.examples).toEqual({ missing: ['d1', 'd2'], extra: ['zz'], stale: ['d3', 'd4'] });

    const [report] = await rep.resync({ resource: 'items', targets: ['postgres'] });
    expect(report).toMatchObject({ documents: 30, removed: 1, failed: 0 });
    expect((await rep.check({ targets: ['postgres'] }))[0]!.inSync).toBe(true);
    const rows = await pgRows(postgres.url, 'drift');
    const bucket = await bucketDocs(db, 'items');
    expect([...rows.keys()]).toEqual([...bucket.keys()]);
    for (const [id, doc] of bucket) expect(rows.get(id)!.document).toEqual(doc);
    await db.close();
  }, 60_000);
});
