// The query planner and executor, the filter language, and the partition listing/heal entry points the
// Resource and Database call (see docs/engine-api.md).
export { runCount, runQuery } from './executor.js';
export type { ExecutionOptions } from './executor.js';
export { DEFAULT_QUERY_CONCURRENCY } from './planner.js';
export {
  matchesFilter,
  normalizeSort,
  projectDocument,
  sortDocuments,
  validateFilter,
  validateProjection,
} from './filter.js';
export { healPartitions, listPartitions } from '../partitions/index.js';
