// A resource: the plugin-aware Resource, the plugin-free ResourceCore it wraps, and what they share.
export { Resource } from './resource.js';
export { ResourceCore } from './resource-core.js';
export type { ResourceEnvironment, Written } from './resource-environment.js';
export { WriteObservers, type WriteObserver } from './write-observers.js';
export { deepMerge } from './documents.js';
export { isTombstone } from './tombstone.js';
