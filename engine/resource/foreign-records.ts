// Records of a bucket in s3db.js format, read through engine/compat/s3dbjs: decoded from its layout, secrets
// decrypted from its ciphertext layout with the same passphrase (or masked without one).
import { decodeRecord, decryptS3dbjsSecret } from '../compat/s3dbjs/index.js';
import type { SecretCipher } from '../crypto/index.js';
import type { Metadata } from '../storage/index.js';
import { ENCRYPTED_MARKER, type Document } from '../types.js';
import { deletePath, getPath, setPath } from '../util/index.js';
import type { ResourceSchemas } from './version-state.js';

export function readForeign(
  schemas: ResourceSchemas,
  id: string,
  metadata: Metadata,
  body: Buffer | null,
  etag: string,
): { doc: Document; version: string; etag: string; complete: boolean } {
  const resource = schemas.foreign!.resources[schemas.name]!;
  const { doc, version } = decodeRecord(resource, id, metadata, body);
  // A HEAD sees only metadata; s3db.js behaviors other than enforce-limits/truncate-data may use the body.
  return { doc, version, etag, complete: body !== null };
}

export async function revealForeign(
  schemas: ResourceSchemas,
  cipher: SecretCipher,
  doc: Document,
  version: string,
): Promise<Document> {
  const paths = schemas.schemaFor(version).secretPaths;
  if (paths.length === 0) return doc;
  const out = structuredClone(doc);
  for (const path of paths) {
    const value = getPath(out, path);
    if (typeof value !== 'string') continue;
    if (!cipher.hasPassphrase) {
      setPath(out, path, ENCRYPTED_MARKER);
      continue;
    }
    const clear = await decryptS3dbjsSecret(value, path, (salt) => cipher.keyFor(salt));
    if (clear === undefined) deletePath(out, path);
    else setPath(out, path, clear);
  }
  return out;
}
