// The engine's public API: everything tools/, server/ and library users may import.
export * from './errors.js';
export * from './storage/index.js';
export * from './types.js';
