// What a resource shares with the rest of its database (store, cipher, catalog, hooks, limits), and what a
// write returns. Plain objects and classes: no callbacks.
import type { EventEmitter } from 'node:events';
import type { Catalog } from '../catalog/index.js';
import type { SecretCipher } from '../crypto/index.js';
import type { S3dbError } from '../errors.js';
import type { HookRegistry } from '../hooks.js';
import type { Snapshots } from '../snapshot/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { Document, EngineLogger } from '../types.js';
import type { WriteObservers } from './write-observers.js';

/** What a resource shares with the rest of its database. Plain objects and classes: no callbacks. */
export interface ResourceEnvironment {
  readonly store: ObjectStore;
  readonly cipher: SecretCipher;
  /** Parallel requests for bulk operations. */
  readonly concurrency: number;
  /** Parallel document reads of one query scan. */
  readonly queryConcurrency: number;
  /** Resource snapshots scans may read from; undefined when turned off. */
  readonly snapshots: Snapshots | undefined;
  readonly logger: EngineLogger | undefined;
  readonly catalog: Catalog;
  readonly hooks: HookRegistry;
  readonly writes: WriteObservers;
  /** Receives `exceedsLimit` events. */
  readonly events: EventEmitter;
  /** Why writes are refused (read-only, a store that ignores conditions), or null. */
  readonly guard: { readonly writeRefusal: S3dbError | null };
}

/** A write and the stored document just before it (secrets as stored). */
export interface Written {
  document: Document;
  previous: Document;
}
