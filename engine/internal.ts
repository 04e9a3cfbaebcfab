// Engine internals the tests and benchmarks reach for (not public API: may change without notice).
export { compareKeys, listAll, listKeys, mapStorageError } from './storage/index.js';
export { dataKey, dataPrefix, idOfDataKey, snapshotManifestKey, snapshotRoot, snapshotSegmentsPrefix } from './keys.js';
export { buildSnapshot, decodeManifest, decodeSegment, inspectSnapshot } from './snapshot/index.js';
export { deletePath, mapLimit, setPath } from './util/index.js';
export { parseCatalog, repairJson } from './catalog/index.js';
export { normalizePartitions, partitionReferenceKeys, writePartitionReference } from './partitions/index.js';
export { cacheKey, documentScopes, readScope } from './plugins/cache/index.js';
export { tokenize } from './plugins/fulltext/index.js';
export { percentile } from './plugins/metrics/index.js';
export type { RecordRead, ResourceAccess } from './types.js';
export { idForMessage } from './plugins/queue-consumer/index.js';
export { analyticsRows } from './plugins/eventual-consistency/index.js';
export { DEFAULT_QUERY_CONCURRENCY } from './query/index.js';
