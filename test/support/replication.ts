// Shared pieces of the replication tests: the tiers (memory store, radosgw) each giving a source store and a
// second store for the s3db target that can be taken down; reading what a PostgreSQL table holds; and the
// bucket's documents as a sorted map.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { MemoryStore, StorageError, type Database, type Document, type ObjectStore } from '../../engine/index.js';
import { createTestBucket, openS3Store, removeTestBucket, s3TestServer } from './stores.js';
import { startTcpSwitch, type TcpSwitch } from './tcp-switch.js';
import { until } from './until.js';

export interface StorePair {
  source: ObjectStore;
  /** Opens the source again, as a second process would (same bucket, its own client). */
  reopenSource(): ObjectStore;
  target: ObjectStore;
  /** Opens the target again (to read it as its own database). */
  reopenTarget(): ObjectStore;
  targetDown(): void;
  targetUp(): void;
}

export interface ReplicationTier {
  name: string;
  skipped?: string;
  pair(): Promise<StorePair>;
  cleanup(): Promise<void>;
}

/** A store whose every call fails with a retryable StorageError while `down` (memory tier outage). */
function switchable(store: ObjectStore): { store: ObjectStore; set(down: boolean): void } {
  let down = false;
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function' || key === 'close' || key === 'requestCounts') return value;
      return (...args: unknown[]) =>
        down
          ? Promise.reject(new StorageError('NETWORK', 'the test store is down', { retryable: true }))
          : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return { store: proxy, set: (d) => (down = d) };
}

function memoryTier(): ReplicationTier {
  return {
    name: 'memory',
    pair: async () => {
      const source = new MemoryStore();
      const raw = new MemoryStore();
      const target = switchable(raw);
      return {
        source,
        reopenSource: () => source,
        target: target.store,
        reopenTarget: () => raw,
        targetDown: () => target.set(true),
        targetUp: () => target.set(false),
      };
    },
    cleanup: async () => {},
  };
}

function s3Tier(): ReplicationTier {
  const server = s3TestServer();
  if (!server)
    return {
      name: 's3 (skipped: S3DB_TEST_S3=off)',
      skipped: 'off',
      pair: () => Promise.reject(new Error('skipped')),
      cleanup: async () => {},
    };
  const buckets: string[] = [];
  const switches: TcpSwitch[] = [];
  const stores: ObjectStore[] = [];
  const open = (bucket: string, prefix: string, endpoint?: string) => {
    const s = openS3Store(server, bucket, { prefix, ...(endpoint === undefined ? {} : { endpoint }) });
    stores.push(s);
    return s;
  };
  let bucketsReady: Promise<[string, string]> | undefined;
  return {
    name: `s3 (${server.backend})`,
    pair: async () => {
      bucketsReady ??= Promise.all([createTestBucket(server), createTestBucket(server)]).then((b) => {
        buckets.push(...b);
        return b;
      });
      const [a, b] = await bucketsReady;
      const prefix = `p${randomBytes(4).toString('hex')}/`;
      const sw = await startTcpSwitch(Number(new URL(server.endpoint).port));
      switches.push(sw);
      return {
        source: open(a, prefix),
        reopenSource: () => open(a, prefix),
        target: open(b, prefix, `http://127.0.0.1:${sw.port}`),
        reopenTarget: () => open(b, prefix),
        targetDown: () => sw.down(),
        targetUp: () => sw.up(),
      };
    },
    cleanup: async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      await Promise.all(switches.splice(0).map((s) => s.close()));
      for (const b of buckets.splice(0)) await removeTestBucket(server, b);
    },
  };
}

export function replicationTiers(): ReplicationTier[] {
  return [memoryTier(), s3Tier()];
}

export interface PgRow {
  document: Document;
  revision: number;
  etag: string | null;
}

/** Every row of a replicated table, by id. */
export async function pgRows(url: string, table: string): Promise<Map<string, PgRow>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const exists = await client.query('SELECT to_regclass($1) AS t', [`"${table}"`]);
    if (exists.rows[0]?.t === null) return new Map();
    const res = await client.query(`SELECT id, document, revision, etag FROM "${table}" ORDER BY id COLLATE "C"`);
    return new Map(
      res.rows.map((r: { id: string; document: Document; revision: string; etag: string | null }) => [
        r.id,
        { document: r.document, revision: Number(r.revision), etag: r.etag },
      ]),
    );
  } finally {
    await client.end();
  }
}

export async function pgQuery(url: string, sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, values);
  } finally {
    await client.end();
  }
}

/** Every document of a resource (secrets as the database reads them), by id. */
export async function bucketDocs(
  db: Pick<Database, 'withoutPlugins'>,
  resource: string,
): Promise<Map<string, Document>> {
  const r = db.withoutPlugins().resource(resource);
  const out = new Map<string, Document>();
  let cursor: string | undefined;
  do {
    const page = await r.list({ limit: 500, ...(cursor === undefined ? {} : { cursor }) });
    for (const d of page.records) out.set(d.id, d);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

/** A document without the fields the target engine stamps itself. */
export function withoutTimestamps(doc: Document): Record<string, unknown> {
  const { createdAt: _c, updatedAt: _u, ...rest } = doc;
  return rest;
}

/** Polls `check` until it returns true or the deadline passes (no sleeps as synchronisation). */
export function eventually(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  return until(check, ms, 'the condition', undefined, 50);
}
