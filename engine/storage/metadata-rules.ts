// The rules S3 applies to user metadata, written once so the embedded stores enforce exactly what AWS does.
import { MetadataLimitError, ValidationError } from '../errors.js';
import type { Metadata } from './object-store.js';

/** AWS: "the sum of the number of bytes in the UTF-8 encoding of each key and value" may not exceed 2 KB. */
export const S3_METADATA_LIMIT_BYTES = 2048;

// An HTTP header name token (RFC 9110 tchar), as S3 accepts after `x-amz-meta-`.
const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
// Printable ASCII and tab: what survives an HTTP header unchanged. Anything else the caller must encode.
const HEADER_SAFE_VALUE = /^[\t\x20-\x7e]*$/;

/** Bytes S3 counts for this metadata: UTF-8 length of every key and value. */
export function metadataBytes(metadata: Metadata): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(metadata)) {
    bytes += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
  }
  return bytes;
}

/**
 * Validates and normalises metadata as S3 would receive it: keys lower-cased, values trimmed of surrounding
 * white space (HTTP drops it), non-header-safe values rejected, totals over 2048 bytes rejected (unless
 * `enforceLimit: false`: the s3 store leaves the limit to the server, so it reports what AWS really says).
 */
export function normalizeMetadata(
  metadata: Metadata | undefined,
  key: string,
  options: { enforceLimit?: boolean } = {},
): Metadata {
  const out: Metadata = {};
  for (const [rawName, rawValue] of Object.entries(metadata ?? {})) {
    const name = rawName.toLowerCase();
    if (!HEADER_TOKEN.test(name)) {
      throw new ValidationError(`Metadata key "${rawName}" is not a valid HTTP header name`, {
        details: { key, metadataKey: rawName },
        hint: 'Use only letters, digits and - _ . in metadata keys.',
      });
    }
    if (typeof rawValue !== 'string' || !HEADER_SAFE_VALUE.test(rawValue)) {
      throw new ValidationError(`Metadata value of "${name}" is not header-safe ASCII`, {
        details: { key, metadataKey: name },
        hint: 'Encode non-ASCII or control characters (e.g. base64 or percent-encoding) before storing them in metadata.',
      });
    }
    out[name] = rawValue.trim();
  }
  const bytes = metadataBytes(out);
  if (options.enforceLimit !== false && bytes > S3_METADATA_LIMIT_BYTES) {
    throw new MetadataLimitError(`User metadata is ${bytes} bytes; S3 allows at most ${S3_METADATA_LIMIT_BYTES}`, {
      details: { key, bytes, limit: S3_METADATA_LIMIT_BYTES },
      hint: 'Move large fields to the object body (behavior "body-overflow" or "body-only").',
    });
  }
  return out;
}
