// How one write's objects reach the bucket: a new data object's conditional PUT with its partition references
// beside it or after it, and the references of a document that moved. docs/reliability.md ("Partition
// references") states what each order guarantees for any crash point and any failed request.
import { VERSION_FIELD } from '../behaviors/index.js';
import { ConflictError } from '../errors.js';
import type { Metadata, ObjectStore } from '../storage/index.js';
import type { EngineLogger } from '../types.js';
import { isOwnWrite } from './own-write.js';
import { dropReferencesIfGone, insertOverTombstone } from './tombstone.js';

/** Reads the references the document stored under an id should have now. */
export interface StoredReferences {
  /** Reference keys of the document stored under `id` (none when it is absent or a tombstone). */
  storedReferences(id: string): Promise<ReadonlySet<string>>;
}

export interface NewRecord {
  id: string;
  key: string;
  body: string;
  metadata: Metadata;
  /** The document's reference keys. */
  references: string[];
  /** Schema version written into each reference's metadata. */
  version: string;
  /**
   * Write the references concurrently with the data object. Only for an id no other writer can hold (one this
   * process generated): a failed data PUT then removes them, and removing cannot hit another writer's reference.
   */
  beside: boolean;
  /** asyncPartitions: references written in the background once the data object is stored. */
  background: boolean;
}

export class RecordWriter {
  constructor(
    private readonly store: ObjectStore,
    private readonly resource: string,
    private readonly logger: EngineLogger | undefined,
    private readonly stored: StoredReferences,
  ) {}

  private putReference(key: string, version: string): Promise<unknown> {
    return this.store.put(key, '', { [VERSION_FIELD]: version });
  }

  /**
   * Stores a new data object, never over a live one (`ifNoneMatch: '*'`), and its references. Returns false,
   * with no reference of this write left behind, when a live document already holds the id.
   */
  async create(r: NewRecord): Promise<boolean> {
    const beside = r.beside && !r.background && r.references.length > 0;
    const refs = beside ? Promise.allSettled(r.references.map((k) => this.putReference(k, r.version))) : undefined;
    let outcome: 'written' | 'taken' | 'over-tombstone';
    try {
      outcome = await this.putNew(r);
    } catch (error) {
      if (refs) await this.retractQuietly(r, refs);
      throw error;
    }
    if (outcome === 'taken') {
      if (refs) await this.retractQuietly(r, refs);
      return false;
    }
    if (refs) {
      const failed = (await refs).find((s): s is PromiseRejectedResult => s.status === 'rejected');
      // The document is stored without that reference: heal writes it (`missing-reference`), as after a crash.
      if (failed) throw failed.reason;
      // A delete finishing while this insert waited on its tombstone may have removed references written beside.
      if (outcome === 'written') return true;
    }
    await this.move(r.id, r.key, r.references, undefined, r.version, r.background);
    return true;
  }

  private async putNew(r: NewRecord): Promise<'written' | 'taken' | 'over-tombstone'> {
    const options = { contentType: 'application/json' };
    try {
      await this.store.put(r.key, r.body, r.metadata, { ...options, ifNoneMatch: '*' });
      return 'written';
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      if (await isOwnWrite(this.store, e, r.key, r.body)) return 'written';
      return (await insertOverTombstone(this.store, r.key, r.body, r.metadata, options)) ? 'over-tombstone' : 'taken';
    }
  }

  /** After the data PUT failed: waits for the references written beside it, then removes those nobody needs. */
  private async retractQuietly(r: NewRecord, refs: Promise<unknown>): Promise<void> {
    await refs;
    try {
      await this.retract(r.id, r.references, r.version);
    } catch (e) {
      // Left as orphan references: reads skip them, heal removes them.
      this.logger?.warn({ resource: this.resource, id: r.id, err: String(e) }, 'references of a failed insert left');
    }
  }

  /**
   * Removes the references in `written` that the document stored under `id` does not have (it may exist: a data
   * PUT reported failed can still have landed, or the id was taken). A writer that gives the document one of
   * those values meanwhile writes its reference after its data object, so the second read sees that value and
   * the reference just deleted is put back.
   */
  private async retract(id: string, written: string[], version: string): Promise<void> {
    const before = await this.stored.storedReferences(id);
    const drop = written.filter((k) => !before.has(k));
    if (drop.length === 0) return;
    await this.store.deleteMany(drop);
    const after = await this.stored.storedReferences(id);
    await Promise.all(drop.filter((k) => after.has(k)).map((k) => this.putReference(k, version)));
  }

  /**
   * Writes the references in `next` missing from `old` and then removes those of `old` no longer in `next`:
   * a crash in between leaves a stale reference (filtered at read time, repaired by heal), never a document
   * missing from its partition. With `old` (an update) it then checks that the document still exists.
   */
  async move(
    id: string,
    key: string,
    next: string[],
    old: string[] | undefined,
    version: string,
    background: boolean,
  ): Promise<void> {
    const toWrite = next.filter((k) => !old?.includes(k));
    const toDelete = (old ?? []).filter((k) => !next.includes(k));
    if (toWrite.length === 0 && toDelete.length === 0) return;
    const work = async () => {
      await Promise.all(toWrite.map((k) => this.putReference(k, version)));
      if (toDelete.length > 0) await this.store.deleteMany(toDelete);
      // A move (an update with new references) racing a delete: whoever acts last removes the references.
      if (old) await dropReferencesIfGone(this.store, key, toWrite);
    };
    if (background) {
      work().catch((e: unknown) =>
        this.logger?.warn({ resource: this.resource, id, err: String(e) }, 'partition references not written'),
      );
    } else {
      await work();
    }
  }
}
