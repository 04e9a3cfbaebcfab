// Another s3db bucket (or prefix) as a target, written through this engine's own Database, so the copy is a
// working database: same resource definitions (hooks left out: they are code registered per process), documents
// written with upsert and removed with delete. Secret fields travel in clear inside the process and are
// encrypted at rest by the target's engine with the target's passphrase. createdAt/updatedAt are stamped by the
// target's engine when the resource has timestamps (no public API writes them), so they are the times of
// replication, not of the original writes. The target keeps no revision: the replicator re-checks the bucket
// after applying instead (`ordered: false`).
import { Database } from '../../../database/index.js';
import { NotFoundError } from '../../../errors.js';
import { dataPrefix, idOfDataKey } from '../../../keys.js';
import { listsAsTombstone } from '../../../behaviors/index.js';
import type { ResourceApi } from '../../../pipeline/index.js';
import { listAll, openStore, type ObjectStore } from '../../../storage/index.js';
import type { Document } from '../../../types.js';
import type { ReplicationChange, ReplicationTarget, TargetEntry } from '../types.js';
import { redactUrl } from './postgres-target.js';

export interface S3dbTargetOptions {
  name?: string;
  /** A connection string (s3://, http(s)://, file://, memory://) or an open store. */
  connection: string | ObjectStore;
  /** The target database's passphrase (needed when replicated resources have secret fields). */
  passphrase?: string;
  /** Resource → name in the target (default: the same name). */
  resources?: Record<string, string>;
}

export class S3dbTarget implements ReplicationTarget {
  readonly name: string;
  readonly kind = 's3db' as const;
  readonly secrets = 'clear' as const;
  readonly ordered = false;
  private db: Promise<Database> | undefined;

  constructor(private readonly options: S3dbTargetOptions) {
    this.name = options.name ?? 's3db';
  }

  /** The target database (connected on first use). */
  database(): Promise<Database> {
    this.db ??= (async () => {
      const c = this.options.connection;
      const db = new Database({
        store: typeof c === 'string' ? openStore(c) : c,
        ...(this.options.passphrase === undefined ? {} : { passphrase: this.options.passphrase }),
      });
      await db.connect();
      return db;
    })();
    this.db.catch(() => (this.db = undefined));
    return this.db;
  }

  private nameOf(resource: string): string {
    return this.options.resources?.[resource] ?? resource;
  }

  async prepare(resource: ResourceApi): Promise<void> {
    const db = await this.database();
    await db.createResource({
      name: this.nameOf(resource.name),
      attributes: resource.attributes,
      behavior: resource.behavior,
      partitions: resource.partitions,
      timestamps: resource.timestamps,
      paranoid: resource.paranoid,
    });
  }

  async apply(change: ReplicationChange): Promise<void> {
    const r = (await this.database()).resource(this.nameOf(change.resource));
    if (change.operation === 'delete') {
      try {
        await r.delete(change.id, { confirm: true });
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
      }
      return;
    }
    const { createdAt: _c, updatedAt: _u, _truncated: _t, ...data } = change.document as Document;
    await r.upsert({ ...data, id: change.id });
  }

  async *entries(resource: string): AsyncIterable<TargetEntry> {
    const db = await this.database();
    const name = this.nameOf(resource);
    for await (const obj of listAll(db.store, dataPrefix(name))) {
      const id = idOfDataKey(name, obj.key);
      if (id !== null && !listsAsTombstone(obj)) yield { id };
    }
  }

  async read(resource: string, id: string): Promise<Document | null> {
    const db = await this.database();
    const name = this.nameOf(resource);
    return db.hasResource(name) ? db.resource(name).getOrNull(id) : null;
  }

  async reset(resource: string): Promise<void> {
    const db = await this.database();
    const name = this.nameOf(resource);
    if (!db.hasResource(name)) return;
    const r = db.resource(name);
    for (;;) {
      const { ids } = await r.listIds({ limit: 1000 });
      if (ids.length === 0) return;
      await r.deleteMany(ids, { confirm: true });
    }
  }

  describe(): Record<string, unknown> {
    const c = this.options.connection;
    return { name: this.name, kind: this.kind, url: typeof c === 'string' ? redactUrl(c) : c.description };
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    if (!db) return;
    const opened = await db.catch(() => undefined);
    await opened?.close();
    if (typeof this.options.connection === 'string') await opened?.store.close?.();
  }
}
