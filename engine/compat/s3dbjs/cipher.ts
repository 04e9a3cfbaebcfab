// s3db.js secret fields: base64(salt[16] ‖ iv[12] ‖ ciphertext ‖ tag[16]), AES-256-GCM with a PBKDF2-SHA256 key
// (100,000 iterations, 32 bytes) from the passphrase — WebCrypto's layout, so the tag comes last (this engine
// puts it before the ciphertext). The key derivation is the engine's own (SecretCipher.keyFor, cached per salt).
import { createDecipheriv } from 'node:crypto';
import { EncryptionError } from '../../errors.js';

const SALT = 16;
const IV = 12;
const TAG = 16;

/**
 * The plaintext of one s3db.js secret. s3db.js encrypted null and undefined as the strings "null" and
 * "undefined" and reads them back as null and undefined; so does this. EncryptionError on a wrong passphrase.
 */
export async function decryptS3dbjsSecret(
  stored: string,
  field: string,
  keyFor: (salt: Buffer) => Promise<Buffer>,
): Promise<string | null | undefined> {
  const raw = Buffer.from(stored, 'base64');
  if (raw.length < SALT + IV + TAG) {
    throw new EncryptionError(`Secret field "${field}" is not an s3db.js encrypted value`, {
      details: { field },
      hint: 'The stored value is damaged or was not written by s3db.js.',
    });
  }
  let text: string;
  try {
    const iv = raw.subarray(SALT, SALT + IV);
    const decipher = createDecipheriv('aes-256-gcm', await keyFor(Buffer.from(raw.subarray(0, SALT))), iv);
    decipher.setAuthTag(raw.subarray(raw.length - TAG));
    text = Buffer.concat([decipher.update(raw.subarray(SALT + IV, raw.length - TAG)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new EncryptionError(`Cannot decrypt secret field "${field}"`, {
      details: { field },
      hint: 'Use the security passphrase the s3db.js database was opened with.',
    });
  }
  return text === 'null' ? null : text === 'undefined' ? undefined : text;
}
