// S3 lists keys in UTF-8 byte order; JavaScript compares UTF-16 code units, which differs above U+D7FF.
import { ValidationError } from '../errors.js';

export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** S3's own rules for a key: 1..1024 UTF-8 bytes, no lone surrogates. */
export function assertValidKey(key: string): void {
  const bytes = Buffer.byteLength(key, 'utf8');
  if (key.length === 0 || bytes > 1024 || !key.isWellFormed()) {
    throw new ValidationError(`Invalid object key (${bytes} bytes)`, {
      details: { key: key.slice(0, 200) },
      hint: 'Object keys must be 1 to 1024 bytes of well-formed UTF-8.',
    });
  }
}

export function encodeToken(lastKey: string): string {
  return Buffer.from(lastKey, 'utf8').toString('base64url');
}

export function decodeToken(token: string): string {
  return Buffer.from(token, 'base64url').toString('utf8');
}
