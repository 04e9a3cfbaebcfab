// Reading one stored record: a HEAD or GET of its data object, a tombstone read as absent, the catalog re-read
// when the record names a schema version this process does not know, then decoding (and revealing secrets).
import { VERSION_FIELD } from '../behaviors/index.js';
import type { Catalog } from '../catalog/index.js';
import { dataKey } from '../keys.js';
import { partitionReferenceKeys } from '../partitions/index.js';
import type { Metadata, ObjectStore } from '../storage/index.js';
import type { Document, RecordRead } from '../types.js';
import type { RecordCodec, StoredRecord } from './record-codec.js';
import type { StoredReferences } from './record-writes.js';
import { isTombstone } from './tombstone.js';
import type { ResourceSchemas } from './version-state.js';

export class RecordReader implements StoredReferences {
  constructor(
    private readonly store: ObjectStore,
    private readonly resource: string,
    private readonly schemas: ResourceSchemas,
    private readonly codec: RecordCodec,
    private readonly catalog: Catalog,
  ) {}

  /** A record written under a version this process does not know: another server changed the schema. */
  private async knowVersion(metadata: Metadata): Promise<void> {
    const version = metadata[VERSION_FIELD];
    if (version !== undefined && !Object.hasOwn(this.schemas.entry.versions, version)) await this.catalog.refresh();
  }

  /** The record as stored (secrets encrypted), or null when absent or a tombstone. */
  async stored(id: string, mode: 'head' | 'full'): Promise<StoredRecord | null> {
    const key = dataKey(this.resource, id);
    if (mode === 'head') {
      const head = await this.store.head(key);
      if (!head || isTombstone(head.metadata)) return null;
      await this.knowVersion(head.metadata);
      return this.codec.decode(id, head.metadata, null, head.etag);
    }
    const obj = await this.store.get(key);
    if (!obj || isTombstone(obj.metadata)) return null;
    await this.knowVersion(obj.metadata);
    return this.codec.decode(id, obj.metadata, obj.body, obj.etag);
  }

  /** One HEAD or GET; secrets revealed (or masked without the passphrase). */
  async revealed(id: string, mode: 'head' | 'full'): Promise<RecordRead | null> {
    const stored = await this.stored(id, mode);
    if (!stored) return null;
    return { ...stored, doc: await this.codec.reveal(stored.doc, stored.version) };
  }

  /** Decodes an object as stored (e.g. packed in a snapshot segment) exactly as `revealed` does after a GET. */
  async decoded(id: string, metadata: Record<string, string>, body: Buffer, etag: string): Promise<RecordRead> {
    const stored = this.codec.decode(id, metadata, body, etag);
    return { ...stored, doc: await this.codec.reveal(stored.doc, stored.version) };
  }

  /** The reference keys of `doc` under `partitions` (default: the current version's). */
  referenceKeys(doc: Document, partitions = this.schemas.current().partitions): string[] {
    return [...partitionReferenceKeys(this.resource, partitions, doc).values()];
  }

  async storedReferences(id: string): Promise<ReadonlySet<string>> {
    const cur = await this.stored(id, 'full');
    return new Set(cur ? this.referenceKeys(cur.doc) : []);
  }
}
