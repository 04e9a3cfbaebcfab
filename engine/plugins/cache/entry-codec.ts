// How persistent drivers (filesystem, s3) store an entry: JSON `{ e: expiresAt, v: value }`, optionally
// gzip-compressed, and encrypted with the database's cipher (AES-256-GCM) when a passphrase is set — a cached
// document holds decrypted secrets, which must never rest in clear outside the process.
import { gunzipSync, gzipSync } from 'node:zlib';
import type { SecretCipher } from '../../crypto/index.js';
import type { CacheEntry } from './types.js';

const MAGIC = 'S3C1';
const FIELD = 'cache entry';

export async function encodeEntry(
  entry: CacheEntry,
  options: { cipher?: SecretCipher | undefined; compress: boolean },
): Promise<Buffer> {
  let payload = Buffer.from(JSON.stringify({ e: entry.expiresAt, v: entry.value ?? null }), 'utf8');
  let flags = '';
  if (options.compress) {
    payload = gzipSync(payload);
    flags += 'g';
  }
  if (options.cipher?.hasPassphrase) {
    payload = Buffer.from(await options.cipher.encrypt(payload.toString('base64'), FIELD), 'utf8');
    flags += 'e';
  }
  return Buffer.concat([Buffer.from(`${MAGIC}${flags}:`, 'utf8'), payload]);
}

/** The entry, or null when it is not ours, damaged, or encrypted with a passphrase we do not have. */
export async function decodeEntry(raw: Buffer, cipher?: SecretCipher): Promise<CacheEntry | null> {
  const colon = raw.indexOf(':');
  if (colon < 0 || raw.subarray(0, MAGIC.length).toString('utf8') !== MAGIC) return null;
  const flags = raw.subarray(MAGIC.length, colon).toString('utf8');
  let payload = raw.subarray(colon + 1);
  try {
    if (flags.includes('e')) {
      if (!cipher?.hasPassphrase) return null;
      payload = Buffer.from(await cipher.decrypt(payload.toString('utf8'), FIELD), 'base64');
    }
    if (flags.includes('g')) payload = gunzipSync(payload);
    const parsed = JSON.parse(payload.toString('utf8')) as { e: number; v: unknown };
    return typeof parsed.e === 'number' ? { value: parsed.v, expiresAt: parsed.e } : null;
  } catch {
    return null;
  }
}
