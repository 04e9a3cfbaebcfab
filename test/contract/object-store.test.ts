// Pins the ObjectStore contract (S3 semantics) for every store: memory, file and the real S3 server.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  MetadataLimitError,
  ValidationError,
  type ListOptions,
  type ObjectStore,
} from '../../engine/index.js';
import { compareKeys, mapLimit } from '../../engine/internal.js';
import { metadataSizesSeen, testStores } from '../support/stores.js';

async function listAll(store: ObjectStore, options: ListOptions) {
  const keys: string[] = [];
  const prefixes: string[] = [];
  let pages = 0;
  let token: string | undefined;
  do {
    const page = await store.list({ ...options, ...(token ? { continuationToken: token } : {}) });
    pages++;
    expect(page.objects.length + page.commonPrefixes.length).toBeLessThanOrEqual(options.maxKeys ?? 1000);
    keys.push(...page.objects.map((o) => o.key));
    prefixes.push(...page.commonPrefixes);
    token = page.isTruncated ? page.nextContinuationToken : undefined;
    if (page.isTruncated) expect(token).toBeTruthy();
  } while (token);
  return { keys, prefixes, pages };
}

// Keys that differ only in case, punctuation, and characters whose UTF-8 order differs from UTF-16 order.
const TRICKY = [
  'A',
  'a',
  'B',
  'b',
  'a-b',
  'a_b',
  'a.b',
  'a~b',
  'a b',
  'a!b',
  'a+b',
  'a=b',
  'a%2Fb',
  'é',
  'e\u0301',
  '\uE000',
  '\u{1F600}',
  '\uFFFD',
  'Z',
  'z',
  '0',
  '~',
];

for (const testStore of testStores()) {
  describe.skipIf(testStore.skipped !== undefined)(`ObjectStore contract: ${testStore.name}`, () => {
    let store: ObjectStore;
    const embedded = testStore.name === 'memory' || testStore.name === 'file';

    beforeAll(async () => {
      store = await testStore.create();
    });
    afterAll(async () => {
      await testStore.cleanup?.();
    });

    it('round-trips body, content type and lower-cased metadata', async () => {
      const body = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
      const { etag } = await store.put(
        'rt/obj',
        body,
        { Foo: 'bar', 'X-Thing': 'v 1' },
        { contentType: 'application/x-test' },
      );
      const obj = await store.get('rt/obj');
      expect(obj?.body.equals(body)).toBe(true);
      expect(obj?.metadata).toEqual({ foo: 'bar', 'x-thing': 'v 1' });
      expect(obj?.contentType).toBe('application/x-test');
      expect(obj?.etag).toBe(etag);
      expect(obj?.size).toBe(body.length);
      const head = await store.head('rt/obj');
      expect(head?.etag).toBe(etag);
      expect(head?.size).toBe(body.length);
      expect(head?.metadata).toEqual({ foo: 'bar', 'x-thing': 'v 1' });
      expect(head).not.toHaveProperty('body');
      // S3 ETags are the quoted MD5 of a single-part body.
      expect(etag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    });

    it('returns null for a missing key and deletes missing keys quietly', async () => {
      expect(await store.get('missing/key')).toBeNull();
      expect(await store.head('missing/key')).toBeNull();
      await expect(store.delete('missing/key')).resolves.toBeUndefined();
      await store.put('gone', 'x');
      await store.delete('gone');
      expect(await store.get('gone')).toBeNull();
    });

    it('rejects non-ASCII metadata values before anything is sent', async () => {
      await expect(store.put('meta/nonascii', 'x', { name: 'café' })).rejects.toBeInstanceOf(ValidationError);
      await expect(store.put('meta/ctrl', 'x', { name: 'a\nb' })).rejects.toBeInstanceOf(ValidationError);
      expect(await store.head('meta/nonascii')).toBeNull();
      expect(metadataSizesSeen(store)?.some((s) => s.bytes === 'name'.length + 'café'.length) ?? false).toBe(false);
    });

    it('accepts 2048 bytes of user metadata and rejects 2049', async () => {
      await store.put('meta/2048', 'x', { k: 'v'.repeat(2047) });
      expect((await store.head('meta/2048'))?.metadata.k).toHaveLength(2047);
      const tooBig = store.put('meta/2049', 'x', { k: 'v'.repeat(2048) });
      if (embedded) {
        await expect(tooBig).rejects.toBeInstanceOf(MetadataLimitError);
      } else {
        // Local S3 servers accept any size; the test client's guard stands in for AWS's 400 MetadataTooLarge.
        await expect(tooBig).rejects.toThrow(/MetadataTooLarge/);
        const seen = metadataSizesSeen(store) ?? [];
        expect(Math.max(...seen.map((s) => s.bytes))).toBe(2049);
      }
      expect(await store.head('meta/2049')).toBeNull();
    });

    it('honours ifNoneMatch: * (create only) in both outcomes', async () => {
      const first = await store.put('cond/new', 'one', {}, { ifNoneMatch: '*' });
      expect(first.etag).toBeTruthy();
      await expect(store.put('cond/new', 'two', {}, { ifNoneMatch: '*' })).rejects.toBeInstanceOf(ConflictError);
      expect((await store.get('cond/new'))?.body.toString()).toBe('one');
    });

    it('honours ifMatch: etag (compare and swap) in both outcomes', async () => {
      const v1 = await store.put('cond/cas', 'v1');
      const v2 = await store.put('cond/cas', 'v2', {}, { ifMatch: v1.etag });
      expect((await store.get('cond/cas'))?.body.toString()).toBe('v2');
      await expect(store.put('cond/cas', 'v3', {}, { ifMatch: v1.etag })).rejects.toBeInstanceOf(ConflictError);
      expect((await store.get('cond/cas'))?.etag).toBe(v2.etag);
      await expect(store.put('cond/absent', 'x', {}, { ifMatch: v2.etag })).rejects.toBeInstanceOf(ConflictError);
    });

    it('lists with a delimiter: objects at the level, common prefixes once each, paginated alike', async () => {
      const keys = ['d/a/1', 'd/a/2', 'd/b/1', 'd/c', 'd/e/f/g', 'd/e/h', 'd/f'];
      await mapLimit(keys, 8, (k) => store.put(k, k));
      const page = await store.list({ prefix: 'd/', delimiter: '/' });
      expect(page.objects.map((o) => o.key)).toEqual(['d/c', 'd/f']);
      expect(page.commonPrefixes).toEqual(['d/a/', 'd/b/', 'd/e/']);
      expect(page.isTruncated).toBe(false);
      const deeper = await store.list({ prefix: 'd/e/', delimiter: '/' });
      expect(deeper.objects.map((o) => o.key)).toEqual(['d/e/h']);
      expect(deeper.commonPrefixes).toEqual(['d/e/f/']);
      const paged = await listAll(store, { prefix: 'd/', delimiter: '/', maxKeys: 2 });
      expect(paged.keys).toEqual(['d/c', 'd/f']);
      expect(paged.prefixes).toEqual(['d/a/', 'd/b/', 'd/e/']);
      const partial = await store.list({ prefix: 'd/e' });
      expect(partial.objects.map((o) => o.key)).toEqual(['d/e/f/g', 'd/e/h']);
      const after = await store.list({ prefix: 'd/', startAfter: 'd/b/1' });
      expect(after.objects.map((o) => o.key)).toEqual(['d/c', 'd/e/f/g', 'd/e/h', 'd/f']);
      expect(after.objects[0]?.size).toBe(3);
    });

    it('paginates 2,500+ keys in exact UTF-8 byte order, then deletes them all with deleteMany', async () => {
      const keys = [
        ...Array.from({ length: 2500 }, (_, i) => `many/${(i * 7919) % 10007}`),
        ...TRICKY.map((k) => `many/${k}`),
        ...TRICKY.map((k) => `many/x/${k}`),
      ];
      await mapLimit(keys, 32, (k) => store.put(k, 'v'));
      const expected = [...new Set(keys)].sort(compareKeys);
      const all = await listAll(store, { prefix: 'many/' });
      expect(all.pages).toBe(Math.ceil(expected.length / 1000));
      expect(all.keys).toEqual(expected);
      const small = await listAll(store, { prefix: 'many/x/', maxKeys: 5 });
      expect(small.keys).toEqual(expected.filter((k) => k.startsWith('many/x/')));
      const start = expected[1234]!;
      const fromStart = await store.list({ prefix: 'many/', startAfter: start, maxKeys: 3 });
      expect(fromStart.objects.map((o) => o.key)).toEqual(expected.slice(1235, 1238));

      const result = await store.deleteMany(expected);
      expect(result.errors).toEqual([]);
      expect(result.deleted).toHaveLength(expected.length);
      expect((await store.list({ prefix: 'many/' })).objects).toEqual([]);
    });
  });
}
