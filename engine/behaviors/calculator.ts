// Sizes exactly as S3 counts them: UTF-8 bytes of every key and value, and what is left after system fields.
import type { EncodedEntry } from '../codec/index.js';
import { S3_METADATA_LIMIT_BYTES, metadataBytes, type Metadata } from '../storage/index.js';
import { BODY_MARKER, type SplitResult } from './types.js';

export { metadataBytes };

/** 2048 minus the bytes the system fields (`_v`, timestamps, markers) take. */
export function effectiveLimit(system: Metadata): number {
  return S3_METADATA_LIMIT_BYTES - metadataBytes(system);
}

export function entriesBytes(entries: readonly EncodedEntry[]): number {
  return entries.reduce((sum, e) => sum + e.bytes, 0);
}

/** Bytes the body marker adds when some field goes to the body. */
export const BODY_MARKER_BYTES = BODY_MARKER.length + 1;

export function toMetadata(system: Metadata, entries: readonly EncodedEntry[]): Metadata {
  const meta: Metadata = { ...system };
  for (const e of entries) meta[e.key] = e.encoded;
  return meta;
}

/** Metadata for `inMeta`, the rest in a JSON body (marked by `_b`). */
export function splitResult(
  system: Metadata,
  inMeta: readonly EncodedEntry[],
  inBody: readonly EncodedEntry[],
): SplitResult {
  const metadata = toMetadata(system, inMeta);
  if (inBody.length === 0) return { metadata, body: null, truncated: [] };
  metadata[BODY_MARKER] = '1';
  return { metadata, body: Object.fromEntries(inBody.map((e) => [e.key, e.value])), truncated: [] };
}
