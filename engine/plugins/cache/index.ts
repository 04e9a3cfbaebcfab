// The cache plugin and its drivers.
export { CACHED_OPERATIONS, CachePlugin } from './cache-plugin.js';
export type { CachedOperation, CachePluginOptions, CacheStats } from './cache-plugin.js';
export { MemoryCacheDriver } from './memory-driver.js';
export type { MemoryCacheOptions } from './memory-driver.js';
export { FilesystemCacheDriver } from './filesystem-driver.js';
export type { FilesystemCacheOptions } from './filesystem-driver.js';
export { DEFAULT_S3_CACHE_PREFIX, S3CacheDriver } from './s3-driver.js';
export type { S3CacheOptions } from './s3-driver.js';
export { cacheKey, documentScopes, readScope, scopePrefix, stableJson } from './keys.js';
export { CACHE_DRIVERS, EVICTION_POLICIES } from './types.js';
export type { CacheDriver, CacheDriverKind, CacheDriverStats, CacheEntry, EvictionPolicy } from './types.js';
