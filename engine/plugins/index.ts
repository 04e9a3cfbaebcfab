// The built-in plugins. Their contract (Plugin, PluginHost, the operations) lives in engine/pipeline.
export {
  AUDIT_RESOURCE,
  AUDIT_SECRET_MARKER,
  AuditPlugin,
  type AuditPluginOptions,
  type AuditRecord,
} from './audit/index.js';
export {
  CACHED_OPERATIONS,
  CACHE_DRIVERS,
  CachePlugin,
  EVICTION_POLICIES,
  FilesystemCacheDriver,
  MemoryCacheDriver,
  S3CacheDriver,
  type CacheDriver,
  type CacheDriverKind,
  type CacheDriverStats,
  type CacheEntry,
  type CachePluginOptions,
  type CacheStats,
  type CachedOperation,
  type EvictionPolicy,
  type FilesystemCacheOptions,
  type MemoryCacheOptions,
  type S3CacheOptions,
} from './cache/index.js';
export { MetricsPlugin, type MetricSeries, type MetricsPluginOptions, type MetricsSnapshot } from './metrics/index.js';
export {
  FullTextPlugin,
  type FullTextPluginOptions,
  type RebuildReport,
  type SearchHit,
  type SearchResult,
} from './fulltext/index.js';
export {
  ANALYTICS_PERIODS,
  EVENTUAL_CONSISTENCY_PLUGIN,
  EventualConsistencyPlugin,
  type AnalyticsBucket,
  type AnalyticsPeriod,
  type ConsolidateReport,
  type EventualConsistencyOptions,
} from './eventual-consistency/index.js';
export {
  MESSAGE_ACTIONS,
  QUEUE_CONSUMER_PLUGIN,
  QueueConsumerPlugin,
  RabbitMqSource,
  type DeadLetterReason,
  type MessageAction,
  type QueueConsumerOptions,
  type QueueDelivery,
  type QueueMessage,
  type QueueSource,
  type RabbitMqSourceOptions,
} from './queue-consumer/index.js';
