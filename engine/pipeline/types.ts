// The plugin contract: the operations a plugin can see, what each receives and returns, the Plugin shape
// (setup/teardown, ordered before/after hooks, middleware around an operation), and the two interfaces plugins
// work against — ResourceApi and PluginHost — so that no plugin depends on the Database or Resource classes.
// docs/engine-api.md "Plugins".
import type { EventEmitter } from 'node:events';
import type { SecretCipher } from '../crypto/index.js';
import type { ObjectStore } from '../storage/index.js';
import type {
  Attributes,
  Behavior,
  BulkItemError,
  BulkResult,
  CountResult,
  Document,
  HealProblem,
  HookEvent,
  HookFunction,
  PartitionDefinition,
  PartitionListing,
  CallControls,
  QueryOptions,
  QueryResult,
  ResourceDefinitionInput,
} from '../types.js';
import type { CallContext } from './call-context.js';

/**
 * Every Resource method is exactly one operation. Bulk methods are made of single ones: `insertMany` runs one
 * `insert` per item, `deleteMany` one `delete` per id, `getMany` one `get` per id. `get` and `getOrNull` are
 * both `get` (its result is null when missing; `get` turns null into NotFoundError after the pipeline).
 */
export const OPERATIONS = [
  'insert',
  'update',
  'replace',
  'upsert',
  'delete',
  'get',
  'exists',
  'list',
  'listIds',
  'query',
  'count',
  'listPartitions',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The operations that change documents. */
export const WRITE_OPERATIONS = ['insert', 'update', 'replace', 'upsert', 'delete'] as const;
export type WriteOperation = (typeof WRITE_OPERATIONS)[number];

export interface PageOptions {
  limit?: number;
  cursor?: string;
}

/** Bulk writes: one operation per item, at most `concurrency` in flight; cancellable between items. */
export interface BulkOptions extends CallControls {
  concurrency?: number;
}

export type CountOptions = Pick<QueryOptions, 'filter' | 'partition' | 'partitionValues' | 'signal' | 'onProgress'>;

/** What each operation receives; a `before` hook may return a changed copy. */
export interface OperationArgs {
  insert: { data: Record<string, unknown> };
  update: { id: string; patch: Record<string, unknown> };
  replace: { id: string; data: Record<string, unknown> };
  upsert: { data: Record<string, unknown> };
  delete: { id: string; options: { confirm?: boolean } };
  get: { id: string };
  exists: { id: string };
  list: { options: PageOptions };
  listIds: { options: PageOptions };
  query: { options: QueryOptions };
  count: { options: CountOptions };
  listPartitions: { partition?: string | undefined };
}

/** What each operation returns; an `after` hook may return a changed value. */
export interface OperationResults {
  insert: Document;
  update: Document;
  replace: Document;
  upsert: { record: Document; created: boolean };
  delete: void;
  get: Document | null;
  exists: boolean;
  list: { records: Document[]; nextCursor?: string };
  listIds: { ids: string[]; nextCursor?: string };
  query: QueryResult;
  count: CountResult;
  listPartitions: PartitionListing[];
}

/**
 * What the plugin-free core did for one operation: its result and, for writes, the stored document just before
 * the write (null when the write created it). The pipeline hands `previous` to the `after` hooks.
 */
export interface OperationOutcome<Op extends Operation> {
  result: OperationResults[Op];
  previous?: Document | null;
}

/** One operation of the plugin-free core, as the pipeline calls it (at most once per middleware `next()`). */
export type CoreOperation<Op extends Operation> = (
  args: OperationArgs[Op],
  needs: { previous: boolean },
) => Promise<OperationOutcome<Op>>;

/** What the pipeline knows of the resource an operation runs on. */
export interface PipelineTarget {
  /** The plugin-aware resource (calling it again re-enters the pipeline). */
  resource: ResourceApi;
  createdBy: string;
  version: string;
}

/** Runs one operation through the plugin stages around the plugin-free core. */
export interface Pipeline {
  run<Op extends Operation>(
    target: PipelineTarget,
    operation: Op,
    args: OperationArgs[Op],
    core: CoreOperation<Op>,
  ): Promise<OperationResults[Op]>;
}

/** One run of one operation through the pipeline, shared by every plugin stage of that run. */
export interface OperationContext<Op extends Operation = Operation> {
  readonly operation: Op;
  /** The resource the operation runs on (plugin-aware: calling it again re-enters the pipeline). */
  readonly resource: ResourceApi;
  readonly resourceName: string;
  /** 'user' or the plugin that owns the resource. */
  readonly createdBy: string;
  /** The resource's schema version when the operation started. */
  readonly version: string;
  readonly database: PluginHost;
  /** The arguments; replaced by what `before` hooks return. */
  args: OperationArgs[Op];
  /**
   * For update / replace / upsert / delete: the stored document just before the write (null when an upsert
   * inserted), set by the pipeline from what the core returned, before the `after` hooks run. Secret fields are
   * as stored (encrypted), and for delete it is only complete when a plugin asked for it with `wantsPrevious`.
   */
  previous?: Document | null;
  /** The caller's context (actor, session…) from `runWithCallContext`; `{}` when none. */
  readonly call: CallContext;
  /** Scratch space for plugins, per run (key it by your plugin name). */
  readonly state: Map<string, unknown>;
}

export type Awaitable<T> = T | Promise<T>;

/** Returns changed arguments, or undefined to keep them; throws to veto the operation. */
export type BeforeHook<Op extends Operation> = (
  args: OperationArgs[Op],
  ctx: OperationContext<Op>,
) => Awaitable<OperationArgs[Op] | undefined | void>;

/** Returns a changed result, or undefined to keep it; throws to fail the operation (the write already happened). */
export type AfterHook<Op extends Operation> = (
  result: OperationResults[Op],
  ctx: OperationContext<Op>,
) => Awaitable<OperationResults[Op] | undefined | void>;

/** Runs around the operation: call `next()` (at most once) to run the rest, or return a result without it. */
export type Middleware<Op extends Operation> = (
  ctx: OperationContext<Op>,
  next: () => Promise<OperationResults[Op]>,
) => Promise<OperationResults[Op]>;

export type BeforeHooks = { [Op in Operation]?: BeforeHook<Op> };
export type AfterHooks = { [Op in Operation]?: AfterHook<Op> };
export type AroundHooks = { [Op in Operation]?: Middleware<Op> };

/** What `appliesTo` sees of a resource. */
export interface PluginResourceInfo {
  name: string;
  createdBy: string;
}

export interface Plugin {
  /** Unique per database; errors and `db.plugins` name the plugin by it. */
  readonly name: string;
  /** Runs once, at `db.connect()` (or at `db.use()` when already connected), in registration order. */
  setup?(db: PluginHost): Awaitable<void>;
  /** Runs at `db.close()`, in reverse registration order. */
  teardown?(): Awaitable<void>;
  /** A JSON summary of the plugin's options and state, listed by `db.plugins` / `getStats`. */
  describe?(): Record<string, unknown>;
  /**
   * Whether the plugin sees operations on a resource. Default: only user resources (`createdBy === 'user'`),
   * so plugins never see each other's resources unless they opt in.
   */
  appliesTo?(resource: PluginResourceInfo): boolean;
  /** Ask the engine for the complete previous document of a delete (one GET instead of a HEAD). */
  readonly wantsPrevious?: boolean;
  /**
   * Called by `db.heal()` (with its `resource`, when one is named): checks the plugin's own data and returns what
   * is wrong. Reports only: heal never lets a plugin "repair" evidence away (the audit chain).
   */
  heal?(options: { resource?: string | undefined }): Awaitable<HealProblem[]>;
  readonly before?: BeforeHooks;
  readonly after?: AfterHooks;
  /** Middleware for one operation; takes the place of `middleware` for that operation. */
  readonly around?: AroundHooks;
  /** Middleware for every operation this plugin applies to (metrics, tracing…). */
  readonly middleware?: Middleware<Operation>;
}

/** One entry of `db.plugins`. */
export interface PluginSummary {
  name: string;
  /** The operations the plugin has stages for, by kind. */
  stages: { before: Operation[]; after: Operation[]; around: Operation[] | 'all' };
  details: Record<string, unknown>;
}

/**
 * A write the engine stored, from the plugin-aware or the plugin-free view (`Database.onWrite`). Documents are
 * as stored: secret fields encrypted; for a delete without partitions or `wantsPrevious`, `before` may hold
 * only the fields kept in metadata.
 */
export interface WriteEvent {
  resource: string;
  operation: 'insert' | 'update' | 'replace' | 'delete';
  id: string;
  before: Document | null;
  after: Document | null;
}

/** A resource as callers (tools, plugins, library users) see it: one method per operation. */
export interface ResourceApi {
  readonly name: string;
  readonly version: string;
  readonly behavior: Behavior;
  readonly attributes: Attributes;
  readonly partitions: Record<string, PartitionDefinition>;
  readonly secretPaths: string[];
  readonly fieldTypes: Record<string, string>;
  readonly timestamps: boolean;
  readonly paranoid: boolean;
  /** 'user', or the plugin that owns this resource. */
  readonly createdBy: string;
  get(id: string): Promise<Document>;
  getOrNull(id: string): Promise<Document | null>;
  exists(id: string): Promise<boolean>;
  getMany(ids: string[], options?: { concurrency?: number }): Promise<{ records: Document[]; missing: string[] }>;
  listIds(options?: PageOptions): Promise<{ ids: string[]; nextCursor?: string }>;
  list(options?: PageOptions): Promise<{ records: Document[]; nextCursor?: string }>;
  insert(data: Record<string, unknown>): Promise<Document>;
  insertMany(items: Record<string, unknown>[], options?: BulkOptions): Promise<BulkResult>;
  update(id: string, patch: Record<string, unknown>): Promise<Document>;
  replace(id: string, data: Record<string, unknown>): Promise<Document>;
  upsert(data: Record<string, unknown>): Promise<{ record: Document; created: boolean }>;
  delete(id: string, options?: { confirm?: boolean }): Promise<void>;
  deleteMany(
    ids: string[],
    options?: BulkOptions & { confirm?: boolean },
  ): Promise<{ deleted: string[]; errors: BulkItemError[] }>;
  query(options?: QueryOptions): Promise<QueryResult>;
  count(options?: CountOptions): Promise<CountResult>;
  listPartitions(partition?: string): Promise<PartitionListing[]>;
  /** Registers a hook in code (runs after the named hooks of the definition, in registration order). */
  addHook(event: HookEvent, fn: HookFunction, name?: string): void;
  /** The same resource with no plugin stage (plugins' own maintenance reads and writes). */
  withoutPlugins(): ResourceApi;
}

/** What `createResource` did. */
export interface CreateResourceResult<R extends ResourceApi = ResourceApi> {
  resource: R;
  version: string;
  created: boolean;
  changed: boolean;
}

/**
 * The database seen without plugins (`db.withoutPlugins()`): the same catalog and documents, but its resources
 * run no plugin stage. Used by the engine and by plugins for their own maintenance reads and writes.
 */
export interface DatabaseView {
  readonly store: ObjectStore;
  readonly cipher: SecretCipher;
  resource(name: string): ResourceApi;
  hasResource(name: string): boolean;
  createResource(def: ResourceDefinitionInput): Promise<CreateResourceResult>;
}

/**
 * What a plugin sees of the database it is registered in (the Database implements it), including its events
 * (`healed`, `pluginError`, …).
 */
export interface PluginHost extends DatabaseView, Pick<EventEmitter, 'on' | 'off' | 'emit'> {
  /** True when the passphrase is known, so secret fields are returned in clear. */
  readonly passphraseSet: boolean;
  /** True when the database changes nothing in the store: plugins must not write either. */
  readonly readOnly: boolean;
  withoutPlugins(): DatabaseView;
  /** Calls `observer` after every stored write from either view; returns an unsubscribe function. */
  onWrite(observer: (event: WriteEvent) => void | Promise<void>): () => void;
}
