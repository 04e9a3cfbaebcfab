// Replication across a crash: a writer killed with SIGKILL between its bucket writes and their replication leaves outbox entries; a restart drains them and PostgreSQL and the second bucket converge, nothing missing or duplicated.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, PostgresTarget, ReplicatorPlugin, S3dbTarget, openStore } from '../../engine/index.js';
import { listKeys } from '../../engine/internal.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { bucketDocs, pgRows, withoutTimestamps } from '../support/replication.js';
import { createTestBucket, removeTestBucket, s3ConnectionString, s3TestServer } from '../support/stores.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const server = s3TestServer();
let postgres: PostgresServer;
let n = 0;

beforeAll(async () => {
  postgres = await startPostgres();
}, 120_000);
afterAll(async () => {
  await postgres?.stop();
});

/** Runs the writer until it acknowledged `acks` writes, then SIGKILLs it. */
function writeThenKill(env: Record<string, string>, acks: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/support/replicator-child.ts')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let seen = 0;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk.split('\n').filter((l) => l.startsWith('ack ')).length;
      if (seen >= acks) child.kill('SIGKILL');
    });
    child.on('close', (code, signal) =>
      signal === 'SIGKILL' ? resolve(seen) : reject(new Error(`writer exited ${code}: ${stderr}`)),
    );
  });
}

interface Tier {
  name: string;
  skip: boolean;
  locations(): Promise<{ source: string; target: string; cleanup(): Promise<void> }>;
}

const tiers: Tier[] = [
  {
    name: 'file (the memory store cannot outlive a process)',
    skip: false,
    locations: async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 's3db-repl-'));
      return {
        source: `file://${dir}/source`,
        target: `file://${dir}/target`,
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: `s3 (${server?.backend ?? 'skipped: S3DB_TEST_S3=off'})`,
    skip: server === null,
    locations: async () => {
      const [a, b] = [await createTestBucket(server!), await createTestBucket(server!)];
      return {
        source: s3ConnectionString(server!, a),
        target: s3ConnectionString(server!, b),
        cleanup: async () => {
          await removeTestBucket(server!, a);
          await removeTestBucket(server!, b);
        },
      };
    },
  },
];

for (const tier of tiers) {
  describe.skipIf(tier.skip)(`kill -9 of a replicating writer (${tier.name})`, () => {
    it('converges after a restart: every bucket document in PostgreSQL and the second bucket, no extra', async () => {
      const loc = await tier.locations();
      const table = `crash${++n}`;
      try {
        const setupDb = new Database({ store: openStore(loc.source) });
        await setupDb.connect();
        await setupDb.createResource({ name: 'docs', attributes: { n: 'number', text: 'string' } });
        await setupDb.close();
        // 1. PostgreSQL unreachable: every acknowledged write is in the bucket, none replicated, then kill -9.
        const deadPg = `postgres://postgres@127.0.0.1:1/postgres`;
        const base = { S3DB_REPL_SOURCE: loc.source, S3DB_REPL_TARGET: loc.target, S3DB_REPL_TABLE: table };
        await writeThenKill({ ...base, S3DB_REPL_PG: deadPg }, 30);
        const afterFirst = await listKeys(openStore(loc.source), 'plugin=replicator/outbox/');
        // Every acknowledged upsert left its entry (a delete of a missing id has nothing to replicate: ≤ 1 in 7).
        expect(afterFirst.length).toBeGreaterThanOrEqual(25);
        // 2. PostgreSQL up, killed at an arbitrary point while deliveries are in flight.
        await writeThenKill({ ...base, S3DB_REPL_PG: postgres.url }, 60);
        const left = await listKeys(openStore(loc.source), 'plugin=replicator/outbox/');
        expect(left.length).toBeGreaterThan(0);

        // The restart: a new process on the same bucket drains what the dead ones left.
        const rep = new ReplicatorPlugin({
          targets: [
            new PostgresTarget({ connectionString: postgres.url, tables: { docs: table } }),
            new S3dbTarget({ connection: loc.target }),
          ],
          drainIntervalMs: 0,
          graceMs: 0, // the writers are dead: their entries need not wait
        });
        const db = new Database({ store: openStore(loc.source), plugins: [rep] });
        await db.connect();
        await rep.drain(); // setup started one already; this waits for it and lists again
        await rep.flush();
        expect(await listKeys(db.store, 'plugin=replicator/outbox/')).toEqual([]);

        const bucket = await bucketDocs(db, 'docs');
        expect(bucket.size).toBeGreaterThan(0);
        const rows = await pgRows(postgres.url, table);
        expect([...rows.keys()]).toEqual([...bucket.keys()]);
        for (const [id, doc] of bucket) expect(rows.get(id)!.document).toEqual(doc);
        const tdb = new Database({ store: openStore(loc.target) });
        await tdb.connect();
        const copies = await bucketDocs(tdb, 'docs');
        expect([...copies.keys()]).toEqual([...bucket.keys()]);
        for (const [id, doc] of bucket) expect(withoutTimestamps(copies.get(id)!)).toEqual(withoutTimestamps(doc));
        const check = await rep.check({ resource: 'docs' });
        expect(check.map((c) => [c.target, c.inSync])).toEqual([
          ['postgres', true],
          ['s3db', true],
        ]);
        await tdb.close();
        await db.close();
      } finally {
        await loc.cleanup();
      }
    }, 120_000);
  });
}
