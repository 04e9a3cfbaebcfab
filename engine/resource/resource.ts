// The Resource callers use: each method is one operation, run through the database's plugin pipeline around
// the plugin-free ResourceCore (tool → Resource.insert → pipeline.run → core.insert → store.put). Bulk methods
// are made of single operations. `withoutPlugins()` is the same core with no plugin stage.
import { ConflictError, isS3dbError } from '../errors.js';
import { throwIfCancelled } from '../errors.js';
import type {
  BulkOptions,
  CountOptions,
  Operation,
  OperationArgs,
  OperationOutcome,
  OperationResults,
  PageOptions,
  Pipeline,
  ResourceApi,
} from '../pipeline/index.js';
import type {
  Attributes,
  Behavior,
  BulkItemError,
  BulkResult,
  CountResult,
  Document,
  HookEvent,
  HookFunction,
  PartitionDefinition,
  PartitionListing,
  QueryOptions,
  QueryResult,
} from '../types.js';
import { mapLimit } from '../util/index.js';
import { suppliedId } from './documents.js';
import type { ResourceCore } from './resource-core.js';

function bulkError(index: number, id: string | undefined, e: unknown): BulkItemError {
  return {
    index,
    ...(id === undefined ? {} : { id }),
    code: isS3dbError(e) ? e.code : 'INTERNAL',
    message: e instanceof Error ? e.message : String(e),
  };
}

/** Operations that write: the catalog is checked for changes by other servers before them. */
const WRITES: ReadonlySet<Operation> = new Set<Operation>(['insert', 'update', 'replace', 'upsert', 'delete']);

export class Resource implements ResourceApi {
  private plain: Resource | undefined;

  constructor(
    /** The plugin-free operations (engine-internal: heal and the query planner use it directly). */
    readonly core: ResourceCore,
    private readonly pipeline: Pipeline,
    /** The same resource without plugins, when this one has them. */
    withoutPlugins?: Resource,
  ) {
    this.plain = withoutPlugins;
  }

  get name(): string {
    return this.core.name;
  }
  get version(): string {
    return this.core.version;
  }
  get behavior(): Behavior {
    return this.core.behavior;
  }
  get attributes(): Attributes {
    return this.core.attributes;
  }
  get partitions(): Record<string, PartitionDefinition> {
    return this.core.partitions;
  }
  get secretPaths(): string[] {
    return this.core.secretPaths;
  }
  get fieldTypes(): Record<string, string> {
    return this.core.fieldTypes;
  }
  get timestamps(): boolean {
    return this.core.timestamps;
  }
  get paranoid(): boolean {
    return this.core.paranoid;
  }
  get createdBy(): string {
    return this.core.createdBy;
  }

  /** Registers a hook in code (runs after the named hooks of the definition, in registration order). */
  addHook(event: HookEvent, fn: HookFunction, name?: string): void {
    this.core.addHook(event, fn, name);
  }

  /**
   * This resource without plugins: same documents and resource hooks, no plugin stage runs. Plugins and the
   * engine use it for their own maintenance writes (an audit record is not audited, a cache fill not cached).
   */
  withoutPlugins(): Resource {
    return this.plain ?? this;
  }

  private run<Op extends Operation>(
    operation: Op,
    args: OperationArgs[Op],
    core: (args: OperationArgs[Op], needs: { previous: boolean }) => Promise<OperationOutcome<Op>>,
  ): Promise<OperationResults[Op]> {
    return this.core.ensureFresh(WRITES.has(operation)).then(() => {
      const target = { resource: this, createdBy: this.core.createdBy, version: this.core.version };
      return this.pipeline.run(target, operation, args, core);
    });
  }

  // ---- reading ----

  async get(id: string): Promise<Document> {
    const doc = await this.getOrNull(id);
    if (!doc) throw this.core.notFound(id);
    return doc;
  }

  getOrNull(id: string): Promise<Document | null> {
    return this.run('get', { id }, async (a) => ({ result: await this.core.getOrNull(a.id) }));
  }

  exists(id: string): Promise<boolean> {
    return this.run('exists', { id }, async (a) => ({ result: await this.core.exists(a.id) }));
  }

  /** One `get` operation per id. */
  async getMany(
    ids: string[],
    options: { concurrency?: number } = {},
  ): Promise<{ records: Document[]; missing: string[] }> {
    const found = await mapLimit(ids, options.concurrency ?? this.core.concurrency, (id) => this.getOrNull(id));
    const records: Document[] = [];
    const missing: string[] = [];
    found.forEach((doc, i) => (doc ? records.push(doc) : missing.push(ids[i]!)));
    return { records, missing };
  }

  listIds(options: PageOptions = {}): Promise<{ ids: string[]; nextCursor?: string }> {
    return this.run('listIds', { options }, async (a) => ({ result: await this.core.listIds(a.options) }));
  }

  /** One `list` operation (its reads are not separate `get` operations). */
  list(options: PageOptions = {}): Promise<{ records: Document[]; nextCursor?: string }> {
    return this.run('list', { options }, async (a) => ({ result: await this.core.list(a.options) }));
  }

  query(options: QueryOptions = {}): Promise<QueryResult> {
    return this.run('query', { options }, async (a) => ({ result: await this.core.query(a.options) }));
  }

  count(options: CountOptions = {}): Promise<CountResult> {
    return this.run('count', { options }, async (a) => ({ result: await this.core.count(a.options) }));
  }

  listPartitions(partition?: string): Promise<PartitionListing[]> {
    return this.run('listPartitions', { partition }, async (a) => ({
      result: await this.core.listPartitions(a.partition),
    }));
  }

  // ---- writing ----

  insert(data: Record<string, unknown>): Promise<Document> {
    return this.run('insert', { data }, async (a) => ({ result: await this.core.insert(a.data) }));
  }

  /** One `insert` operation per item; the first item with a given id wins, later repeats are conflicts. */
  async insertMany(items: Record<string, unknown>[], options: BulkOptions = {}): Promise<BulkResult> {
    const errors: BulkItemError[] = [];
    // Deterministic within one batch: repeats never race the first for the same key.
    const firstIndex = new Map<string, number>();
    items.forEach((item, index) => {
      const id = suppliedId(item);
      if (id !== undefined && !firstIndex.has(id)) firstIndex.set(id, index);
    });
    let done = 0;
    const results = await mapLimit(
      items,
      options.concurrency ?? this.core.concurrency,
      async (item, index) => {
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
          errors.push(bulkError(index, id, e));
          return undefined;
        } finally {
          options.onProgress?.({ done: ++done, total: items.length });
        }
      },
      options.signal,
    );
    throwIfCancelled(options.signal);
    errors.sort((a, b) => a.index - b.index);
    return { ids: results.filter((id): id is string => id !== undefined), errors };
  }

  update(id: string, patch: Record<string, unknown>): Promise<Document> {
    return this.run('update', { id, patch }, async (a) => {
      const { document, previous } = await this.core.update(a.id, a.patch);
      return { result: document, previous };
    });
  }

  replace(id: string, data: Record<string, unknown>): Promise<Document> {
    return this.run('replace', { id, data }, async (a) => {
      const { document, previous } = await this.core.replace(a.id, a.data);
      return { result: document, previous };
    });
  }

  upsert(data: Record<string, unknown>): Promise<{ record: Document; created: boolean }> {
    return this.run('upsert', { data }, async (a) => {
      const { record, created, previous } = await this.core.upsert(a.data);
      return { result: { record, created }, previous };
    });
  }

  delete(id: string, options: { confirm?: boolean } = {}): Promise<void> {
    return this.run('delete', { id, options }, async (a, needs) => {
      const { previous } = await this.core.delete(a.id, a.options, needs);
      return { result: undefined, previous };
    });
  }

  /** One `delete` operation per id. */
  async deleteMany(
    ids: string[],
    options: BulkOptions & { confirm?: boolean } = {},
  ): Promise<{ deleted: string[]; errors: BulkItemError[] }> {
    const errors: BulkItemError[] = [];
    const deleteOptions = options.confirm === undefined ? {} : { confirm: options.confirm };
    let finished = 0;
    const done = await mapLimit(
      ids,
      options.concurrency ?? this.core.concurrency,
      async (id, index) => {
        try {
          await this.delete(id, deleteOptions);
          return true;
        } catch (e) {
          errors.push(bulkError(index, id, e));
          return false;
        } finally {
          options.onProgress?.({ done: ++finished, total: ids.length });
        }
      },
      options.signal,
    );
    throwIfCancelled(options.signal);
    errors.sort((a, b) => a.index - b.index);
    return { deleted: ids.filter((_, i) => done[i]), errors };
  }
}
