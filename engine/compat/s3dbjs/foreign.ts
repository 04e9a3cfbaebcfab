// The seam between the catalog and the s3db.js reader: recognize the file, and refuse writes with one error.
import { ConfigError } from '../../errors.js';
import { detectS3dbjsCatalog, S3DBJS_MIGRATE_HINT, type S3dbjsCatalog } from './catalog.js';

/** The s3db.js catalog in `body` (the bytes of s3db.json), or undefined when this engine wrote it. */
export function detectForeignCatalog(body: Buffer, ownVersion: string): S3dbjsCatalog | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined; // damaged JSON is this engine's repair job, not a foreign format
  }
  return detectS3dbjsCatalog(raw, ownVersion) ?? undefined;
}

/** Writes to an s3db.js bucket are refused: a mix of both formats would be unreadable by either. */
export function foreignWriteError(foreign: S3dbjsCatalog, what: string): ConfigError {
  return new ConfigError(`Cannot ${what}: this bucket is in s3db.js ${foreign.writerVersion} format (read-only here)`, {
    details: { format: foreign.format, writerVersion: foreign.writerVersion },
    hint: S3DBJS_MIGRATE_HINT,
  });
}
