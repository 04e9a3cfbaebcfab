// Secret fields: AES-GCM round trip, one PBKDF2 per session salt, clear errors without leaking anything.
import { describe, expect, it } from 'vitest';
import { ConfigError, EncryptionError } from '../../engine/errors.js';
import { SecretCipher } from '../../engine/crypto/index.js';

describe('SecretCipher', () => {
  it('round-trips, with a fresh IV per value and one derivation for many values', async () => {
    const c = new SecretCipher('pass phrase');
    const values = await Promise.all(Array.from({ length: 1000 }, (_, i) => c.encrypt(`secret ${i} 😀`, 'token')));
    expect(new Set(values).size).toBe(1000);
    expect(c.derivations).toBe(1);
    expect(await c.decrypt(values[7]!, 'token')).toBe('secret 7 😀');
    expect(values[0]).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(values[0]).not.toContain('secret');
  });

  it('decrypts values written by another session (another salt) with one more derivation', async () => {
    const stored = await new SecretCipher('p').encrypt('v', 'f');
    const reader = new SecretCipher('p');
    expect(await reader.decrypt(stored, 'f')).toBe('v');
    expect(await reader.decrypt(stored, 'f')).toBe('v');
    expect(reader.derivations).toBe(1);
  });

  it('wrong passphrase → EncryptionError with a hint and no secrets', async () => {
    const stored = await new SecretCipher('right-pass').encrypt('the-plaintext', 'f');
    const err = await new SecretCipher('wrong-pass').decrypt(stored, 'f').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EncryptionError);
    const json = JSON.stringify((err as EncryptionError).toJSON());
    expect(json).toMatch(/passphrase/);
    expect(json).not.toMatch(/the-plaintext|right-pass|wrong-pass/);
    await expect(new SecretCipher('x').decrypt('short', 'f')).rejects.toThrow(EncryptionError);
  });

  it('refuses to write without a passphrase', async () => {
    const c = new SecretCipher();
    expect(c.hasPassphrase).toBe(false);
    expect(new SecretCipher('').hasPassphrase).toBe(false);
    await expect(c.encrypt('x', 'token')).rejects.toThrow(ConfigError);
  });
});
