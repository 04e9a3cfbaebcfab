// The engine's public API: what tools/, server/ and library users may import (docs/engine-api.md lists it).
// Every name is chosen here; engine-internal helpers that tests reach for live in ./internal.ts.

// Errors: one base class with a code, details and a hint.
export {
  ConfigError,
  ConflictError,
  ERROR_CODES,
  EncryptionError,
  MetadataLimitError,
  NotFoundError,
  PluginError,
  S3dbError,
  StorageError,
  ValidationError,
  isS3dbError,
  type ErrorCode,
  type ErrorDetails,
  type FieldIssue,
  type S3dbErrorOptions,
} from './errors.js';

// Storage: the ObjectStore contract, its three stores and connection strings.
export {
  CONNECTION_STRING_EXAMPLES,
  FileStore,
  MemoryStore,
  S3Store,
  S3_DEFAULTS,
  S3_METADATA_LIMIT_BYTES,
  STORE_OPERATIONS,
  openStore,
  parseConnectionString,
  redactConnectionString,
  type ConnectionConfig,
  type DeleteManyResult,
  type FileStoreOptions,
  type ListOptions,
  type ListResult,
  type ListedObject,
  type Metadata,
  type ObjectHead,
  type ObjectStore,
  type OpenStoreOptions,
  type PutOptions,
  type RequestCounts,
  type S3Credentials,
  type S3StoreOptions,
  type S3Tuning,
  type StoreOperation,
  type StoredObject,
} from './storage/index.js';

// Definitions, documents, queries and reports.
export {
  BEHAVIORS,
  ENCRYPTED_MARKER,
  FILTER_OPERATORS,
  HOOK_EVENTS,
  QUERY_STRATEGIES,
  type AttributeSpec,
  type Attributes,
  type Behavior,
  type BulkItemError,
  type BulkResult,
  type CountResult,
  type Document,
  type EngineLogger,
  type Filter,
  type FilterOperator,
  type HealProblem,
  type HealReport,
  type HookContext,
  type HookEvent,
  type HookFunction,
  type ObjectAttributeSpec,
  type PartitionDefinition,
  type PartitionListing,
  type PartitionValueCount,
  type QueryOptions,
  type QueryPlan,
  type QueryResult,
  type QueryStrategy,
  type ResourceDefinitionInput,
  type SortSpec,
} from './types.js';
export { FIELD_TYPES, type FieldType } from './schema/index.js';
export type { ExceedsLimitEvent } from './behaviors/index.js';

// The database and its resources.
export {
  Database,
  type DatabaseOptions,
  type DatabaseStats,
  type ResourceDescription,
  type ResourceStats,
  type ResourceSummary,
} from './database/index.js';
export { Resource } from './resource/index.js';
export {
  migrateFromS3dbjs,
  type MigratedResource,
  type MigrateFromS3dbjsOptions,
  type MigrationReport,
} from './compat/s3dbjs/migrate/index.js';
export { S3DBJS_FORMAT, type S3dbjsCatalog } from './compat/s3dbjs/index.js';
export { createIdStream, createInsertStream, createRecordStream, type StreamOptions } from './streams.js';
export { generateId, validateId } from './ids.js';
export { PBKDF2_ITERATIONS, SecretCipher } from './crypto/index.js';
export { CATALOG_KEY, QUARANTINE_PREFIX, RESOURCE_NAME_PATTERN, RESOURCE_NAME_RULE } from './keys.js';

// Watching the engine: request prices and Prometheus text.
export {
  REQUEST_TYPES,
  REQUEST_TYPE_OF,
  S3_PRICE_TABLE,
  escapeLabelValue,
  estimateCosts,
  renderPrometheus,
  type CostBreakdownLine,
  type CostEstimate,
  type PrometheusFamily,
  type PrometheusSample,
  type RequestType,
} from './observe/index.js';

// Plugins: the contract they implement, the caller's context, and the built-in plugins.
export {
  OPERATIONS,
  WRITE_OPERATIONS,
  currentCallContext,
  runWithCallContext,
  type AfterHook,
  type AfterHooks,
  type AroundHooks,
  type BeforeHook,
  type BeforeHooks,
  type CallContext,
  type CountOptions,
  type CreateResourceResult,
  type DatabaseView,
  type Middleware,
  type Operation,
  type OperationArgs,
  type OperationContext,
  type OperationResults,
  type PageOptions,
  type Plugin,
  type PluginHost,
  type PluginResourceInfo,
  type PluginSummary,
  type ResourceApi,
  type WriteEvent,
  type WriteOperation,
} from './pipeline/index.js';
export {
  AUDIT_RESOURCE,
  AUDIT_SECRET_MARKER,
  AuditPlugin,
  CACHED_OPERATIONS,
  CACHE_DRIVERS,
  CachePlugin,
  EVICTION_POLICIES,
  FilesystemCacheDriver,
  FullTextPlugin,
  MemoryCacheDriver,
  MetricsPlugin,
  S3CacheDriver,
  type AuditPluginOptions,
  type AuditRecord,
  type CacheDriver,
  type CacheDriverKind,
  type CacheDriverStats,
  type CacheEntry,
  type CachePluginOptions,
  type CacheStats,
  type CachedOperation,
  type EvictionPolicy,
  type FilesystemCacheOptions,
  type FullTextPluginOptions,
  type MemoryCacheOptions,
  type MetricSeries,
  type MetricsPluginOptions,
  type MetricsSnapshot,
  type RebuildReport,
  type S3CacheOptions,
  type SearchHit,
  type SearchResult,
} from './plugins/index.js';
