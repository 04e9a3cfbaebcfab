// Secret fields: AES-256-GCM with a PBKDF2-SHA256 key. One salt per session for new writes and a bounded key
// cache per salt, so bulk inserts derive once; every value still gets its own random IV.
import { createCipheriv, createDecipheriv, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { ConfigError, EncryptionError } from '../errors.js';

const pbkdf2Async = promisify(pbkdf2);

export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_CACHE_SIZE = 64;

export class SecretCipher {
  private readonly passphrase: string | undefined;
  private readonly sessionSalt = randomBytes(SALT_BYTES);
  private readonly keys = new Map<string, Promise<Buffer>>();
  /** PBKDF2 runs so far (tests assert the cache works). */
  derivations = 0;

  constructor(passphrase?: string) {
    this.passphrase = passphrase === '' ? undefined : passphrase;
  }

  get hasPassphrase(): boolean {
    return this.passphrase !== undefined;
  }

  /** The derived key for `salt` (cached); also decrypts values in other layouts (engine/compat). */
  keyFor(salt: Buffer): Promise<Buffer> {
    return this.key(salt);
  }

  private key(salt: Buffer): Promise<Buffer> {
    const id = salt.toString('hex');
    const cached = this.keys.get(id);
    if (cached) {
      // LRU: move to the end.
      this.keys.delete(id);
      this.keys.set(id, cached);
      return cached;
    }
    this.derivations++;
    const derived = pbkdf2Async(this.passphrase!, salt, PBKDF2_ITERATIONS, 32, 'sha256');
    this.keys.set(id, derived);
    if (this.keys.size > KEY_CACHE_SIZE) this.keys.delete(this.keys.keys().next().value!);
    return derived;
  }

  /** base64(salt ‖ iv ‖ tag ‖ ciphertext). Throws ConfigError without a passphrase. */
  async encrypt(plaintext: string, field: string): Promise<string> {
    if (!this.hasPassphrase) {
      throw new ConfigError(`Cannot write secret field "${field}": no passphrase is configured`, {
        details: { field },
        hint: 'Open the database with a passphrase (option passphrase / S3DB_SECURITY_PASSPHRASE) to write secret fields.',
      });
    }
    const salt = this.sessionSalt;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', await this.key(salt), iv);
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([salt, iv, cipher.getAuthTag(), ct]).toString('base64');
  }

  /** The plaintext; throws EncryptionError on a wrong passphrase or damaged value. Call only with a passphrase. */
  async decrypt(stored: string, field: string): Promise<string> {
    const raw = Buffer.from(stored, 'base64');
    if (raw.length < SALT_BYTES + IV_BYTES + TAG_BYTES) {
      throw new EncryptionError(`Secret field "${field}" is not a valid encrypted value`, {
        details: { field },
        hint: 'The stored value is damaged or was not written by this engine; rewrite the field.',
      });
    }
    const salt = raw.subarray(0, SALT_BYTES);
    const iv = raw.subarray(SALT_BYTES, SALT_BYTES + IV_BYTES);
    const tag = raw.subarray(SALT_BYTES + IV_BYTES, SALT_BYTES + IV_BYTES + TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', await this.key(Buffer.from(salt)), iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([
        decipher.update(raw.subarray(SALT_BYTES + IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new EncryptionError(`Cannot decrypt secret field "${field}"`, {
        details: { field },
        hint: 'The passphrase is probably wrong (it must be the one the value was written with), or the value is damaged.',
      });
    }
  }
}
