// The engine's public API: everything tools/, server/ and library users may import.
export * from './errors.js';
export * from './storage/index.js';
export * from './types.js';
// The database engine (issue 3).
export { Database } from './database.js';
export type { DatabaseOptions, ResourceDescription, ResourceSummary } from './database.js';
export { Resource, deepMerge } from './resource.js';
export { HookRunner } from './hooks.js';
export { createIdStream, createInsertStream, createRecordStream } from './streams.js';
export type { StreamOptions } from './streams.js';
export { generateId, validateId } from './ids.js';
export { FIELD_RULES, FIELD_TYPES, compileSchema, fieldTypes, secretPaths, validateDocument } from './schema/index.js';
export type { CompiledSchema, FieldType } from './schema/index.js';
export { decodeValue, encodeValue } from './codec/index.js';
export { BEHAVIOR_IMPLEMENTATIONS, effectiveLimit } from './behaviors/index.js';
export type { ExceedsLimitEvent } from './behaviors/index.js';
export { SecretCipher, PBKDF2_ITERATIONS } from './crypto/index.js';
export { CATALOG_KEY, definitionHash } from './catalog/index.js';
export type { CatalogFile, CatalogResource, CatalogVersion } from './catalog/index.js';
export {
  healPartitions,
  listPartitions,
  normalizePartitions,
  parseReferenceKey,
  partitionPrefix,
  partitionReferenceKeys,
  writePartitionReference,
} from './partitions/index.js';
export type { HealPartitionsOptions, ParsedReference } from './partitions/index.js';
export { matchesFilter, runCount, runQuery, validateFilter } from './query/index.js';
export type { ExecutionOptions } from './query/index.js';
// Heal (issue 6): catalog repair and rebuild, data objects, quarantine.
export { catalogBackupKey, parseCatalog, repairJson } from './catalog/index.js';
export type { ParsedCatalog } from './catalog/index.js';
export { healRecords } from './heal/index.js';
export { QUARANTINE_PREFIX, quarantineKey } from './keys.js';
export type { HealRecordsOptions, HealRecordsResult } from './heal/index.js';
// Plugins (issue 7): the pipeline contract and the built-in plugins.
export type { DatabaseView } from './database.js';
export * from './plugins/index.js';
