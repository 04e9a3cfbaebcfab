// The storage layer's public face: the ObjectStore contract and its stores.
export type {
  DeleteManyResult,
  ListOptions,
  ListResult,
  ListedObject,
  Metadata,
  ObjectHead,
  ObjectStore,
  PutOptions,
  RequestCounts,
  StoreOperation,
  StoredObject,
} from './object-store.js';
export { STORE_OPERATIONS } from './object-store.js';
export { MemoryStore } from './memory-store.js';
export { S3_METADATA_LIMIT_BYTES, metadataBytes, normalizeMetadata } from './metadata-rules.js';
export { compareKeys } from './key-order.js';
