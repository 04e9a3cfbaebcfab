// The plugin contract: the operations a plugin can see, what each receives and returns, and the Plugin shape
// (setup/teardown, ordered before/after hooks, middleware around an operation). docs/engine-api.md "Plugins".
import type { Database } from '../database.js';
import type { Resource } from '../resource.js';
import type { CountResult, Document, PartitionListing, QueryOptions, QueryResult } from '../types.js';
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

export function isWriteOperation(op: Operation): op is WriteOperation {
  return (WRITE_OPERATIONS as readonly string[]).includes(op);
}

/** What each operation receives; a `before` hook may return a changed copy. */
export interface OperationArgs {
  insert: { data: Record<string, unknown> };
  update: { id: string; patch: Record<string, unknown> };
  replace: { id: string; data: Record<string, unknown> };
  upsert: { data: Record<string, unknown> };
  delete: { id: string; options: { confirm?: boolean } };
  get: { id: string };
  exists: { id: string };
  list: { options: { limit?: number; cursor?: string } };
  listIds: { options: { limit?: number; cursor?: string } };
  query: { options: QueryOptions };
  count: { options: Pick<QueryOptions, 'filter' | 'partition' | 'partitionValues'> };
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

/** One run of one operation through the pipeline, shared by every plugin stage of that run. */
export interface OperationContext<Op extends Operation = Operation> {
  readonly operation: Op;
  /** The resource the operation runs on (plugin-aware: calling it again re-enters the pipeline). */
  readonly resource: Resource;
  readonly resourceName: string;
  /** 'user' or the plugin that owns the resource. */
  readonly createdBy: string;
  /** The resource's schema version when the operation started. */
  readonly version: string;
  readonly database: Database;
  /** The arguments; replaced by what `before` hooks return. */
  args: OperationArgs[Op];
  /**
   * For update / replace / upsert / delete: the stored document just before the write (null when an upsert
   * inserted), set by the engine before the `after` hooks run. Secret fields are as stored (encrypted), and
   * for delete it is only complete when a plugin asked for it with `wantsPrevious`.
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
  setup?(db: Database): Awaitable<void>;
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
