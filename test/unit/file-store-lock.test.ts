// A writer that waits out another's lock gets a retryable TIMEOUT, never a ConflictError that an insert would read as "the id is taken".
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConflictError, Database, FileStore } from '../../engine/index.js';
import { encodeKey } from '../../engine/storage/file-keys.js';

describe('file store lock timeout', () => {
  it('is a retryable TIMEOUT, and an insert behind it does not report a duplicate id', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 's3db-lock-'));
    try {
      const store = new FileStore(root, { lockTimeoutMs: 200 });
      const db = new Database({ store });
      await db.connect();
      const items = (await db.createResource({ name: 'items', attributes: { n: 'number' } })).resource;
      // A lock as a writer killed between creating it and writing its pid leaves it: empty, so no pid to check.
      const file = path.join(root, ...encodeKey('resource=items/data/id=a'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(path.join(path.dirname(file), `.lock-${path.basename(file)}`), '');
      const err = await items.insert({ id: 'a', n: 1 }).catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(ConflictError);
      expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
      expect(await items.exists('a')).toBe(false);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
