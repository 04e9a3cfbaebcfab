// The shapes shared across the engine and by its users: definitions, documents, query options and results,
// and the internal access interface the query planner and partition index use to reach a resource's objects.
import type { ObjectStore } from './storage/object-store.js';

/** How a document is split between S3 user metadata (2 KB) and the object body. */
export const BEHAVIORS = ['body-overflow', 'body-only', 'truncate-data', 'enforce-limits', 'user-managed'] as const;
export type Behavior = (typeof BEHAVIORS)[number];

/**
 * One attribute in the schema DSL: a rule string (`'string|required|max:100'`), a nested object of attributes,
 * or `{ type: 'object', props: {...} }`.
 */
export type AttributeSpec = string | { [name: string]: AttributeSpec } | ObjectAttributeSpec;
export interface ObjectAttributeSpec {
  type: 'object';
  props: Record<string, AttributeSpec>;
  required?: boolean;
}
export type Attributes = Record<string, AttributeSpec>;

/** `fields` maps an attribute (dotted path allowed) to a rule: `'string'`, `'string|maxlength:2'`, `'date|maxlength:10'`. */
export interface PartitionDefinition {
  fields: Record<string, string>;
}

export const HOOK_EVENTS = [
  'beforeInsert',
  'afterInsert',
  'beforeUpdate',
  'afterUpdate',
  'beforeDelete',
  'afterDelete',
  'beforeGet',
  'afterGet',
] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** What `createResource` accepts (JSON-friendly: an agent can write it). */
export interface ResourceDefinitionInput {
  name: string;
  attributes: Attributes;
  behavior?: Behavior;
  partitions?: Record<string, PartitionDefinition>;
  timestamps?: boolean;
  paranoid?: boolean;
  /** Write partition references after the call returns (default false: read-your-writes). */
  asyncPartitions?: boolean;
  /** Hooks persisted by *name* of a function registered with `Database.registerHook`; never source code. */
  hooks?: Partial<Record<HookEvent, string[]>>;
  /** 'user' (default) or the name of the plugin that owns the resource. */
  createdBy?: string;
}

/** A stored document. `id` is always present. */
export type Document = { id: string } & Record<string, unknown>;

/** Marker a secret field reads as when it cannot or may not be decrypted. */
export const ENCRYPTED_MARKER = '[encrypted]';

/** Field → 1 / -1, or "asc" / "desc" in any case (agents write "DESC" too). */
export type SortSpec = Record<string, 1 | -1 | string>;

/**
 * A filter: `{ field: value }` (equality), `{ field: { $gt: 3 } }`, `$and/$or/$not`, dotted paths for nested
 * fields. Operators: $eq $ne $gt $gte $lt $lte $in $nin $exists $contains $startsWith.
 */
export type Filter = Record<string, unknown>;

export const FILTER_OPERATORS = [
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$contains',
  '$startsWith',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** How far long work has come: `done` units (documents read, keys listed, items written) of `total` when known. */
export interface Progress {
  done: number;
  total?: number;
}

/**
 * Per-call controls of long work (scans, count, bulk writes, heal). Not part of what is asked: never in a
 * cursor's fingerprint. An aborted signal stops the work before its next store request (requests in flight
 * finish; a document write in flight completes so no half-written document is left) and the call rejects
 * with CancelledError.
 */
export interface CallControls {
  signal?: AbortSignal;
  /** Called as work advances; cheap to call often (callers throttle what they forward). */
  onProgress?: (progress: Progress) => void;
}

export interface QueryOptions extends CallControls {
  filter?: Filter;
  /** Name a partition explicitly; with `partitionValues` this is one LIST of its prefix. */
  partition?: string;
  partitionValues?: Record<string, unknown>;
  limit?: number;
  cursor?: string;
  sort?: SortSpec;
  /** Projection: only these (dotted) fields, plus `id`. */
  fields?: string[];
  /** Return the plan without reading documents. */
  explain?: boolean;
  /**
   * Byte budget of the page: it stops before the record that would make the JSON array of the page's records
   * longer than this (the first record is always returned), with a cursor right after the last record
   * returned, in one pass. `sizeOf` measures a record as the caller will present it (default: its JSON).
   */
  maxBytes?: number;
  sizeOf?: (record: Document) => number;
}

export const QUERY_STRATEGIES = ['ids', 'partition', 'scan'] as const;
export type QueryStrategy = (typeof QUERY_STRATEGIES)[number];

// A type alias (not an interface) so it is assignable to Record<string, unknown>, as the tools' output schemas are.
export type QuerySnapshotUse = {
  builtAt: string;
  /** Documents the snapshot holds. */
  documents: number;
  segments: number;
  /** Documents served from segments (their ETag in LIST was the packed one). */
  fromSnapshot: number;
  /** Documents read directly because they changed or are new since the build. */
  changed: number;
  /** Segment GETs this query made (0 when all were cached in memory). */
  segmentsRead: number;
};

export interface QueryPlan {
  strategy: QueryStrategy;
  /** The LIST prefix used (partition or data prefix). */
  prefix?: string;
  partition?: string;
  /** Why this plan was chosen, in one sentence. */
  reason: string;
  estimatedRequests?: number;
  /** S3 requests this query actually made. */
  requests: number;
  /** Documents read (or references listed) to answer it. */
  scanned: number;
  /** Partition references whose document was missing or no longer in the partition (heal repairs them). */
  skippedReferences?: number;
  /** A scan answered from the resource's snapshot (docs/queries.md "Snapshots"). */
  snapshot?: QuerySnapshotUse;
}

export interface QueryResult {
  records: Document[];
  /** Present when more results may follow; pass it back as `cursor`. */
  nextCursor?: string;
  /** True when the page stopped at `maxBytes` before reaching `limit`. */
  truncated?: boolean;
  plan: QueryPlan;
}

export interface CountResult {
  count: number;
  plan: QueryPlan;
}

export interface PartitionValueCount {
  /** The partition's field values, decoded exactly (field → value as stored in the key). */
  values: Record<string, string>;
  count: number;
  /** A value was too long for a key: `values` holds its readable prefix, the key a hash of the rest. */
  truncated?: boolean;
}

export interface PartitionListing {
  name: string;
  /** Fields in key order (alphabetical) with their rules. */
  fields: Record<string, string>;
  /** Present when a single partition was asked for. */
  values?: PartitionValueCount[];
}

export interface BulkItemError {
  index: number;
  id?: string;
  code: string;
  message: string;
}

export interface BulkResult {
  ids: string[];
  errors: BulkItemError[];
}

/** Where a document's fields ended up after the behavior split (for HEAD-only reads). */
export interface RecordRead {
  doc: Document;
  /** False when some fields live in the body and a HEAD was all that was read. */
  complete: boolean;
  etag: string;
  version: string;
}

/** A problem heal found, and whether it was repaired. */
export interface HealProblem {
  kind: string;
  resource?: string;
  key?: string;
  id?: string;
  message: string;
  repaired: boolean;
}

export interface HealReport {
  dryRun: boolean;
  problems: HealProblem[];
  repaired: HealProblem[];
  backups: string[];
}

/**
 * What the query planner and the partition index need from a resource, without depending on the Resource
 * class. The Resource implements it; engine/query and engine/partitions consume it.
 */
export interface ResourceAccess {
  readonly name: string;
  readonly store: ObjectStore;
  /** Normalized partition definitions (fields sorted alphabetically). */
  readonly partitions: Record<string, PartitionDefinition>;
  /** Attribute paths (dotted) and their base type: 'string' | 'number' | 'boolean' | 'date' | 'array' | 'object' | 'secret' | 'json' | 'any' | 'enum' | 'uuid' | 'url' | 'email'. */
  readonly fieldTypes: Record<string, string>;
  /** Dotted paths of secret fields (cannot be filtered on). */
  readonly secretPaths: string[];
  /** `resource=NAME/data/` */
  readonly dataPrefix: string;
  /** True when an empty (size 0) data object is a delete's tombstone, so LIST-only counts skip it. */
  readonly emptyIsTombstone?: boolean;
  dataKey(id: string): string;
  idFromDataKey(key: string): string;
  /** HEAD (`mode: 'head'`) or GET (`'full'`) one record; null when missing. Counts as one request. */
  readRecord(id: string, mode: 'head' | 'full'): Promise<RecordRead | null>;
  /** Decodes a stored object (metadata, body, ETag) exactly as `readRecord` would after a GET; no request. */
  decodeRecord?(id: string, metadata: Record<string, string>, body: Buffer, etag: string): Promise<RecordRead>;
}

/** A function hooks can be registered as. Returns the (possibly changed) value or throws to veto. */
export type HookFunction = (value: unknown, context: HookContext) => unknown;
export interface HookContext {
  resource: string;
  event: HookEvent;
  id?: string;
}

/** pino-compatible logger the engine writes to; the engine never imports pino. */
export interface EngineLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
