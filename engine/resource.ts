// A resource: documents in and out. The pipeline of one write is validate → timestamps → before-hooks →
// encrypt secrets → encode → behavior split → conditional put → partition references → after-hooks.
import { randomBytes } from 'node:crypto';
import PQueue from 'p-queue';
import {
  applyBehavior,
  BODY_MARKER,
  CREATED_FIELD,
  TRUNCATED_MARKER,
  UPDATED_FIELD,
  VERSION_FIELD,
} from './behaviors/index.js';
import type { ExceedsLimitEvent } from './behaviors/index.js';
import type { CatalogResource, CatalogVersion } from './catalog/index.js';
import {
  decodeValue,
  encodeEntries,
  encodeValue,
  flattenDocument,
  readEntries,
  reverseKeyMap,
  unflattenEntries,
} from './codec/index.js';
import { getPath, setPath } from './util/index.js';
import type { SecretCipher } from './crypto/index.js';
import { ConflictError, NotFoundError, S3dbError, ValidationError, isS3dbError } from './errors.js';
import { HookRunner } from './hooks.js';
import { generateId, validateId } from './ids.js';
import { normalizePartitions, partitionReferenceKeys } from './partitions/index.js';
import type { Operation, OperationArgs, OperationContext, OperationResults, WriteEvent } from './plugins/index.js';
import * as queryModule from './query/index.js';
import { compileSchema, validateDocument, type CompiledSchema } from './schema/index.js';
import type { Metadata, ObjectStore } from './storage/index.js';
import {
  ENCRYPTED_MARKER,
  type Attributes,
  type Behavior,
  type BulkItemError,
  type BulkResult,
  type CountResult,
  type Document,
  type EngineLogger,
  type HealProblem,
  type HookEvent,
  type HookFunction,
  type PartitionDefinition,
  type PartitionListing,
  type QueryOptions,
  type QueryResult,
  type RecordRead,
  type ResourceAccess,
} from './types.js';

/** What a Resource needs from its Database. */
export interface ResourceHost {
  store: ObjectStore;
  cipher: SecretCipher;
  concurrency: number;
  logger?: EngineLogger | undefined;
  entry(name: string): CatalogResource;
  namedHook(name: string): HookFunction | undefined;
  emitExceedsLimit(payload: ExceedsLimitEvent & { resource: string }): void;
  /** Runs one operation through the plugin pipeline; absent on the plugin-free view. */
  runOperation?: OperationRunner | undefined;
  /** The same resource without plugins (`withoutPlugins()`). */
  bare(name: string): Resource;
  /** Tells the write observers (`Database.onWrite`) about a stored write, from either view; never throws. */
  notifyWrite?(event: WriteEvent): Promise<void>;
}

/** The plain implementation of an operation, as the pipeline calls it. */
export type OperationEngine<Op extends Operation> = (
  args: OperationArgs[Op],
  ctx: OperationContext<Op> | undefined,
  wantsPrevious: boolean,
) => Promise<OperationResults[Op]>;

export type OperationRunner = <Op extends Operation>(
  resource: Resource,
  operation: Op,
  args: OperationArgs[Op],
  engine: OperationEngine<Op>,
) => Promise<OperationResults[Op]>;

/** Hooks added in code, shared by a resource and its plugin-free twin. */
export interface CodeHooks {
  list: { event: HookEvent; fn: HookFunction; name?: string | undefined }[];
  epoch: number;
}

interface VersionState {
  version: string;
  def: CatalogVersion;
  schema: CompiledSchema;
  partitions: Record<string, PartitionDefinition>;
  hooks: HookRunner;
}

interface RawRecord {
  /** Secrets still encrypted. */
  doc: Document;
  etag: string;
  version: string;
  complete: boolean;
}

const MAX_WRITE_ATTEMPTS = 40;
/** Body key holding a per-write random revision (never an attribute: attributes use short keys). */
const REVISION_FIELD = '_r';
const DEFAULT_PAGE = 100;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Plain objects merge key by key; anything else (arrays included) replaces. */
export function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k], v) : v;
  }
  return out;
}

function backoff(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.random() * Math.min(100, 2 * 2 ** attempt)));
}

function deletePath(target: Record<string, unknown>, path: string): void {
  const parts = path.split('.');
  let cur: unknown = target;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(cur)) return;
    cur = cur[part];
  }
  if (isPlainObject(cur)) delete cur[parts[parts.length - 1]!];
}

/** Read-only fields a caller may send back from a read; they are never stored as attributes. */
function stripReadOnly(data: Record<string, unknown>): Record<string, unknown> {
  const { _truncated: _t, ...rest } = data;
  return rest;
}

function asRecord(data: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(data)) {
    throw new ValidationError(`${what} must be an object`, { hint: 'Pass a JSON object of attribute values.' });
  }
  return data;
}

export class Resource implements ResourceAccess {
  readonly name: string;
  readonly store: ObjectStore;
  readonly dataPrefix: string;
  private readonly host: ResourceHost;
  private readonly codeHooks: CodeHooks;
  private readonly schemas = new Map<string, CompiledSchema>();
  private cached: (VersionState & { epoch: number }) | undefined;

  constructor(name: string, host: ResourceHost, codeHooks: CodeHooks = { list: [], epoch: 0 }) {
    this.name = name;
    this.host = host;
    this.codeHooks = codeHooks;
    this.store = host.store;
    this.dataPrefix = `resource=${name}/data/`;
  }

  private get entry(): CatalogResource {
    return this.host.entry(this.name);
  }

  /** The current version's compiled state, rebuilt when the catalog moves to a new version. */
  private get state(): VersionState {
    const entry = this.entry;
    const def = entry.versions[entry.currentVersion]!;
    const { cached } = this;
    if (cached?.version === entry.currentVersion && cached.epoch === this.codeHooks.epoch && cached.def === def) {
      return cached;
    }
    // A re-read catalog (heal may have repaired a version in place) invalidates what was compiled from it.
    if (this.cached !== undefined && this.cached.def !== def) this.schemas.clear();
    const schema = this.schemaFor(entry.currentVersion);
    const hooks = new HookRunner();
    for (const [event, names] of Object.entries(def.hooks ?? {}) as [HookEvent, string[]][]) {
      for (const hookName of names) {
        hooks.add(
          event,
          (value, ctx) => {
            const fn = this.host.namedHook(hookName);
            if (!fn) throw new Error(`hook "${hookName}" is not registered in this process (db.registerHook)`);
            return fn(value, ctx);
          },
          hookName,
        );
      }
    }
    for (const h of this.codeHooks.list) hooks.add(h.event, h.fn, h.name);
    this.cached = {
      epoch: this.codeHooks.epoch,
      version: entry.currentVersion,
      def,
      schema,
      partitions: normalizePartitions(schema.fieldTypes, def.partitions),
      hooks,
    };
    return this.cached;
  }

  private schemaFor(version: string): CompiledSchema {
    let schema = this.schemas.get(version);
    if (!schema) {
      const def = this.entry.versions[version] ?? this.entry.versions[this.entry.currentVersion]!;
      schema = compileSchema(def.attributes, { timestamps: def.timestamps });
      this.schemas.set(version, schema);
    }
    return schema;
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
  get secretPaths(): string[] {
    return this.state.schema.secretPaths;
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

  dataKey(id: string): string {
    return `${this.dataPrefix}id=${id}`;
  }

  idFromDataKey(key: string): string {
    return key.slice(this.dataPrefix.length + 3);
  }

  /** Registers a hook in code (runs after the named hooks of the definition, in registration order). */
  addHook(event: HookEvent, fn: HookFunction, name?: string): void {
    new HookRunner().add(event, fn); // validates the event name
    this.codeHooks.list.push({ event, fn, name });
    this.codeHooks.epoch++;
    this.cached = undefined;
  }

  /** The hooks shared with the plugin-free twin (engine-internal). */
  get sharedCodeHooks(): CodeHooks {
    return this.codeHooks;
  }

  /** 'user', or the plugin that owns this resource. */
  get createdBy(): string {
    return this.entry.createdBy;
  }

  /**
   * This resource without plugins: same documents and resource hooks, no plugin stage runs. Plugins and the
   * engine use it for their own maintenance writes (an audit record is not audited, a cache fill not cached).
   */
  withoutPlugins(): Resource {
    return this.host.bare(this.name);
  }

  /** Runs an operation through the plugin pipeline (or straight to the engine without one). */
  private op<Op extends Operation>(operation: Op, args: OperationArgs[Op], engine: OperationEngine<Op>) {
    const run = this.host.runOperation;
    return run ? run(this, operation, args, engine) : engine(args, undefined, false);
  }

  // ---- reading ----

  private decodeObject(id: string, metadata: Metadata, body: Buffer | null): RawRecord {
    const version = metadata[VERSION_FIELD] ?? this.entry.currentVersion;
    let parsed: Record<string, unknown> | null = null;
    if (body && body.length > 0 && metadata[BODY_MARKER] !== undefined) {
      try {
        parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch (e) {
        throw new S3dbError('CORRUPTED', `The body of "${this.name}/${id}" is not valid JSON`, {
          details: { resource: this.name, id },
          hint: 'Replace the document, or run heal.',
          cause: e,
        });
      }
    }
    const reverse = reverseKeyMap(this.entry.keyMap);
    const doc: Document = { id, ...unflattenEntries(readEntries(metadata, parsed, reverse)) };
    if (metadata[CREATED_FIELD] !== undefined) doc.createdAt = decodeValue(metadata[CREATED_FIELD]);
    if (metadata[UPDATED_FIELD] !== undefined) doc.updatedAt = decodeValue(metadata[UPDATED_FIELD]);
    if (metadata[TRUNCATED_MARKER] !== undefined) {
      doc._truncated = metadata[TRUNCATED_MARKER].split(',').map((k) => reverse.get(k) ?? k);
    }
    const complete = body !== null || metadata[BODY_MARKER] === undefined;
    return { doc, etag: '', version, complete };
  }

  private async readRaw(id: string, mode: 'head' | 'full'): Promise<RawRecord | null> {
    const key = this.dataKey(id);
    if (mode === 'head') {
      const head = await this.store.head(key);
      return head ? { ...this.decodeObject(id, head.metadata, null), etag: head.etag } : null;
    }
    const obj = await this.store.get(key);
    return obj ? { ...this.decodeObject(id, obj.metadata, obj.body), etag: obj.etag } : null;
  }

  /** Secrets decrypted with the passphrase, or ENCRYPTED_MARKER without one. */
  private async reveal(doc: Document, version: string): Promise<Document> {
    const paths = this.schemaFor(version).secretPaths;
    if (paths.length === 0) return doc;
    const out = structuredClone(doc);
    for (const path of paths) {
      const value = getPath(out, path);
      if (typeof value !== 'string') continue;
      setPath(
        out,
        path,
        this.host.cipher.hasPassphrase ? await this.host.cipher.decrypt(value, path) : ENCRYPTED_MARKER,
      );
    }
    return out;
  }

  async readRecord(id: string, mode: 'head' | 'full'): Promise<RecordRead | null> {
    const raw = await this.readRaw(id, mode);
    if (!raw) return null;
    return {
      doc: await this.reveal(raw.doc, raw.version),
      complete: raw.complete,
      etag: raw.etag,
      version: raw.version,
    };
  }

  private ctx(event: HookEvent, id?: string) {
    return { resource: this.name, event, ...(id === undefined ? {} : { id }) };
  }

  private notFound(id: string): NotFoundError {
    return new NotFoundError(`No document "${id}" in "${this.name}"`, {
      details: { resource: this.name, id },
      hint: 'Check the id; use listIds or query to find existing documents.',
    });
  }

  async get(id: string): Promise<Document> {
    const doc = await this.getOrNull(id);
    if (!doc) throw this.notFound(id);
    return doc;
  }

  getOrNull(id: string): Promise<Document | null> {
    return this.op('get', { id }, (a) => this.getRaw(a.id));
  }

  private async getRaw(id: string): Promise<Document | null> {
    const state = this.state;
    const wanted = await state.hooks.run('beforeGet', validateId(id), this.ctx('beforeGet', id));
    const rec = await this.readRecord(wanted, 'full');
    if (!rec) return null;
    return state.hooks.run('afterGet', rec.doc, this.ctx('afterGet', wanted));
  }

  exists(id: string): Promise<boolean> {
    return this.op('exists', { id }, async (a) => (await this.store.head(this.dataKey(validateId(a.id)))) !== null);
  }

  /** One `get` operation per id. */
  getMany(ids: string[], options: { concurrency?: number } = {}): Promise<{ records: Document[]; missing: string[] }> {
    return this.fetchMany(ids, options.concurrency, (id) => this.getOrNull(id));
  }

  private async fetchMany(
    ids: string[],
    concurrency: number | undefined,
    read: (id: string) => Promise<Document | null>,
  ): Promise<{ records: Document[]; missing: string[] }> {
    const queue = new PQueue({ concurrency: concurrency ?? this.host.concurrency });
    const found = await queue.addAll(ids.map((id) => () => read(id)));
    const records: Document[] = [];
    const missing: string[] = [];
    found.forEach((doc, i) => (doc ? records.push(doc) : missing.push(ids[i]!)));
    return { records, missing };
  }

  listIds(options: { limit?: number; cursor?: string } = {}): Promise<{ ids: string[]; nextCursor?: string }> {
    return this.op('listIds', { options }, (a) => this.listIdsRaw(a.options));
  }

  private async listIdsRaw(
    options: { limit?: number; cursor?: string } = {},
  ): Promise<{ ids: string[]; nextCursor?: string }> {
    const limit = options.limit ?? DEFAULT_PAGE;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new ValidationError('limit must be a positive integer', { hint: 'Pass limit between 1 and 1000.' });
    }
    const ids: string[] = [];
    let token = options.cursor;
    for (;;) {
      const page = await this.store.list({
        prefix: this.dataPrefix,
        maxKeys: Math.min(1000, limit - ids.length),
        ...(token === undefined ? {} : { continuationToken: token }),
      });
      for (const o of page.objects) ids.push(this.idFromDataKey(o.key));
      token = page.isTruncated ? page.nextContinuationToken : undefined;
      if (token === undefined || ids.length >= limit) break;
    }
    return token === undefined ? { ids } : { ids, nextCursor: token };
  }

  /** One `list` operation (its reads are not separate `get` operations). */
  list(options: { limit?: number; cursor?: string } = {}): Promise<{ records: Document[]; nextCursor?: string }> {
    return this.op('list', { options }, (a) => this.listRaw(a.options));
  }

  private async listRaw(options: { limit?: number; cursor?: string }) {
    const { ids, nextCursor } = await this.listIdsRaw(options);
    const { records } = await this.fetchMany(ids, undefined, (id) => this.getRaw(id));
    return nextCursor === undefined ? { records } : { records, nextCursor };
  }

  // ---- writing ----

  private validate(doc: Record<string, unknown>, state: VersionState): Document {
    return validateDocument(state.schema, doc, { resource: this.name }) as Document;
  }

  private async encrypt(doc: Document, state: VersionState, only?: Record<string, unknown>): Promise<Document> {
    if (state.schema.secretPaths.length === 0) return doc;
    const out = structuredClone(doc);
    for (const path of state.schema.secretPaths) {
      const value = getPath(out, path);
      if (typeof value !== 'string') continue;
      if (only && getPath(only, path) === undefined) continue;
      if (value === ENCRYPTED_MARKER) {
        throw new ValidationError(`Secret field "${path}" holds the "${ENCRYPTED_MARKER}" placeholder`, {
          details: { resource: this.name, field: path },
          hint: 'Send the real secret value, or leave the field out of the update to keep the stored one.',
          issues: [{ path, message: 'is the encrypted placeholder, not a value' }],
        });
      }
      setPath(out, path, await this.host.cipher.encrypt(value, path));
    }
    return out;
  }

  /** Encodes and splits a validated (secrets encrypted) document; returns what to put and what was cut. */
  private encode(doc: Document, state: VersionState, operation: string) {
    const { id, createdAt, updatedAt, ...attrs } = doc;
    const system: Metadata = { [VERSION_FIELD]: state.version };
    if (typeof createdAt === 'string') system[CREATED_FIELD] = encodeValue(createdAt);
    if (typeof updatedAt === 'string') system[UPDATED_FIELD] = encodeValue(updatedAt);
    const entries = encodeEntries(flattenDocument(state.schema, attrs), this.entry.keyMap);
    const split = applyBehavior(state.def.behavior, {
      resource: this.name,
      id,
      operation,
      system,
      entries,
      secretPaths: state.schema.secretPaths,
      data: doc,
      emit: (_event, payload) => this.host.emitExceedsLimit({ ...payload, resource: this.name }),
    });
    // S3's ETag is the MD5 of the body only: a fresh revision in every body makes ifMatch see metadata changes.
    const body = JSON.stringify({ ...split.body, [REVISION_FIELD]: randomBytes(9).toString('base64url') });
    const kept = new Map(entries.map((e) => [e.path, e]));
    const cut = new Map<string, unknown>();
    for (const path of split.truncated) {
      const key = kept.get(path)!.key;
      if (split.metadata[key] !== undefined) cut.set(path, decodeValue(split.metadata[key]));
    }
    return { metadata: split.metadata, body, truncated: split.truncated, cut };
  }

  /** What a reader will see for a document written with truncation. */
  private async result(doc: Document, enc: { truncated: string[]; cut: Map<string, unknown> }, version: string) {
    const out = await this.reveal(doc, version);
    if (enc.truncated.length === 0) return out;
    for (const path of enc.truncated) {
      if (enc.cut.has(path)) setPath(out, path, enc.cut.get(path));
      else deletePath(out, path);
    }
    out._truncated = enc.truncated;
    return out;
  }

  private async writeReferences(doc: Document, state: VersionState, previous?: Document): Promise<void> {
    const next = partitionReferenceKeys(this.name, state.partitions, doc);
    const old = previous ? partitionReferenceKeys(this.name, state.partitions, previous) : new Map<string, string>();
    const toWrite = [...next.values()].filter((k) => ![...old.values()].includes(k));
    const toDelete = [...old.values()].filter((k) => ![...next.values()].includes(k));
    if (toWrite.length === 0 && toDelete.length === 0) return;
    const work = async () => {
      await Promise.all(toWrite.map((key) => this.store.put(key, '', { [VERSION_FIELD]: state.version })));
      if (toDelete.length > 0) await this.store.deleteMany(toDelete);
    };
    if (this.entry.asyncPartitions) {
      work().catch((e: unknown) =>
        this.host.logger?.warn({ resource: this.name, id: doc.id, err: String(e) }, 'partition references not written'),
      );
    } else {
      await work();
    }
  }

  /**
   * After a conditional PUT failed its precondition: true when the object holds the very body this writer sent
   * (same random revision), i.e. an earlier attempt of the same PUT reached the server but its response was lost
   * and the SDK's retry then hit our own write. Such a write succeeded; it must not be reported as a conflict
   * nor applied a second time.
   */
  private async isOwnWrite(conflict: ConflictError, key: string, body: string): Promise<boolean> {
    // Only a retried PUT can meet its own earlier attempt (stores report `details.attempts`, S3's SDK does).
    const attempts = conflict.details.attempts;
    if (typeof attempts !== 'number' || attempts < 2) return false;
    const cur = await this.store.get(key);
    if (!cur) return false;
    try {
      const sent = (JSON.parse(body) as Record<string, unknown>)[REVISION_FIELD];
      const found = (JSON.parse(cur.body.toString('utf8')) as Record<string, unknown>)[REVISION_FIELD];
      return typeof sent === 'string' && sent === found;
    } catch {
      return false;
    }
  }

  insert(data: Record<string, unknown>): Promise<Document> {
    return this.op('insert', { data }, (a) => this.insertRaw(a.data));
  }

  private async insertRaw(data: Record<string, unknown>): Promise<Document> {
    const state = this.state;
    const input = stripReadOnly(asRecord(data, 'A document'));
    const id = input.id === undefined ? generateId() : validateId(input.id);
    let doc = this.validate({ ...input, id }, state);
    if (state.def.timestamps) {
      const now = new Date().toISOString();
      doc = { ...doc, createdAt: now, updatedAt: now };
    }
    const hooked = await state.hooks.run('beforeInsert', doc, this.ctx('beforeInsert', id));
    if (hooked !== doc) doc = this.validate({ ...asRecord(hooked, 'beforeInsert result'), id }, state);
    const stored = await this.encrypt(doc, state);
    const enc = this.encode(stored, state, 'insert');
    try {
      await this.store.put(this.dataKey(id), enc.body, enc.metadata, {
        ifNoneMatch: '*',
        contentType: 'application/json',
      });
    } catch (e) {
      if (e instanceof ConflictError && !(await this.isOwnWrite(e, this.dataKey(id), enc.body))) {
        throw new ConflictError(`"${this.name}" already has a document with id "${id}"`, {
          details: { resource: this.name, id },
          hint: 'Use update or upsert to change it, or insert without an id to get a new one.',
        });
      }
      if (!(e instanceof ConflictError)) throw e;
    }
    await this.writeReferences(stored, state);
    await this.host.notifyWrite?.({ resource: this.name, operation: 'insert', id, before: null, after: stored });
    const out = await this.result(stored, enc, state.version);
    return state.hooks.run('afterInsert', out, this.ctx('afterInsert', id));
  }

  async insertMany(items: Record<string, unknown>[], options: { concurrency?: number } = {}): Promise<BulkResult> {
    const queue = new PQueue({ concurrency: options.concurrency ?? this.host.concurrency });
    const ids: string[] = [];
    const errors: BulkItemError[] = [];
    // Within one batch the first item with an id wins, deterministically; later repeats are conflicts without
    // racing the first for the same key.
    const firstIndex = new Map<string, number>();
    items.forEach((item, index) => {
      const id = suppliedId(item);
      if (id !== undefined && !firstIndex.has(id)) firstIndex.set(id, index);
    });
    const results = await queue.addAll(
      items.map((item, index) => async () => {
        const id = suppliedId(item);
        try {
          if (id !== undefined && firstIndex.get(id) !== index) {
            throw new ConflictError(`Record "${id}" appears more than once in this batch`, {
              details: { resource: this.name, id, firstIndex: firstIndex.get(id) },
              hint: 'Give each record in insertMany its own id; use update or upsert to change an existing record.',
            });
          }
          return (await this.insert(item)).id;
        } catch (e) {
          errors.push({
            index,
            ...(id === undefined ? {} : { id }),
            code: isS3dbError(e) ? e.code : 'INTERNAL',
            message: e instanceof Error ? e.message : String(e),
          });
          return undefined;
        }
      }),
    );
    for (const id of results) if (id !== undefined) ids.push(id);
    errors.sort((a, b) => a.index - b.index);
    return { ids, errors };
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
    ctx: OperationContext | undefined,
  ): Promise<Document> {
    const state = this.state;
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const cur = await this.readRaw(id, 'full');
      if (!cur) throw this.notFound(id);
      const built = build(cur.doc, state);
      let doc = this.validate({ ...built, id }, state);
      if (state.def.timestamps) {
        const createdAt = typeof cur.doc.createdAt === 'string' ? cur.doc.createdAt : new Date().toISOString();
        doc = { ...doc, createdAt, updatedAt: new Date().toISOString() };
      }
      const stored = await this.encrypt(doc, state, encryptOnly);
      const enc = this.encode(stored, state, operation);
      try {
        await this.store.put(this.dataKey(id), enc.body, enc.metadata, {
          ifMatch: cur.etag,
          contentType: 'application/json',
        });
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        if (!(await this.isOwnWrite(e, this.dataKey(id), enc.body))) {
          await backoff(attempt);
          continue;
        }
      }
      await this.writeReferences(stored, state, cur.doc);
      await this.host.notifyWrite?.({ resource: this.name, operation, id, before: cur.doc, after: stored });
      if (ctx) ctx.previous = cur.doc;
      return this.result(stored, enc, state.version);
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
      if (k in state.schema.fields || k === 'id' || k === 'createdAt' || k === 'updatedAt') out[k] = v;
    }
    return out;
  }

  update(id: string, patch: Record<string, unknown>): Promise<Document> {
    return this.op('update', { id, patch }, (a, ctx) => this.updateRaw(a.id, a.patch, ctx));
  }

  private async updateRaw(id: string, patch: Record<string, unknown>, ctx?: OperationContext): Promise<Document> {
    validateId(id);
    const state = this.state;
    const p = stripReadOnly(asRecord(patch, 'An update'));
    if (p.id !== undefined && p.id !== id) {
      throw new ValidationError('An update cannot change the id', {
        issues: [{ path: 'id', message: 'differs from the document id' }],
        hint: 'Insert a new document with the new id and delete the old one.',
      });
    }
    const hooked = asRecord(
      await state.hooks.run('beforeUpdate', p, this.ctx('beforeUpdate', id)),
      'beforeUpdate result',
    );
    const { id: _id, createdAt: _c, updatedAt: _u, ...changes } = hooked;
    const out = await this.rewrite(
      id,
      'update',
      (cur, s) => deepMerge(this.currentFields(cur, s), changes),
      changes,
      ctx,
    );
    return state.hooks.run('afterUpdate', out, this.ctx('afterUpdate', id));
  }

  replace(id: string, data: Record<string, unknown>): Promise<Document> {
    return this.op('replace', { id, data }, (a, ctx) => this.replaceRaw(a.id, a.data, ctx));
  }

  private async replaceRaw(id: string, data: Record<string, unknown>, ctx?: OperationContext): Promise<Document> {
    validateId(id);
    const state = this.state;
    const input = stripReadOnly(asRecord(data, 'A document'));
    if (input.id !== undefined && input.id !== id) {
      throw new ValidationError('replace cannot change the id', { issues: [{ path: 'id', message: 'differs' }] });
    }
    const hooked = asRecord(
      await state.hooks.run('beforeUpdate', input, this.ctx('beforeUpdate', id)),
      'beforeUpdate result',
    );
    const { createdAt: _c, updatedAt: _u, ...body } = hooked;
    const out = await this.rewrite(id, 'replace', () => body, undefined, ctx);
    return state.hooks.run('afterUpdate', out, this.ctx('afterUpdate', id));
  }

  upsert(data: Record<string, unknown>): Promise<{ record: Document; created: boolean }> {
    return this.op('upsert', { data }, (a, ctx) => this.upsertRaw(a.data, ctx));
  }

  private async upsertRaw(
    data: Record<string, unknown>,
    ctx?: OperationContext,
  ): Promise<{ record: Document; created: boolean }> {
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
        const record = await this.insertRaw(input);
        if (ctx) ctx.previous = null;
        return { record, created: true };
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
      try {
        return { record: await this.replaceRaw(id, input, ctx), created: false };
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e; // deleted between the two: insert again
      }
    }
    throw new ConflictError(`upsert of "${this.name}/${id}" kept racing with deletes`, { retryable: true });
  }

  delete(id: string, options: { confirm?: boolean } = {}): Promise<void> {
    return this.op('delete', { id, options }, (a, ctx, wantsPrevious) =>
      this.deleteRaw(a.id, a.options, ctx, wantsPrevious),
    );
  }

  private async deleteRaw(
    id: string,
    options: { confirm?: boolean },
    ctx: OperationContext | undefined,
    wantsPrevious: boolean,
  ): Promise<void> {
    validateId(id);
    const state = this.state;
    if (state.def.paranoid && options.confirm !== true) {
      throw new ValidationError(`"${this.name}" is paranoid: deleting needs confirmation`, {
        details: { resource: this.name, id },
        hint: 'Pass { confirm: true } to delete.',
        issues: [{ path: 'confirm', message: 'must be true for a paranoid resource' }],
      });
    }
    const needDoc =
      wantsPrevious ||
      Object.keys(state.partitions).length > 0 ||
      state.hooks.has('beforeDelete') ||
      state.hooks.has('afterDelete');
    const cur = await this.readRaw(id, needDoc ? 'full' : 'head');
    if (!cur) throw this.notFound(id);
    if (ctx) ctx.previous = cur.doc;
    const doc = needDoc ? await this.reveal(cur.doc, cur.version) : cur.doc;
    await state.hooks.run('beforeDelete', doc, this.ctx('beforeDelete', id));
    await this.store.delete(this.dataKey(id));
    const refs = [...partitionReferenceKeys(this.name, state.partitions, cur.doc).values()];
    if (refs.length > 0) await this.store.deleteMany(refs);
    await this.host.notifyWrite?.({ resource: this.name, operation: 'delete', id, before: cur.doc, after: null });
    await state.hooks.run('afterDelete', doc, this.ctx('afterDelete', id));
  }

  async deleteMany(
    ids: string[],
    options: { confirm?: boolean; concurrency?: number } = {},
  ): Promise<{ deleted: string[]; errors: BulkItemError[] }> {
    const queue = new PQueue({ concurrency: options.concurrency ?? this.host.concurrency });
    const deleted: string[] = [];
    const errors: BulkItemError[] = [];
    await queue.addAll(
      ids.map((id, index) => async () => {
        try {
          await this.delete(id, options);
          deleted.push(id);
        } catch (e) {
          errors.push({
            index,
            id,
            code: isS3dbError(e) ? e.code : 'INTERNAL',
            message: e instanceof Error ? e.message : String(e),
          });
        }
      }),
    );
    errors.sort((a, b) => a.index - b.index);
    return { deleted: ids.filter((id) => deleted.includes(id)), errors };
  }

  // ---- query (engine/query) ----

  private planner<T>(name: string): T {
    const fn = (queryModule as unknown as Record<string, unknown>)[name];
    if (typeof fn !== 'function') {
      throw new S3dbError('INTERNAL', `query planner not available (${name})`, {
        hint: 'This build has no query planner; use get, getMany, list or listIds.',
      });
    }
    return fn as T;
  }

  query(options: QueryOptions = {}): Promise<QueryResult> {
    return this.op('query', { options }, async (a) =>
      this.planner<(a: ResourceAccess, o: QueryOptions) => Promise<QueryResult>>('runQuery')(this, a.options),
    );
  }

  count(options: Pick<QueryOptions, 'filter' | 'partition' | 'partitionValues'> = {}): Promise<CountResult> {
    return this.op('count', { options }, async (a) =>
      this.planner<(a: ResourceAccess, o: QueryOptions) => Promise<CountResult>>('runCount')(this, a.options),
    );
  }

  listPartitions(partition?: string): Promise<PartitionListing[]> {
    return this.op('listPartitions', { partition }, async (a) =>
      this.planner<(a: ResourceAccess, p?: string) => Promise<PartitionListing[]>>('listPartitions')(this, a.partition),
    );
  }

  /** Partition problems (engine/query's healPartitions), or none when that is not built. */
  async healPartitions(dryRun: boolean): Promise<HealProblem[]> {
    const fn = (queryModule as unknown as Record<string, unknown>).healPartitions;
    if (typeof fn !== 'function') return [];
    return (fn as (a: ResourceAccess, o: { dryRun: boolean }) => Promise<HealProblem[]>)(this, { dryRun });
  }
}

function suppliedId(item: unknown): string | undefined {
  return isPlainObject(item) && typeof item.id === 'string' ? item.id : undefined;
}
