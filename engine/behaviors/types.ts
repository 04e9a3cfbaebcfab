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

/** Marks that the object has a JSON body holding some fields. */
export const BODY_MARKER = '_b';
/** Comma-separated short keys whose values truncate-data cut or dropped. */
export const TRUNCATED_MARKER = '_tr';
export const VERSION_FIELD = '_v';
export const CREATED_FIELD = '_c';
export const UPDATED_FIELD = '_u';
