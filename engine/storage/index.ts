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
export { FileStore, type FileStoreOptions } from './file-store.js';
export { S3Store, S3_DEFAULTS, type S3Credentials, type S3StoreOptions, type S3Tuning } from './s3-store.js';
export { mapStorageError, awsErrorCode, type StorageErrorContext } from './aws-errors.js';
export {
  openStore,
  parseConnectionString,
  redactConnectionString,
  CONNECTION_STRING_EXAMPLES,
  type ConnectionConfig,
  type OpenStoreOptions,
} from './connection-string.js';
export { listAll, listCommonPrefixes, listKeys, listPages, type ListAllOptions } from './list-all.js';
export { WriteGuard, probeConditions } from './write-guard.js';
