// The engine's public API: everything tools/, server/ and library users may import.
export * from './errors.js';
export * from './storage/index.js';
export * from './types.js';
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
