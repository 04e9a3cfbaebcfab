// Small helpers every part of the engine shares: dotted paths and the concurrency limiter.
export { deletePath, getPath, isPlainObject, setPath } from './paths.js';
export { mapLimit } from './limit.js';
