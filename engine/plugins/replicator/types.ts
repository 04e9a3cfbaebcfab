// What the replicator hands to a target, and the interface every target driver implements (postgres, s3db, sqs).
import type { ResourceApi } from '../../pipeline/index.js';
import type { Document } from '../../types.js';

/**
 * One document's state to apply at a target. Delivery is state-based: the replicator re-reads the CURRENT
 * document from the bucket, so replaying a change, or several writes coalesced into one delivery, is harmless.
 */
export interface ReplicationChange {
  resource: string;
  id: string;
  /** 'upsert' when the document exists in the bucket, 'delete' when it does not. */
  operation: 'upsert' | 'delete';
  /**
   * The document's ordered revision (1, 2, 3… per document, across every process on the bucket): a target keeps
   * the highest one it applied and ignores older ones, so it never goes back to an older state.
   */
  revision: number;
  /** The bucket object's ETag (unique per write), so a drift check can compare with a LIST. Null for deletes. */
  etag: string | null;
  /** The resource's schema version. */
  version: string;
  /** The document (secret fields as the target asked: encrypted or clear); null for deletes. */
  document: Document | null;
}

/** What a drift check learns of one document at a target. */
export interface TargetEntry {
  id: string;
  /** The source ETag the target last applied, when the target keeps it. */
  etag?: string;
  revision?: number;
}

export const TARGET_KINDS = ['postgres', 's3db', 'sqs'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export interface ReplicationTarget {
  /** Unique per plugin; stats and errors name the target by it. */
  readonly name: string;
  readonly kind: TargetKind;
  /** How secret fields travel: 'encrypted' (ciphertext under the source passphrase) or 'clear'. */
  readonly secrets: 'encrypted' | 'clear';
  /**
   * True when the target itself refuses an older revision (postgres). Otherwise the replicator re-checks the
   * bucket after applying and applies again when the document moved on meanwhile.
   */
  readonly ordered: boolean;
  /** Creates what the target needs for a resource (table, resource); called once per resource and process. */
  prepare(resource: ResourceApi): Promise<void>;
  apply(change: ReplicationChange): Promise<void>;
  /** Every document the target holds for a resource, in UTF-8 byte order of the id; undefined: cannot list. */
  entries?(resource: string): AsyncIterable<TargetEntry>;
  /** Reads one replicated document back (drift check with `compareDocuments`). */
  read?(resource: string, id: string): Promise<Document | null>;
  /** Removes everything the target holds for a resource (resync with `reset`). */
  reset?(resource: string): Promise<void>;
  describe(): Record<string, unknown>;
  close(): Promise<void>;
}
