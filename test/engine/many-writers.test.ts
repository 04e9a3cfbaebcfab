// Many writers on one radosgw bucket (separate Database + S3Store each, and separate OS processes): no lost update, one winner per id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, Database, type S3Store } from '../../engine/index.js';
import { runWriter } from '../support/writer-process.js';
import {
  createTestBucket,
  openS3Store,
  removeTestBucket,
  s3ConnectionString,
  s3TestServer,
} from '../support/stores.js';

const server = s3TestServer();

describe.skipIf(server === null)('many writers on one bucket (radosgw)', () => {
  // skipIf above: these tests need a real S3 server (S3DB_TEST_S3_URL); the memory/file stores have one writer.
  const opened: { db: Database; store: S3Store }[] = [];
  // One bucket for the file, a prefix per test: the shared server caps buckets per user.
  let shared = '';
  let n = 0;
  const nextPrefix = () => `w${++n}`;
  beforeAll(async () => {
    shared = await createTestBucket(server!);
  });
  afterAll(async () => {
    await Promise.all(opened.splice(0).map(async (o) => (await o.db.close(), o.store.close())));
    if (shared !== '') await removeTestBucket(server!, shared);
  });

  async function writers(prefix: string, count: number): Promise<Database[]> {
    return Promise.all(
      Array.from({ length: count }, async () => {
        const store = openS3Store(server!, shared, { prefix });
        const db = new Database({ store });
        await db.connect();
        opened.push({ db, store });
        return db;
      }),
    );
  }

  it('concurrent createResource of 5 different resources all land in the catalog', async () => {
    const prefix = nextPrefix();
    const dbs = await writers(prefix, 5);
    await Promise.all(dbs.map((db, i) => db.createResource({ name: `r${i}`, attributes: { n: 'number' } })));
    const [fresh] = await writers(prefix, 1);
    expect(
      fresh!
        .listResources()
        .map((r) => r.name)
        .sort(),
    ).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('20 concurrent updates of different fields of one record, from 5 instances, all survive (0 lost)', async () => {
    const prefix = nextPrefix();
    const [first] = await writers(prefix, 1);
    const attributes = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, 'number|optional']));
    await first!.createResource({ name: 'doc', attributes });
    await first!.resource('doc').insert({ id: 'one' });
    const dbs = [first!, ...(await writers(prefix, 4))];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => dbs[i % dbs.length]!.resource('doc').update('one', { [`f${i}`]: i })),
    );
    const doc = await first!.resource('doc').get('one');
    const lost = Array.from({ length: 20 }, (_, i) => i).filter((i) => doc[`f${i}`] !== i);
    expect(lost).toEqual([]);
  });

  it('concurrent inserts with the same id from 5 instances: exactly one wins, the others get ConflictError', async () => {
    const prefix = nextPrefix();
    const [first] = await writers(prefix, 1);
    await first!.createResource({ name: 'u', attributes: { who: 'number' } });
    const dbs = [first!, ...(await writers(prefix, 4))];
    const outcomes = await Promise.allSettled(dbs.map((db, who) => db.resource('u').insert({ id: 'same', who })));
    const won = outcomes.flatMap((o, who) => (o.status === 'fulfilled' ? [who] : []));
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(4);
    for (const e of lost) expect(e).toBeInstanceOf(ConflictError);
    expect((await first!.resource('u').get('same')).who).toBe(won[0]);
  });

  it('a partition move racing a delete leaves no orphan reference after heal', async () => {
    const prefix = nextPrefix();
    const [a, b] = await writers(prefix, 2);
    await a!.createResource({
      name: 'p',
      attributes: { team: 'string' },
      partitions: { byTeam: { fields: { team: 'string' } } },
    });
    await b!.close();
    const [b2] = await writers(prefix, 1);
    const ids = Array.from({ length: 8 }, (_, i) => `x${i}`);
    await a!.resource('p').insertMany(ids.map((id) => ({ id, team: 'red' })));
    await Promise.allSettled(
      ids.flatMap((id) => [a!.resource('p').update(id, { team: 'blue' }), b2!.resource('p').delete(id)]),
    );
    await a!.heal({ dryRun: false });
    const after = await a!.heal({ dryRun: true });
    expect(after.problems).toEqual([]);
    const refs = (await a!.store.list({ prefix: 'resource=p/partition=' })).objects.map((o) => o.key);
    const live = new Set((await a!.resource('p').listIds({ limit: 100 })).ids);
    for (const key of refs) expect(live.has(/id=([^/]+)$/.exec(key)![1]!)).toBe(true);
    for (const id of live) expect(refs.some((k) => k.endsWith(`/id=${id}`))).toBe(true);
  });

  it('3 OS processes inserting and updating on one bucket lose nothing', async () => {
    const prefix = nextPrefix();
    const [first] = await writers(prefix, 1);
    const attributes = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`w${i}`, 'number|optional']));
    await first!.createResource({ name: 'shared', attributes: { ...attributes, owner: 'number|optional' } });
    await first!.resource('shared').insert({ id: 'counter' });
    const connection = `${s3ConnectionString(server!, shared)}/${prefix}`;
    const runs = [0, 1, 2].map((w) => runWriter(connection, ['mixed', String(w)]));
    const results = await Promise.all(runs);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const r = first!.resource('shared');
    const counter = await r.get('counter');
    for (const w of [0, 1, 2]) expect(counter[`w${w}`]).toBe(w);
    for (const w of [0, 1, 2]) {
      for (let i = 0; i < 5; i++) expect((await r.get(`w${w}-${i}`)).owner).toBe(w);
    }
  });
});
