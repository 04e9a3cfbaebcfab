// The Database and what it says about its resources.
export { Database, type DatabaseOptions, type DatabaseStats } from './database.js';
export type { ResourceDescription, ResourceSummary } from './describe.js';
export type { ResourceStats } from './stats.js';
