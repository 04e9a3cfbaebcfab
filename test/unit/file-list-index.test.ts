// The file store's ordered LIST index answers exactly what the memory store answers (random keys, prefixes,
// startAfter, delimiters, page sizes), sees another instance's writes and deletes at once, and removes temp and
// lock files a crashed writer left behind.
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStore, MemoryStore, type ListOptions, type ObjectStore } from '../../engine/index.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function fileStore(): Promise<FileStore> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 's3db-index-'));
  dirs.push(dir);
  return new FileStore(dir);
}

const segment = fc.oneof(
  fc.constantFrom('a', 'b', 'ab', 'A', 'é', '😀', 'x=y', '0', 'a.b', ''),
  fc.string({ minLength: 190, maxLength: 230 }).map((s) => s.replace(/\//g, '_')),
);
const keyArb = fc
  .array(segment, { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join('/'))
  .filter((k) => k.length > 0 && Buffer.byteLength(k) <= 1024 && k.isWellFormed());

async function pages(store: ObjectStore, options: ListOptions) {
  const out: { keys: string[]; prefixes: string[]; truncated: boolean }[] = [];
  let token: string | undefined;
  do {
    const page = await store.list({ ...options, ...(token ? { continuationToken: token } : {}) });
    out.push({ keys: page.objects.map((o) => o.key), prefixes: page.commonPrefixes, truncated: page.isTruncated });
    token = page.nextContinuationToken;
  } while (token);
  return out;
}

describe('file store LIST index', () => {
  it('lists exactly as the memory store for random keys and options', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(keyArb, { minLength: 1, maxLength: 25 }),
        fc.record({
          prefix: fc.option(fc.constantFrom('', 'a', 'a/', 'ab', 'b/', 'é'), { nil: undefined }),
          startAfter: fc.option(fc.constantFrom('a', 'a/', 'a/b', 'ab', 'b', '😀', 'é/a'), { nil: undefined }),
          delimiter: fc.option(fc.constant('/'), { nil: undefined }),
          maxKeys: fc.integer({ min: 1, max: 6 }),
        }),
        async (keys, raw) => {
          const options = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as ListOptions;
          const file = await fileStore();
          const memory = new MemoryStore();
          for (const key of keys) await Promise.all([file.put(key, key), memory.put(key, key)]);
          expect(await pages(file, options)).toEqual(await pages(memory, options));
          // And again, from the cached index.
          expect(await pages(file, options)).toEqual(await pages(memory, options));
          const page = await file.list({});
          const etags = await Promise.all(page.objects.map(async (o) => (await memory.head(o.key))!.etag));
          expect(page.objects.map((o) => o.etag)).toEqual(etags);
        },
      ),
      { numRuns: 40, seed: 42 },
    );
  });

  it("sees another instance's puts, overwrites and deletes on the very next LIST", async () => {
    const a = await fileStore();
    const b = new FileStore(a.root);
    for (let i = 0; i < 50; i++) await a.put(`k/${String(i).padStart(3, '0')}`, `v${i}`);
    for (let round = 0; round < 20; round++) {
      const before = await a.list({ prefix: 'k/' });
      await b.put(`k/new${round}`, 'n');
      const { etag } = await b.put('k/000', `changed ${round}`);
      await b.delete(`k/${String(round + 1).padStart(3, '0')}`);
      const after = await a.list({ prefix: 'k/' });
      expect(after.objects.map((o) => o.key)).toContain(`k/new${round}`);
      expect(after.objects.find((o) => o.key === 'k/000')!.etag).toBe(etag);
      expect(after.objects.map((o) => o.key)).not.toContain(`k/${String(round + 1).padStart(3, '0')}`);
      expect(after.objects.length).toBe(before.objects.length);
    }
  });

  it('lists the ETag of every overwritten object on every page, also once the directory is quiet again', async () => {
    // A directory re-read after a write keeps the heads it had; they must be checked again before being trusted
    // (a later page once listed the old ETag of objects overwritten since, and a snapshot served them as unchanged).
    const store = await fileStore();
    const key = (i: number) => `p/id=${String(i).padStart(5, '0')}`;
    const n = 2500;
    for (let i = 0; i < n; i += 250) {
      await Promise.all(Array.from({ length: 250 }, (_, j) => store.put(key(i + j), `v0 ${i + j}`)));
    }
    const quiet = () => new Promise((r) => setTimeout(r, 250)); // past the index's racy window
    await quiet();
    await pages(store, { prefix: 'p/' }); // caches every head
    for (let round = 1; round <= 3; round++) {
      const written = new Map<string, string>();
      for (let i = round; i < n; i += 97) written.set(key(i), (await store.put(key(i), `v${round} ${i}`)).etag);
      if (round > 1) await quiet();
      const listed = new Map<string, string>();
      let token: string | undefined;
      do {
        const page = await store.list({ prefix: 'p/', ...(token ? { continuationToken: token } : {}) });
        for (const o of page.objects) listed.set(o.key, o.etag);
        token = page.nextContinuationToken;
      } while (token);
      for (const [k, etag] of written) expect(listed.get(k), `${k} round ${round}`).toBe(etag);
    }
  });

  it('removes temp and lock files of a dead writer, keeps fresh ones', async () => {
    const store = await fileStore();
    await store.put('d/x', 'x');
    const dir = path.dirname(store.pathOf('d/x'));
    const old = new Date(Date.now() - 120_000);
    const deadPid = 2 ** 22 + 12345; // above the default pid_max: never a live process
    for (const name of [`.tmp-${deadPid}-aaaa`, `.lock-ox`]) {
      await writeFile(path.join(dir, name), String(deadPid));
      await utimes(path.join(dir, name), old, old);
    }
    await writeFile(path.join(dir, `.tmp-${process.pid}-bbbb`), 'mine');
    await store.put('d/y', 'y'); // changes the directory, so the next LIST re-reads it
    expect((await store.list({ prefix: 'd/' })).objects.map((o) => o.key)).toEqual(['d/x', 'd/y']);
    const deadline = Date.now() + 5000;
    let names = await readdir(dir);
    while (names.filter((n) => n.startsWith('.')).length > 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      names = await readdir(dir);
    }
    expect(names.filter((n) => n.startsWith('.'))).toEqual([`.tmp-${process.pid}-bbbb`]);
  });
});
