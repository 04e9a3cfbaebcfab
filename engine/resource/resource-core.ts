// A resource without plugins: each operation validates, runs the resource's hooks, and reads or writes the
// store, and returns what it did — for writes also the stored document just before the write. The pipeline of
// one write is validate → timestamps → before-hooks → encrypt secrets → encode → behavior split → conditional
// put → partition references → write observers → after-hooks. The plugin-aware Resource wraps this.
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { generateId, validateId } from '../ids.js';
import { dataKey, dataPrefix, idOfDataKey } from '../keys.js';
import { listPartitions, partitionReferenceKeys } from '../partitions/index.js';
import type { CountOptions, PageOptions } from '../pipeline/index.js';
import { runCount, runQuery } from '../query/index.js';
import { checkJsonInput, validateDocument } from '../schema/index.js';
import type { ObjectStore } from '../storage/index.js';
import type {
  Attributes,
  Behavior,
  CountResult,
  Document,
  HookEvent,
  HookFunction,
  PartitionDefinition,
  PartitionListing,
  QueryOptions,
  QueryResult,
  RecordRead,
  ResourceAccess,
} from '../types.js';
import { mapLimit } from '../util/index.js';
import { asRecord, deepMerge, stripReadOnly } from './documents.js';
import { listIdPage } from './list-ids.js';
import { isOwnWrite } from './own-write.js';
import { RecordReader } from './record-reads.js';
import { RecordWriter } from './record-writes.js';
import { isTombstone, putTombstone } from './tombstone.js';
import { RecordCodec } from './record-codec.js';
import { ResourceSchemas, type VersionState } from './version-state.js';
import type { ResourceEnvironment, Written } from './resource-environment.js';

const MAX_WRITE_ATTEMPTS = 40;
/** How old a check of s3db.json a write accepts before checking again (one HEAD). */
const CATALOG_FRESH_MS = 1000;

function backoff(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.random() * Math.min(100, 2 * 2 ** attempt)));
}

export class ResourceCore implements ResourceAccess {
  readonly name: string;
  readonly store: ObjectStore;
  readonly dataPrefix: string;
  readonly concurrency: number;
  private readonly schemas: ResourceSchemas;
  private readonly codec: RecordCodec;
  private readonly reader: RecordReader;
  private readonly writer: RecordWriter;

  constructor(
    name: string,
    private readonly env: ResourceEnvironment,
  ) {
    this.name = name;
    this.store = env.store;
    this.concurrency = env.concurrency;
    this.dataPrefix = dataPrefix(name);
    this.schemas = new ResourceSchemas(name, env.catalog, env.hooks);
    this.codec = new RecordCodec(this.schemas, env.cipher, env.events);
    this.reader = new RecordReader(env.store, name, this.schemas, this.codec, env.catalog);
    this.writer = new RecordWriter(env.store, name, env.logger, this.reader);
  }

  private get state(): VersionState {
    return this.schemas.current();
  }

  get version(): string {
    return this.state.version;
  }
  get behavior(): Behavior {
    return this.state.def.behavior;
  }
  get attributes(): Attributes {
    return this.state.def.attributes;
  }
  get partitions(): Record<string, PartitionDefinition> {
    return this.state.partitions;
  }
  /** Paths secret in the current version or any earlier one (see ResourceSchemas.secretPathsEver). */
  get secretPaths(): string[] {
    return this.schemas.secretPathsEver();
  }
  get fieldTypes(): Record<string, string> {
    return this.state.schema.fieldTypes;
  }
  get timestamps(): boolean {
    return this.state.def.timestamps;
  }
  get paranoid(): boolean {
    return this.state.def.paranoid;
  }
  /** 'user', or the plugin that owns this resource. */
  get createdBy(): string {
    return this.schemas.entry.createdBy;
  }
  /** Whether any hook (named or in code) runs on `event`. */
  hasHook(event: HookEvent): boolean {
    return this.state.hooks.has(event);
  }

  dataKey(id: string): string {
    return dataKey(this.name, id);
  }

  idFromDataKey(key: string): string {
    return idOfDataKey(this.name, key) ?? '';
  }

  addHook(event: HookEvent, fn: HookFunction, name?: string): void {
    this.schemas.addHook(event, fn, name);
  }

  /**
   * Sees other servers' schema changes before acting: a resource this process does not know makes it re-read
   * s3db.json once (NotFoundError if still unknown); a write first checks s3db.json's ETag (one HEAD) unless it
   * was checked less than CATALOG_FRESH_MS ago. docs/reliability.md has the cost in requests.
   */
  async ensureFresh(write: boolean): Promise<void> {
    const catalog = this.env.catalog;
    if (!catalog.has(this.name)) {
      await catalog.refresh();
      catalog.entry(this.name);
    } else if (write) {
      await catalog.freshen(CATALOG_FRESH_MS);
    }
  }

  // ---- reading ----

  /** One HEAD or GET; secrets revealed (or masked without the passphrase). */
  readRecord(id: string, mode: 'head' | 'full'): Promise<RecordRead | null> {
    return this.reader.revealed(id, mode);
  }

  /** Decodes an object as stored (e.g. packed in a snapshot segment) exactly as readRecord does after a GET. */
  decodeRecord(id: string, metadata: Record<string, string>, body: Buffer, etag: string): Promise<RecordRead> {
    return this.reader.decoded(id, metadata, body, etag);
  }

  private hookContext(event: HookEvent, id?: string) {
    return { resource: this.name, event, ...(id === undefined ? {} : { id }) };
  }

  notFound(id: string): NotFoundError {
    return new NotFoundError(`No document "${id}" in "${this.name}"`, {
      details: { resource: this.name, id },
      hint: 'Check the id; use query to find existing documents.',
    });
  }

  async getOrNull(id: string): Promise<Document | null> {
    const state = this.state;
    const wanted = await state.hooks.run('beforeGet', validateId(id), this.hookContext('beforeGet', id));
    const rec = await this.readRecord(wanted, 'full');
    if (!rec) return null;
    return state.hooks.run('afterGet', rec.doc, this.hookContext('afterGet', wanted));
  }

  /** In this engine's format an empty data object is a delete's tombstone; s3db.js writes empty records. */
  get emptyIsTombstone(): boolean {
    return this.schemas.foreign === undefined;
  }

  async exists(id: string): Promise<boolean> {
    const head = await this.store.head(this.dataKey(validateId(id)));
    return head !== null && !isTombstone(head.metadata);
  }

  listIds(options: PageOptions = {}): Promise<{ ids: string[]; nextCursor?: string }> {
    return listIdPage(this.store, this.dataPrefix, (key) => this.idFromDataKey(key), options, this.emptyIsTombstone);
  }

  async list(options: PageOptions = {}): Promise<{ records: Document[]; nextCursor?: string }> {
    const { ids, nextCursor } = await this.listIds(options);
    const found = await mapLimit(ids, this.concurrency, (id) => this.getOrNull(id));
    const records = found.filter((doc): doc is Document => doc !== null);
    return nextCursor === undefined ? { records } : { records, nextCursor };
  }

  query(options: QueryOptions = {}): Promise<QueryResult> {
    return runQuery(this, { ...options, concurrency: this.env.queryConcurrency, snapshots: this.env.snapshots });
  }

  count(options: CountOptions = {}): Promise<CountResult> {
    return runCount(this, { ...options, concurrency: this.env.queryConcurrency, snapshots: this.env.snapshots });
  }

  listPartitions(partition?: string): Promise<PartitionListing[]> {
    return listPartitions(this, partition);
  }

  // ---- writing ----

  /** Refuses a write before any work when the database is read-only (not only at the store). */
  private assertWritable(): void {
    const refusal = this.env.guard.writeRefusal;
    if (refusal) throw refusal;
  }

  private validate(doc: Record<string, unknown>, state: VersionState): Document {
    return validateDocument(state.schema, doc, { resource: this.name }) as Document;
  }

  /** Stores a new document (`ifNoneMatch: '*'`: never over an existing id). */
  async insert(data: Record<string, unknown>): Promise<Document> {
    this.assertWritable();
    const state = this.state;
    const input = stripReadOnly(asRecord(data, 'A document'));
    const id = input.id === undefined ? generateId() : validateId(input.id);
    let doc = this.validate({ ...input, id }, state);
    if (state.def.timestamps) {
      const now = new Date().toISOString();
      doc = { ...doc, createdAt: now, updatedAt: now };
    }
    const hooked = await state.hooks.run('beforeInsert', doc, this.hookContext('beforeInsert', id));
    if (hooked !== doc) doc = this.validate({ ...asRecord(hooked, 'beforeInsert result'), id }, state);
    const stored = await this.codec.encrypt(doc, state);
    const enc = this.codec.encode(stored, state, 'insert');
    const created = await this.writer.create({
      id,
      key: this.dataKey(id),
      body: enc.body,
      metadata: enc.metadata,
      references: this.reader.referenceKeys(stored, state.partitions),
      version: state.version,
      // An id generated here is held by no other writer: its references can go beside the data object.
      beside: input.id === undefined,
      background: this.schemas.entry.asyncPartitions === true,
    });
    if (!created) {
      throw new ConflictError(`"${this.name}" already has a document with id "${id}"`, {
        details: { resource: this.name, id },
        hint: 'Use update or upsert to change it, or insert without an id to get a new one.',
      });
    }
    await this.env.writes.notify({ resource: this.name, operation: 'insert', id, before: null, after: stored });
    const out = await this.codec.readerView(stored, enc, state.version);
    return state.hooks.run('afterInsert', out, this.hookContext('afterInsert', id));
  }

  /**
   * Read (with ETag) → build → write with ifMatch, re-read and rebuilt on conflict, so concurrent writers of
   * different fields never lose each other's changes.
   */
  private async rewrite(
    id: string,
    operation: 'update' | 'replace',
    build: (current: Document, state: VersionState) => Record<string, unknown>,
    encryptOnly: Record<string, unknown> | undefined,
  ): Promise<Written> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const cur = await this.reader.stored(id, 'full');
      if (!cur) throw this.notFound(id);
      const state = this.state; // after the read: it may have loaded a newer catalog
      if (!Object.hasOwn(this.schemas.entry.versions, cur.version)) {
        // Rewriting it under an older schema would drop the fields this process does not know.
        throw new ConflictError(`"${this.name}/${id}" was written under schema ${cur.version}, unknown here`, {
          details: { resource: this.name, id, version: cur.version },
          hint: 'Another server defined a version this catalog lacks; run heal, then retry.',
          retryable: true,
        });
      }
      let doc = this.validate({ ...build(cur.doc, state), id }, state);
      if (state.def.timestamps) {
        const createdAt = typeof cur.doc.createdAt === 'string' ? cur.doc.createdAt : new Date().toISOString();
        doc = { ...doc, createdAt, updatedAt: new Date().toISOString() };
      }
      const stored = await this.codec.encrypt(doc, state, encryptOnly);
      const enc = this.codec.encode(stored, state, operation);
      try {
        await this.store.put(this.dataKey(id), enc.body, enc.metadata, {
          ifMatch: cur.etag,
          contentType: 'application/json',
        });
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        if (!(await isOwnWrite(this.store, e, this.dataKey(id), enc.body))) {
          await backoff(attempt);
          continue;
        }
      }
      const key = this.dataKey(id);
      const [next, old] = [
        this.reader.referenceKeys(stored, state.partitions),
        this.reader.referenceKeys(cur.doc, state.partitions),
      ];
      await this.writer.move(id, key, next, old, state.version, this.schemas.entry.asyncPartitions === true);
      await this.env.writes.notify({ resource: this.name, operation, id, before: cur.doc, after: stored });
      return { document: await this.codec.readerView(stored, enc, state.version), previous: cur.doc };
    }
    throw new ConflictError(`"${this.name}/${id}" kept changing; the ${operation} was not applied`, {
      details: { resource: this.name, id },
      hint: 'Many writers are changing this document at once; retry.',
      retryable: true,
    });
  }

  /** Keeps only the attributes the current version knows (an update rewrites a record in the current version). */
  private currentFields(doc: Document, state: VersionState): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(stripReadOnly(doc))) {
      if (Object.hasOwn(state.schema.fields, k) || k === 'id' || k === 'createdAt' || k === 'updatedAt') out[k] = v;
    }
    return out;
  }

  /** Merges `patch` into the stored document (plain objects deep-merged). */
  async update(id: string, patch: Record<string, unknown>): Promise<Written> {
    this.assertWritable();
    validateId(id);
    const state = this.state;
    // The merge below copies by assignment, which would drop a "__proto__" key instead of refusing it.
    checkJsonInput(patch, 'The update');
    const p = stripReadOnly(asRecord(patch, 'An update'));
    if (p.id !== undefined && p.id !== id) {
      throw new ValidationError('An update cannot change the id', {
        issues: [{ path: 'id', message: 'differs from the document id' }],
        hint: 'Insert a new document with the new id and delete the old one.',
      });
    }
    const hooked = asRecord(
      await state.hooks.run('beforeUpdate', p, this.hookContext('beforeUpdate', id)),
      'beforeUpdate result',
    );
    const { id: _id, createdAt: _c, updatedAt: _u, ...changes } = hooked;
    const written = await this.rewrite(
      id,
      'update',
      (cur, s) => deepMerge(this.currentFields(cur, s), changes),
      changes,
    );
    const document = await state.hooks.run('afterUpdate', written.document, this.hookContext('afterUpdate', id));
    return { document, previous: written.previous };
  }

  /** Replaces the stored document's attributes with `data` (createdAt kept). */
  async replace(id: string, data: Record<string, unknown>): Promise<Written> {
    this.assertWritable();
    validateId(id);
    const state = this.state;
    const input = stripReadOnly(asRecord(data, 'A document'));
    if (input.id !== undefined && input.id !== id) {
      throw new ValidationError('replace cannot change the id', { issues: [{ path: 'id', message: 'differs' }] });
    }
    const hooked = asRecord(
      await state.hooks.run('beforeUpdate', input, this.hookContext('beforeUpdate', id)),
      'beforeUpdate result',
    );
    const { createdAt: _c, updatedAt: _u, ...body } = hooked;
    const written = await this.rewrite(id, 'replace', () => body, undefined);
    const document = await state.hooks.run('afterUpdate', written.document, this.hookContext('afterUpdate', id));
    return { document, previous: written.previous };
  }

  /** Inserts, or replaces when the id exists; `previous` is null when it inserted. */
  async upsert(
    data: Record<string, unknown>,
  ): Promise<{ record: Document; created: boolean; previous: Document | null }> {
    const input = asRecord(data, 'A document');
    if (input.id === undefined) {
      throw new ValidationError('upsert needs an id', {
        issues: [{ path: 'id', message: 'is required for upsert' }],
        hint: 'Pass data.id, or use insert to get a generated id.',
      });
    }
    const id = validateId(input.id);
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      try {
        return { record: await this.insert(input), created: true, previous: null };
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
      try {
        const written = await this.replace(id, input);
        return { record: written.document, created: false, previous: written.previous };
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e; // deleted between the two: insert again
      }
      await backoff(attempt);
    }
    throw new ConflictError(`upsert of "${this.name}/${id}" kept racing with deletes`, { retryable: true });
  }

  /** Reads the document and puts the tombstone over the version read, re-reading after a racing write. */
  private async tombstone(id: string, needDoc: boolean, state: VersionState) {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const cur = await this.reader.stored(id, needDoc ? 'full' : 'head');
      if (!cur) throw this.notFound(id);
      const doc = needDoc ? await this.codec.reveal(cur.doc, cur.version) : cur.doc;
      if (attempt === 0) await state.hooks.run('beforeDelete', doc, this.hookContext('beforeDelete', id));
      if (await putTombstone(this.store, this.dataKey(id), cur.etag)) return { cur, doc };
      await backoff(attempt);
    }
    throw new ConflictError(`"${this.name}/${id}" kept changing; the delete was not applied`, {
      details: { resource: this.name, id },
      hint: 'Many writers are changing this document at once; retry.',
      retryable: true,
    });
  }

  /**
   * Deletes one document and its partition references; returns the stored document it removed. That is only
   * complete (a GET instead of a HEAD) when `needs.previous`, partitions or delete hooks require it.
   */
  async delete(
    id: string,
    options: { confirm?: boolean } = {},
    needs: { previous: boolean } = { previous: false },
  ): Promise<{ previous: Document }> {
    this.assertWritable();
    validateId(id);
    this.codec.assertWritable('delete documents');
    const state = this.state;
    if (state.def.paranoid && options.confirm !== true) {
      throw new ValidationError(`"${this.name}" is paranoid: deleting needs confirmation`, {
        details: { resource: this.name, id },
        hint: 'Pass { confirm: true } to delete.',
        issues: [{ path: 'confirm', message: 'must be true for a paranoid resource' }],
      });
    }
    const needDoc =
      needs.previous ||
      Object.keys(state.partitions).length > 0 ||
      state.hooks.has('beforeDelete') ||
      state.hooks.has('afterDelete');
    const key = this.dataKey(id);
    const { cur, doc } = await this.tombstone(id, needDoc, state);
    const refs = [...partitionReferenceKeys(this.name, state.partitions, cur.doc).values()];
    if (refs.length > 0) await this.store.deleteMany(refs);
    await this.store.delete(key);
    await this.env.writes.notify({ resource: this.name, operation: 'delete', id, before: cur.doc, after: null });
    await state.hooks.run('afterDelete', doc, this.hookContext('afterDelete', id));
    return { previous: cur.doc };
  }
}
