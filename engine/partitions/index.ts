// Partition index: definitions, reference keys `resource=NAME/partition=P/f1=v1[/f2=v2]/id=ID`, listing and heal.
export {
  decodePartitionValue,
  encodePartitionValue,
  normalizePartitions,
  parsePartitionRule,
  parseReferenceKey,
  partitionPrefix,
  partitionReferenceKeys,
  partitionValueString,
  partitionValuesOf,
  writePartitionReference,
} from './partition-keys.js';
export type { ParsedReference } from './partition-keys.js';
export { healPartitions, listPartitions, unknownPartitionError } from './partition-index.js';
export type { HealPartitionsOptions } from './partition-index.js';
