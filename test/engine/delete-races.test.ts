// An acknowledged delete stays deleted and leaves no reference behind, when updates and partition moves race it
// from another Database (its own S3Store and sockets) on one radosgw bucket, with no heal in between.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Database, MemoryStore, type S3Store } from '../../engine/index.js';
import { mapLimit } from '../../engine/internal.js';
import { createTestBucket, openS3Store, removeTestBucket, s3TestServer } from '../support/stores.js';

const server = s3TestServer();
const ROUNDS = 200;
const PARALLEL = 20;

describe.skipIf(server === null)('deletes racing writes on one radosgw bucket', () => {
  const opened: { db: Database; store: S3Store }[] = [];
  let bucket = '';
  let n = 0;
  beforeAll(async () => {
    bucket = await createTestBucket(server!);
  });
  afterAll(async () => {
    await Promise.all(opened.splice(0).map(async (o) => (await o.db.close(), o.store.close())));
    if (bucket !== '') await removeTestBucket(server!, bucket);
  });

  async function pair(): Promise<[Database, Database]> {
    const prefix = `r${++n}`;
    const open = async () => {
      const store = openS3Store(server!, bucket, { prefix });
      const db = new Database({ store });
      await db.connect();
      opened.push({ db, store });
      return db;
    };
    const a = await open();
    await a.createResource({
      name: 'p',
      attributes: { team: 'string', n: 'number|optional' },
      partitions: { byTeam: { fields: { team: 'string' } } },
    });
    // Without partitions a delete is a HEAD then a DELETE: the shape that let updates resurrect documents.
    await a.createResource({ name: 'q', attributes: { team: 'string', n: 'number|optional' } });
    return [a, await open()];
  }

  it(
    `update racing delete: ${ROUNDS * 0.75} rounds each with and without partitions, 0 resurrections`,
    { timeout: 60_000 },
    async () => {
      const [a, b] = await pair();
      for (const name of ['q', 'p']) {
        const ids = Array.from({ length: ROUNDS * 0.75 }, (_, i) => `${name}${i}`);
        await a.resource(name).insertMany(ids.map((id) => ({ id, team: 'red' })));
        let acknowledged = 0;
        let resurrected = 0;
        await mapLimit(ids, PARALLEL, async (id, i) => {
          const [up, del] = await Promise.allSettled([
            a.resource(name).update(id, { n: i }),
            b.resource(name).delete(id),
          ]);
          void up;
          if (del.status !== 'fulfilled') return;
          acknowledged++;
          if ((await a.store.head(a.resource(name).core.dataKey(id))) !== null) resurrected++;
        });
        expect(acknowledged).toBeGreaterThan(ids.length / 2);
        expect(resurrected).toBe(0);
        const live = await a.resource(name).listIds({ limit: 1000 });
        expect(live.ids).toEqual([]);
      }
    },
  );

  it(`partition move racing delete: ${ROUNDS} rounds, 0 orphan references`, { timeout: 60_000 }, async () => {
    const [a, b] = await pair();
    const ids = Array.from({ length: ROUNDS }, (_, i) => `m${i}`);
    await a.resource('p').insertMany(ids.map((id) => ({ id, team: 'red' })));
    await mapLimit(ids, PARALLEL, async (id) => {
      await Promise.allSettled([a.resource('p').update(id, { team: 'blue' }), b.resource('p').delete(id)]);
    });
    const live = new Set((await a.resource('p').listIds({ limit: 1000 })).ids);
    const refs = (await a.store.list({ prefix: 'resource=p/partition=' })).objects.map((o) => o.key);
    const orphans = refs.filter((key) => !live.has(/id=([^/]+)$/.exec(key)![1]!));
    expect(orphans).toEqual([]);
    for (const team of ['red', 'blue']) {
      const byList = await a.resource('p').count({ partition: 'byTeam', partitionValues: { team } });
      const byQuery = await a.resource('p').query({ filter: { team }, limit: 1000 });
      expect(byList.count).toBe(byQuery.records.length);
    }
    expect((await a.heal({ dryRun: true })).problems).toEqual([]);
  });
});

describe('a tombstone left by a delete that crashed midway', () => {
  afterEach(() => vi.useRealTimers());

  it('reads as absent, is written over by an insert once settled, and heal removes it with its references', async () => {
    const store = new MemoryStore();
    const db = new Database({ store });
    await db.connect();
    await db.createResource({
      name: 'p',
      attributes: { team: 'string' },
      partitions: { byTeam: { fields: { team: 'string' } } },
    });
    const r = db.resource('p');
    await r.insertMany([
      { id: 'a', team: 'red' },
      { id: 'b', team: 'red' },
    ]);
    // The crash: the tombstone is in place, the reference and the tombstone are not removed yet.
    for (const id of ['a', 'b']) {
      const head = (await store.head(r.core.dataKey(id)))!;
      await store.put(r.core.dataKey(id), '', { '-x': '1' }, { ifMatch: head.etag });
    }
    expect(await r.getOrNull('a')).toBeNull();
    expect(await r.exists('a')).toBe(false);
    expect((await r.listIds()).ids).toEqual([]);
    expect((await r.count()).count).toBe(0);
    await expect(r.update('a', { team: 'blue' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(r.delete('a')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A young tombstone is a delete in progress: heal leaves it.
    expect((await db.heal({ dryRun: true })).problems.filter((p) => p.kind === 'leftover-tombstone')).toEqual([]);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 31_000);
    await r.insert({ id: 'a', team: 'green' });
    expect((await r.get('a')).team).toBe('green');
    const report = await db.heal({ dryRun: false });
    expect(report.repaired.map((p) => `${p.kind}:${p.id ?? p.key}`)).toEqual(
      expect.arrayContaining(['leftover-tombstone:b']),
    );
    expect((await db.heal({ dryRun: true })).problems).toEqual([]);
    const listing = JSON.stringify(await r.listPartitions('byTeam'));
    expect(listing).toContain('green');
    expect(listing).not.toContain('red');
  });
});
