// Replication pins: every write reaches a real PostgreSQL, a second bucket and an SQS endpoint with exact documents (secrets encrypted), concurrent writers end on the bucket's final revision, and an outage converges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Database,
  PostgresTarget,
  ReplicatorPlugin,
  S3dbTarget,
  SqsTarget,
  renderPrometheus,
  type Document,
  type ObjectStore,
} from '../../engine/index.js';
import { listKeys } from '../../engine/internal.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import {
  bucketDocs,
  eventually,
  pgRows,
  replicationTiers,
  withoutTimestamps,
  type StorePair,
} from '../support/replication.js';
import { startSqsServer, type SqsTestServer } from '../support/sqs-server.js';
import { startTcpSwitch, type TcpSwitch } from '../support/tcp-switch.js';

const PASS = 'source passphrase';
const TARGET_PASS = 'target passphrase';
let postgres: PostgresServer;
let pgSwitch: TcpSwitch;
let sqs: SqsTestServer;
let n = 0;

beforeAll(async () => {
  postgres = await startPostgres();
  pgSwitch = await startTcpSwitch(postgres.port);
  sqs = await startSqsServer();
}, 120_000);

afterAll(async () => {
  await sqs?.close();
  await pgSwitch?.close();
  await postgres?.stop();
});

const USERS = {
  name: 'users',
  attributes: {
    name: 'string',
    age: 'number|optional',
    tags: 'array|items:string|optional',
    profile: { city: 'string|optional', zip: 'string|optional' },
    password: 'secret|optional',
  },
  timestamps: true,
};

interface Rig {
  db: Database;
  rep: ReplicatorPlugin;
  table: string;
  queue: string;
  close(): Promise<void>;
}

async function rig(pair: StorePair, source: ObjectStore, table: string, queue: string): Promise<Rig> {
  const pgUrl = postgres.url.replace(`:${postgres.port}/`, `:${pgSwitch.port}/`);
  const rep = new ReplicatorPlugin({
    targets: [
      new PostgresTarget({ connectionString: pgUrl, tables: { users: table } }),
      new S3dbTarget({ connection: pair.target, passphrase: TARGET_PASS }),
      new SqsTarget({
        queueUrl: sqs.queueUrl(queue),
        endpoint: sqs.endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      }),
    ],
    retryMs: 50,
    maxRetryMs: 400,
    drainIntervalMs: 0,
  });
  const db = new Database({ store: source, passphrase: PASS, plugins: [rep] });
  await db.connect();
  await db.createResource(USERS);
  return { db, rep, table, queue, close: () => db.close() };
}

/** Reads the second bucket as its own database. */
async function targetDocs(pair: StorePair): Promise<Map<string, Document>> {
  const tdb = new Database({ store: pair.reopenTarget(), passphrase: TARGET_PASS });
  await tdb.connect();
  try {
    return tdb.hasResource('users') ? await bucketDocs(tdb, 'users') : new Map();
  } finally {
    await tdb.close();
  }
}

/** The bucket, PostgreSQL, the second bucket and the queue all hold the same documents. */
async function expectConverged(r: Rig, pair: StorePair): Promise<void> {
  const bucket = await bucketDocs(r.db, 'users');
  const rows = await pgRows(postgres.url, r.table);
  expect([...rows.keys()]).toEqual([...bucket.keys()]);
  for (const [id, doc] of bucket) {
    const row = rows.get(id)!;
    const copy = structuredClone(row.document);
    if (typeof doc.password === 'string') {
      // Encrypted by default: ciphertext under the source passphrase, not the clear value.
      expect(copy.password).not.toBe(doc.password);
      copy.password = await r.db.cipher.decrypt(copy.password as string, 'password');
    }
    expect(copy).toEqual(doc);
  }
  const copies = await targetDocs(pair);
  expect([...copies.keys()]).toEqual([...bucket.keys()]);
  for (const [id, doc] of bucket) expect(withoutTimestamps(copies.get(id)!)).toEqual(withoutTimestamps(doc));
  // The queue: the last message of each document carries the bucket's state and PostgreSQL's revision.
  const last = new Map<string, { revision: number; operation: string; document: Document | null }>();
  for (const m of sqs.sent(r.queue)) {
    const body = JSON.parse(m.body) as { id: string; revision: number; operation: string; document: Document | null };
    const prev = last.get(body.id);
    if (!prev || body.revision >= prev.revision) last.set(body.id, body);
  }
  for (const [id, msg] of last) {
    if (bucket.has(id)) {
      expect(msg.operation).toBe('upsert');
      expect(msg.revision).toBe(rows.get(id)!.revision);
    } else expect(msg.operation).toBe('delete');
  }
  expect(await listKeys(r.db.store, 'plugin=replicator/outbox/')).toEqual([]);
}

for (const tier of replicationTiers()) {
  describe.skipIf(tier.skipped !== undefined)(`replication (${tier.name})`, () => {
    afterAll(() => tier.cleanup());

    it('replicates every operation with exact documents; secret fields stay encrypted', async () => {
      const pair = await tier.pair();
      const r = await rig(pair, pair.source, `ops${++n}`, `ops${n}.fifo`);
      const users = r.db.resource('users');
      await users.insert({ id: 'u1', name: 'Ann', password: 'hunter2', profile: { city: 'Lisbon' }, tags: ['a'] });
      const generated = await users.insert({ name: 'No id' });
      await users.insertMany([
        { id: 'm1', name: 'M1' },
        { id: 'm2', name: 'M2', age: 2 },
        { id: 'm3', name: 'M3' },
      ]);
      await users.update('u1', { age: 41, profile: { zip: '1000' } });
      await users.replace('m2', { name: 'M2 replaced' });
      await users.upsert({ id: 'u5', name: 'created by upsert' });
      await users.upsert({ id: 'u5', name: 'replaced by upsert', password: 's3cret' });
      await users.delete('m3');
      await users.deleteMany(['m1']);
      await r.rep.flush();
      await expectConverged(r, pair);

      const bucket = await bucketDocs(r.db, 'users');
      expect([...bucket.keys()].sort()).toEqual([generated.id, 'm2', 'u1', 'u5'].sort());
      // The second bucket stores the secret encrypted with its own passphrase: its bytes never hold the clear value.
      const raw = pair.reopenTarget();
      for (const key of await listKeys(raw, 'resource=users/data/')) {
        const obj = await raw.get(key);
        expect(`${obj!.body.toString()}${JSON.stringify(obj!.metadata)}`).not.toContain('hunter2');
      }
      // One message per delivered state on a FIFO queue, grouped per document.
      const msgs = sqs.sent(r.queue).map(
        (m) =>
          ({ group: m.groupId, ...JSON.parse(m.body) }) as {
            group?: string;
            type: string;
            format: number;
            id: string;
            operation: string;
            document: Document | null;
          },
      );
      expect(
        msgs.every((m) => m.type === 's3db.replication' && m.format === 1 && m.group === `users/${String(m.id)}`),
      ).toBe(true);
      expect(msgs.find((m) => m.id === 'm3' && m.operation === 'delete')).toMatchObject({ document: null, etag: null });
      const u1 = msgs.filter((m) => m.id === 'u1').at(-1)!;
      expect(u1.document?.password).not.toBe('hunter2');
      await r.close();
    });

    it('20 concurrent updates of one document from two writers: every target ends on the final revision', async () => {
      const pair = await tier.pair();
      const a = await rig(pair, pair.source, `conc${++n}`, `conc${n}.fifo`);
      const b = await rig(pair, pair.reopenSource(), a.table, a.queue);
      await a.db.resource('users').insert({ id: 'hot', name: 'start', age: 0 });
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? a : b).db.resource('users').update('hot', { name: `writer ${i % 2} #${i}`, age: i }),
        ),
      );
      await Promise.all([a.rep.flush(), b.rep.flush()]);
      await expectConverged(a, pair);
      const final = await a.db.resource('users').get('hot');
      const row = (await pgRows(postgres.url, a.table)).get('hot')!;
      expect(row.document).toEqual(final);
      // 21 bucket states; revisions are numbered in bucket order, so the final one holds the highest number.
      expect(row.revision).toBeGreaterThanOrEqual(2);
      expect(row.revision).toBeLessThanOrEqual(21);
      await Promise.all([a.close(), b.close()]);
    });

    it('targets down for a while, then back: pending and errors are visible, then everything converges', async () => {
      const pair = await tier.pair();
      const r = await rig(pair, pair.source, `down${++n}`, `down${n}`);
      const users = r.db.resource('users');
      await users.insert({ id: 'before', name: 'before the outage' });
      await r.rep.flush();
      pgSwitch.down();
      pair.targetDown();
      sqs.down(true);
      try {
        for (let i = 0; i < 15; i++) await users.upsert({ id: `d${i % 5}`, name: `during ${i}` });
        await users.delete('before');
        await r.rep.flush();
        const stats = r.rep.stats();
        for (const s of stats) {
          expect(s.pending).toBeGreaterThan(0);
          expect(s.failed).toBeGreaterThan(0);
          expect(s.lastError).toBeTypeOf('string');
        }
        expect((await listKeys(r.db.store, 'plugin=replicator/outbox/')).length).toBe(16);
        const described = (await r.db.getStats()).plugins.find((p) => p.name === 'ReplicatorPlugin')!;
        expect((described.details.stats as { pending: number }[])[0]!.pending).toBe(16);
        const text = renderPrometheus(r.rep.prometheusFamilies());
        expect(text).toMatch(/s3db_replication_pending\{target="postgres",kind="postgres"\} 16/);
      } finally {
        pgSwitch.up();
        pair.targetUp();
        sqs.down(false);
      }
      await r.rep.drain();
      await eventually(async () => r.rep.stats().every((s) => s.pending === 0));
      await r.rep.flush();
      await expectConverged(r, pair);
      expect(r.db.describeResource('users').plugins).toContain('ReplicatorPlugin');
      await r.close();
    });
  });
}
