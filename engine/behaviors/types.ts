// What every behavior receives and returns: encoded entries in, a metadata/body split out.
import type { EncodedEntry } from '../codec/index.js';
import type { Metadata } from '../storage/index.js';

export interface ExceedsLimitEvent {
  operation: string;
  totalSize: number;
  limit: number;
  excess: number;
  data: Record<string, unknown>;
  id?: string;
}

export interface SplitInput {
  resource: string;
  id: string;
  operation: string;
  /** `_v`, timestamps: always in metadata, counted against the limit first. */
  system: Metadata;
  entries: EncodedEntry[];
  /** Paths that must never be cut (secrets: a cut ciphertext is garbage). */
  secretPaths: readonly string[];
  /** The document being written, for `exceedsLimit` listeners. */
  data: Record<string, unknown>;
  emit?: (event: 'exceedsLimit', payload: ExceedsLimitEvent) => void;
}

export interface SplitResult {
  metadata: Metadata;
  /** Short key → JSON value of the fields stored in the body; null when there is no body. */
  body: Record<string, unknown> | null;
  /** Paths cut or dropped by truncate-data. */
  truncated: string[];
}

// System metadata keys start with '-': attribute short keys are base36 and never do, and only [a-z0-9-] survives
// every S3 implementation and proxy (Ceph RGW turns '_' into '-', nginx drops headers with '_' by default).
/** Marks that the object has a JSON body holding some fields. */
export const BODY_MARKER = '-b';
/** Comma-separated short keys whose values truncate-data cut or dropped. */
export const TRUNCATED_MARKER = '-tr';
export const VERSION_FIELD = '-v';
export const CREATED_FIELD = '-c';
export const UPDATED_FIELD = '-u';
/**
 * Marks a tombstone: the empty object a delete puts (with ifMatch) over a document before removing its references
 * and then the object itself, so that an update racing the delete fails its ifMatch instead of resurrecting it.
 * Every reader treats a tombstone as absent; LIST-only counts skip it by its size (0: a record's body always
 * holds its revision, so it is never empty).
 */
export const TOMBSTONE_FIELD = '-x';
/** A tombstone younger than this is a delete in progress (inserts wait, heal leaves it); older, a crash's leftover. */
export const TOMBSTONE_SETTLE_MS = 30_000;

/**
 * Whether a LIST entry of a data key is a tombstone, without a HEAD: the only data object of size 0 this format
 * writes. s3db.js writes empty records, so a reader of its buckets passes `emptyIsTombstone: false`.
 */
export function listsAsTombstone(object: { size: number }, emptyIsTombstone = true): boolean {
  return emptyIsTombstone && object.size === 0;
}
