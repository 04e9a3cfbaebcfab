// A value written while its field was secret never comes back in plaintext (engine or tools) after the field is
// removed or retyped, and never works as a filter oracle; retyping a secret field is refused by default.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Database, MemoryStore, ENCRYPTED_MARKER } from '../../engine/index.js';
import { connect, structured, textOf } from '../mcp/support/connect.js';

const PASS = 'secret history passphrase';

async function withSecret(store = new MemoryStore()) {
  const db = new Database({ store, passphrase: PASS });
  await db.connect();
  await db.createResource({ name: 'keys', attributes: { name: 'string', apiKey: 'secret' } });
  return db;
}

describe('secrets across schema changes', () => {
  it('refuses to retype a secret field unless allowSecretRetype, and keeps masking afterwards', async () => {
    const db = await withSecret();
    await db.resource('keys').insert({ id: 'a', name: 'n', apiKey: 'sk-live-123' });
    for (const type of ['string', 'json', 'any', 'string|optional']) {
      await expect(
        db.createResource({ name: 'keys', attributes: { name: 'string', apiKey: type } }),
      ).rejects.toMatchObject({ code: 'VALIDATION' });
    }
    await db.createResource(
      { name: 'keys', attributes: { name: 'string', apiKey: 'string|optional' } },
      { allowSecretRetype: true },
    );
    const r = db.resource('keys');
    expect(r.secretPaths).toContain('apiKey');
    await expect(r.query({ filter: { apiKey: { $startsWith: 'sk' } } })).rejects.toMatchObject({ code: 'VALIDATION' });
    // Engine readers without the passphrase see the marker for old and new records alike.
    await r.insert({ id: 'b', name: 'm', apiKey: 'plain-after-retype' });
    const blind = new Database({ store: db.store });
    await blind.connect();
    expect((await blind.resource('keys').get('a')).apiKey).toBe(ENCRYPTED_MARKER);
    expect((await blind.resource('keys').get('b')).apiKey).toBe(ENCRYPTED_MARKER);
    // An old record updated under the retyped version keeps its ciphertext, which still decrypts.
    await r.update('a', { name: 'n2' });
    expect((await r.get('a')).apiKey).toBe('sk-live-123');
  });

  it('property: removed or retyped, a secret never reaches a tool result in plaintext', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 30 }).map((s) => `Zq9${s}`),
        fc.constantFrom('removed', 'string', 'json', 'any'),
        fc.boolean(),
        async (value, change, passphrase) => {
          const db = await withSecret();
          await db.resource('keys').insert({ id: 'x', name: 'n', apiKey: value });
          const attributes: Record<string, string> = { name: 'string' };
          if (change !== 'removed') attributes.apiKey = `${change}|optional`;
          await db.createResource({ name: 'keys', attributes }, { allowSecretRetype: true });
          const reader = passphrase ? db : new Database({ store: db.store });
          if (!passphrase) await reader.connect();
          const client = await connect(reader);
          try {
            const got = await client.call('get', { resource: 'keys', id: 'x' });
            expect(JSON.stringify(structured(got))).toContain(ENCRYPTED_MARKER);
            const listed = await client.call('query', { resource: 'keys' });
            for (const res of [got, listed]) {
              expect(JSON.stringify(structured(res))).not.toContain(JSON.stringify(value).slice(1, -1));
              expect(textOf(res)).not.toContain(JSON.stringify(value).slice(1, -1));
            }
            const oracle = await client.call('query', {
              resource: 'keys',
              filter: { apiKey: { $startsWith: value.slice(0, 2) } },
            });
            expect(oracle.isError).toBe(true);
          } finally {
            await client.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
