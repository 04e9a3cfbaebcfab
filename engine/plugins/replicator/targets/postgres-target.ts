// PostgreSQL target (`pg`, loaded on first use): a table per resource with the document as jsonb plus id,
// version, revision, etag and updated_at; chosen fields can also be typed columns (generated from the jsonb).
// An upsert only replaces a row holding an older or equal revision, inside one transaction holding an advisory
// lock on the document, and is refused when the document's tombstone (`<table>__deleted`) is newer; a delete
// removes the row and keeps a tombstone with its revision, so a late, older upsert cannot bring the row back.
import { ConfigError } from '../../../errors.js';
import type { ResourceApi } from '../../../pipeline/index.js';
import type { Document } from '../../../types.js';
import type { ReplicationChange, ReplicationTarget, TargetEntry } from '../types.js';

export interface PostgresTargetOptions {
  name?: string;
  /** postgres://user:password@host:port/database */
  connectionString: string;
  /** Schema of the tables (default public). */
  schema?: string;
  /** Prefix of table names (default '', so resource `users` → table `users`). */
  tablePrefix?: string;
  /** Resource → table name, overriding the prefix rule. */
  tables?: Record<string, string>;
  /** Resource → fields also kept as typed columns (number → double precision, boolean → boolean, else text). */
  columns?: Record<string, string[]>;
  secrets?: 'encrypted' | 'clear';
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

interface PgPool {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
  connect(): Promise<PgPool & { release(destroy?: unknown): void }>;
  end(): Promise<void>;
  on(event: 'error' | 'connect', fn: (arg: never) => void): unknown;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1[redacted]@');
}

export class PostgresTarget implements ReplicationTarget {
  readonly name: string;
  readonly kind = 'postgres' as const;
  readonly secrets: 'encrypted' | 'clear';
  readonly ordered = true;
  private pool: Promise<PgPool> | undefined;

  constructor(private readonly options: PostgresTargetOptions) {
    this.name = options.name ?? 'postgres';
    this.secrets = options.secrets ?? 'encrypted';
  }

  private connect(): Promise<PgPool> {
    this.pool ??= import('pg').then((mod) => {
      const pool = new mod.default.Pool({
        connectionString: this.options.connectionString,
        max: this.options.poolSize ?? 10,
      }) as unknown as PgPool;
      // A connection cut (server restart, network) is an error event on the client as well as a failed query:
      // the query's failure is what counts (the outbox retries), the event must not crash the process.
      pool.on('error', () => undefined);
      pool.on('connect', (client: { on(e: 'error', fn: () => void): void }) => client.on('error', () => undefined));
      return pool;
    });
    return this.pool;
  }

  /** The qualified table of a resource, and of its tombstones. */
  table(resource: string): { rows: string; tombstones: string; plain: string } {
    const plain = this.options.tables?.[resource] ?? `${this.options.tablePrefix ?? ''}${resource}`;
    const schema = ident(this.options.schema ?? 'public');
    return { rows: `${schema}.${ident(plain)}`, tombstones: `${schema}.${ident(`${plain}__deleted`)}`, plain };
  }

  async prepare(resource: ResourceApi): Promise<void> {
    const { rows, tombstones, plain } = this.table(resource.name);
    const statements = [
      `CREATE TABLE IF NOT EXISTS ${rows} (id text PRIMARY KEY, document jsonb NOT NULL, version text NOT NULL, ` +
        `revision bigint NOT NULL, etag text, updated_at timestamptz, replicated_at timestamptz NOT NULL DEFAULT now())`,
      `CREATE TABLE IF NOT EXISTS ${tombstones} (id text PRIMARY KEY, revision bigint NOT NULL)`,
    ];
    for (const field of this.options.columns?.[resource.name] ?? []) {
      const type = resource.fieldTypes[field];
      const sql = type === 'number' ? 'double precision' : type === 'boolean' ? 'boolean' : 'text';
      const expr = `(document->>'${field.replace(/'/g, "''")}')::${sql}`;
      statements.push(
        `ALTER TABLE ${rows} ADD COLUMN IF NOT EXISTS ${ident(field)} ${sql} GENERATED ALWAYS AS (${expr}) STORED`,
      );
    }
    // Two processes creating the same table at once would collide in the catalog: one at a time.
    await this.transaction(`table/${plain}`, async (client) => {
      for (const sql of statements) await client.query(sql);
    });
  }

  private async transaction(lock: string, work: (client: PgPool) => Promise<void>): Promise<void> {
    const pool = await this.connect();
    const client = await pool.connect();
    let failed: unknown;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lock]);
      await work(client);
      await client.query('COMMIT');
    } catch (e) {
      failed = e;
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release(failed); // a failed connection is dropped, not reused
    }
  }

  async apply(change: ReplicationChange): Promise<void> {
    const { rows, tombstones, plain } = this.table(change.resource);
    await this.transaction(`${plain}/${change.id}`, async (client) => {
      if (change.operation === 'upsert') {
        const doc = change.document as Document;
        const updatedAt = typeof doc.updatedAt === 'string' ? doc.updatedAt : null;
        await client.query(
          `INSERT INTO ${rows} AS t (id, document, version, revision, etag, updated_at, replicated_at) ` +
            `SELECT $1, $2::jsonb, $3, $4, $5, $6, now() ` +
            `WHERE NOT EXISTS (SELECT 1 FROM ${tombstones} d WHERE d.id = $1 AND d.revision >= $4) ` +
            `ON CONFLICT (id) DO UPDATE SET document = excluded.document, version = excluded.version, ` +
            `revision = excluded.revision, etag = excluded.etag, updated_at = excluded.updated_at, ` +
            `replicated_at = now() WHERE t.revision <= excluded.revision`,
          [change.id, JSON.stringify(doc), change.version, change.revision, change.etag, updatedAt],
        );
        await client.query(`DELETE FROM ${tombstones} WHERE id = $1 AND revision < $2`, [change.id, change.revision]);
      } else if (change.revision === 0) {
        // A purge by resync: the bucket never numbered this document, so no revision can order it.
        await client.query(`DELETE FROM ${rows} WHERE id = $1`, [change.id]);
      } else {
        await client.query(`DELETE FROM ${rows} WHERE id = $1 AND revision <= $2`, [change.id, change.revision]);
        await client.query(
          `INSERT INTO ${tombstones} AS d (id, revision) VALUES ($1, $2) ` +
            `ON CONFLICT (id) DO UPDATE SET revision = excluded.revision WHERE d.revision < excluded.revision`,
          [change.id, change.revision],
        );
      }
    });
  }

  async *entries(resource: string): AsyncIterable<TargetEntry> {
    const pool = await this.connect();
    const { rows } = this.table(resource);
    const exists = await pool.query('SELECT to_regclass($1) AS t', [rows]);
    if (exists.rows[0]?.t === null) return;
    let after: string | null = null;
    for (;;) {
      // Keyset pages in byte order (COLLATE "C"), the order the bucket lists ids in.
      const page = await pool.query(
        `SELECT id, etag, revision FROM ${rows} ${after === null ? '' : 'WHERE id COLLATE "C" > $1'} ` +
          `ORDER BY id COLLATE "C" LIMIT 1000`,
        after === null ? [] : [after],
      );
      for (const r of page.rows) {
        yield {
          id: r.id as string,
          ...(r.etag === null ? {} : { etag: r.etag as string }),
          revision: Number(r.revision),
        };
      }
      if (page.rows.length < 1000) return;
      after = page.rows[page.rows.length - 1]?.id as string;
    }
  }

  async read(resource: string, id: string): Promise<Document | null> {
    const pool = await this.connect();
    const res = await pool.query(`SELECT document FROM ${this.table(resource).rows} WHERE id = $1`, [id]);
    return (res.rows[0]?.document as Document | undefined) ?? null;
  }

  async reset(resource: string): Promise<void> {
    const pool = await this.connect();
    const { rows, tombstones } = this.table(resource);
    for (const table of [rows, tombstones]) {
      const exists = await pool.query('SELECT to_regclass($1) AS t', [table]);
      if (exists.rows[0]?.t !== null) await pool.query(`TRUNCATE ${table}`);
    }
  }

  describe(): Record<string, unknown> {
    return { name: this.name, kind: this.kind, url: redactUrl(this.options.connectionString), secrets: this.secrets };
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await (await pool).end();
  }
}

export function checkPostgresUrl(url: string): void {
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new ConfigError(`"${redactUrl(url)}" is not a postgres:// URL`, {
      hint: 'Use postgres://user:pass@host:5432/db.',
    });
  }
}
