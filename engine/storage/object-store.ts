// The one small interface between the engine and storage. Every store behaves like AWS S3; the contract
// suite in test/contract proves it for each of them.

/** User metadata as S3 returns it: lower-cased keys, header-safe ASCII values. */
export type Metadata = Record<string, string>;

export interface StoredObject {
  key: string;
  body: Buffer;
  metadata: Metadata;
  etag: string;
  contentType?: string;
  size: number;
  lastModified: Date;
}

/** What `head` returns: everything but the body. */
export type ObjectHead = Omit<StoredObject, 'body'>;

export interface PutOptions {
  contentType?: string;
  /** Fail with a ConflictError unless the current object has this ETag. */
  ifMatch?: string;
  /** `'*'`: fail with a ConflictError when the key already exists. */
  ifNoneMatch?: '*';
  // A store that retries a conditional PUT itself reports the HTTP attempts made as `details.attempts` of the
  // ConflictError, so the engine can tell its own earlier attempt (response lost) from another writer.
}

export interface ListOptions {
  prefix?: string;
  delimiter?: string;
  startAfter?: string;
  continuationToken?: string;
  /** At most 1000, as S3. Default 1000. */
  maxKeys?: number;
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
}

export interface ListResult {
  /** In UTF-8 byte order of the key. */
  objects: ListedObject[];
  /** With a delimiter: the distinct prefixes up to and including the delimiter, in byte order. */
  commonPrefixes: string[];
  isTruncated: boolean;
  nextContinuationToken?: string;
}

export interface DeleteManyResult {
  deleted: string[];
  errors: { key: string; code: string; message: string }[];
}

/** The S3 operations a store performs, named as S3 names them, for request counting and pricing (no store copies). */
export const STORE_OPERATIONS = [
  'GetObject',
  'HeadObject',
  'PutObject',
  'DeleteObject',
  'DeleteObjects',
  'ListObjectsV2',
] as const;
export type StoreOperation = (typeof STORE_OPERATIONS)[number];

export interface RequestCounts {
  byOperation: Record<StoreOperation, number>;
  total: number;
}

/**
 * Keys are relative to the store's root: a store opened on `s3://bucket/some/prefix` adds the prefix on the way
 * out and strips it from what it lists, so the engine never sees it.
 */
export interface ObjectStore {
  /** `memory`, `file` or `s3`. */
  readonly kind: 'memory' | 'file' | 's3';
  /** A printable description with any secret redacted, e.g. `s3://AKIA…:***@bucket/prefix`. */
  readonly description: string;

  get(key: string): Promise<StoredObject | null>;
  head(key: string): Promise<ObjectHead | null>;
  put(key: string, body: Buffer | string, metadata?: Metadata, options?: PutOptions): Promise<{ etag: string }>;
  /** Deleting a missing key is not an error (as S3). */
  delete(key: string): Promise<void>;
  /** Batches of 1000 per request. */
  deleteMany(keys: string[]): Promise<DeleteManyResult>;
  list(options?: ListOptions): Promise<ListResult>;

  /** Requests made since creation (or the last reset), by S3 operation. */
  requestCounts(): RequestCounts;
  resetRequestCounts(): void;
  /** Release sockets/handles. */
  close(): Promise<void>;
}
