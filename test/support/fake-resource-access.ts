// A test-only ResourceAccess over any ObjectStore: JSON bodies at `resource=NAME/data/id=ID`, a few fields
// copied into metadata (so HEAD vs GET can be told apart), and partition references written by the same
// functions the engine uses.
import { type Document, type ObjectStore, type PartitionDefinition } from '../../engine/index.js';
import {
  dataKey,
  dataPrefix,
  idOfDataKey,
  normalizePartitions,
  partitionReferenceKeys,
  writePartitionReference,
  type RecordRead,
  type ResourceAccess,
} from '../../engine/internal.js';

export interface FakeResourceOptions {
  name?: string;
  fieldTypes: Record<string, string>;
  partitions?: Record<string, PartitionDefinition>;
  secretPaths?: string[];
  /** Top-level fields also stored in metadata (readable by HEAD). */
  metadataFields?: string[];
}

export class FakeResourceAccess implements ResourceAccess {
  readonly name: string;
  readonly partitions: Record<string, PartitionDefinition>;
  readonly fieldTypes: Record<string, string>;
  readonly secretPaths: string[];
  readonly dataPrefix: string;
  private readonly metadataFields: string[];

  constructor(
    readonly store: ObjectStore,
    options: FakeResourceOptions,
  ) {
    this.name = options.name ?? 'items';
    this.fieldTypes = options.fieldTypes;
    this.partitions = normalizePartitions(options.fieldTypes, options.partitions);
    this.secretPaths = options.secretPaths ?? [];
    this.metadataFields = options.metadataFields ?? [];
    this.dataPrefix = dataPrefix(this.name);
  }

  dataKey(id: string): string {
    return dataKey(this.name, id);
  }

  idFromDataKey(key: string): string {
    return idOfDataKey(this.name, key) ?? '';
  }

  private metadataOf(doc: Document): Record<string, string> {
    const meta: Record<string, string> = {};
    for (const field of this.metadataFields) {
      if (doc[field] !== undefined) meta[`f-${field.toLowerCase()}`] = encodeURIComponent(JSON.stringify(doc[field]));
    }
    const complete = Object.keys(doc).every((k) => k === 'id' || this.metadataFields.includes(k));
    meta['complete'] = complete ? '1' : '0';
    return meta;
  }

  /** Writes the document and its references (no request counting here: tests reset the store counter). */
  async insert(doc: Document): Promise<void> {
    await this.store.put(this.dataKey(doc.id), JSON.stringify(doc), this.metadataOf(doc));
    await Promise.all(
      [...partitionReferenceKeys(this.name, this.partitions, doc).values()].map((key) =>
        writePartitionReference(this.store, key),
      ),
    );
  }

  /** Writes only the data object (as after a crash before the references). */
  async insertDataOnly(doc: Document): Promise<void> {
    await this.store.put(this.dataKey(doc.id), JSON.stringify(doc), this.metadataOf(doc));
  }

  async insertMany(docs: Document[]): Promise<void> {
    for (let i = 0; i < docs.length; i += 50) await Promise.all(docs.slice(i, i + 50).map((d) => this.insert(d)));
  }

  async readRecord(id: string, mode: 'head' | 'full'): Promise<RecordRead | null> {
    if (mode === 'full') {
      const obj = await this.store.get(this.dataKey(id));
      if (!obj) return null;
      return { doc: JSON.parse(obj.body.toString('utf8')) as Document, complete: true, etag: obj.etag, version: 'v0' };
    }
    const head = await this.store.head(this.dataKey(id));
    if (!head) return null;
    const doc: Document = { id };
    for (const field of this.metadataFields) {
      const raw = head.metadata[`f-${field.toLowerCase()}`];
      if (raw !== undefined) doc[field] = JSON.parse(decodeURIComponent(raw));
    }
    return { doc, complete: head.metadata['complete'] === '1', etag: head.etag, version: 'v0' };
  }
}
