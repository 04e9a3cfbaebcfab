// The memory cache driver (LRU/FIFO/TTL eviction, entry and byte limits, expiry) and deterministic cache keys.
import { describe, expect, it } from 'vitest';
import { MemoryCacheDriver, ValidationError } from '../../engine/index.js';
import { cacheKey, documentScopes, readScope } from '../../engine/internal.js';

const keys = async (d: MemoryCacheDriver, now = 0) => {
  const out: string[] = [];
  for (const k of ['a', 'b', 'c', 'd']) if (await d.get(k, now)) out.push(k);
  return out;
};

describe('MemoryCacheDriver', () => {
  it('LRU evicts the least recently read entry', async () => {
    const d = new MemoryCacheDriver({ maxEntries: 3, eviction: 'lru' });
    for (const k of ['a', 'b', 'c']) await d.set(k, { value: k, expiresAt: 0 }, 0);
    expect(await d.get('a', 0)).toEqual({ value: 'a', expiresAt: 0 });
    await d.set('d', { value: 'd', expiresAt: 0 }, 0);
    expect(await keys(d)).toEqual(['a', 'c', 'd']);
    expect(d.stats()).toMatchObject({ evictions: 1, entries: 3 });
  });

  it('FIFO evicts the oldest written entry, reads or not', async () => {
    const d = new MemoryCacheDriver({ maxEntries: 3, eviction: 'fifo' });
    for (const k of ['a', 'b', 'c']) await d.set(k, { value: k, expiresAt: 0 }, 0);
    await d.get('a', 0);
    await d.set('d', { value: 'd', expiresAt: 0 }, 0);
    expect(await keys(d)).toEqual(['b', 'c', 'd']);
  });

  it('TTL evicts the entry closest to expiry, and expired entries first under every policy', async () => {
    const d = new MemoryCacheDriver({ maxEntries: 3, eviction: 'ttl' });
    await d.set('a', { value: 'a', expiresAt: 300 }, 0);
    await d.set('b', { value: 'b', expiresAt: 100 }, 0);
    await d.set('c', { value: 'c', expiresAt: 0 }, 0);
    await d.set('d', { value: 'd', expiresAt: 200 }, 0);
    expect(await keys(d)).toEqual(['a', 'c', 'd']);
    const lru = new MemoryCacheDriver({ maxEntries: 2 });
    await lru.set('a', { value: 'a', expiresAt: 0 }, 0);
    await lru.set('b', { value: 'b', expiresAt: 50 }, 0);
    await lru.set('c', { value: 'c', expiresAt: 0 }, 60);
    expect(await keys(lru, 60)).toEqual(['a', 'c']);
    expect(lru.stats()).toMatchObject({ evictions: 0, expirations: 1 });
  });

  it('expires entries at their time and bounds the bytes held', async () => {
    const d = new MemoryCacheDriver({ maxBytes: 100 });
    await d.set('a', { value: 'x'.repeat(40), expiresAt: 1000 }, 0);
    expect(await d.get('a', 999)).toBeDefined();
    expect(await d.get('a', 1000)).toBeUndefined();
    expect(d.stats()).toMatchObject({ expirations: 1, entries: 0, bytes: 0 });
    await d.set('a', { value: 'x'.repeat(40), expiresAt: 0 }, 0);
    await d.set('b', { value: 'y'.repeat(40), expiresAt: 0 }, 0);
    await d.set('c', { value: 'z'.repeat(40), expiresAt: 0 }, 0);
    expect(d.stats().bytes).toBeLessThanOrEqual(100);
    expect(await keys(d)).toEqual(['b', 'c']);
    await d.set('big', { value: 'w'.repeat(200), expiresAt: 0 }, 0);
    expect(await d.get('big', 0)).toBeUndefined();
  });

  it('returns copies: mutating a cached value does not change the cache', async () => {
    const d = new MemoryCacheDriver();
    await d.set('k', { value: { n: 1 }, expiresAt: 0 }, 0);
    const got = (await d.get('k', 0))!.value as { n: number };
    got.n = 2;
    expect((await d.get('k', 0))!.value).toEqual({ n: 1 });
  });

  it('rejects bad options with a hint', () => {
    expect(() => new MemoryCacheDriver({ maxEntries: 0 })).toThrow(ValidationError);
    expect(() => new MemoryCacheDriver({ eviction: 'random' as 'lru' })).toThrow(
      expect.objectContaining({ hint: 'Use one of: lru, fifo, ttl.' }),
    );
  });
});

describe('cache keys', () => {
  const partitions = { byRegion: { fields: { region: 'string' } } };
  it('are deterministic whatever the key order of the arguments', () => {
    const a = cacheKey('users', 'all', { op: 'query', args: { filter: { a: 1, b: 2 }, limit: 5 } });
    const b = cacheKey('users', 'all', { args: { limit: 5, filter: { b: 2, a: 1 } }, op: 'query' });
    expect(a).toBe(b);
    expect(a).toMatch(/^users\/[0-9a-f]{24}\/[0-9a-f]{64}$/);
    expect(cacheKey('users', 'all', { op: 'query', args: { limit: 6 } })).not.toBe(a);
  });

  it('scope a query to a partition when it names one or fixes its fields by equality', () => {
    const eu = readScope('users', partitions, 'query', { options: { filter: { region: 'EU', age: { $gt: 3 } } } });
    expect(eu).toBe(readScope('users', partitions, 'query', { options: { filter: { region: { $eq: 'EU' } } } }));
    expect(eu).toBe(
      readScope('users', partitions, 'count', {
        options: { partition: 'byRegion', partitionValues: { region: 'EU' } },
      }),
    );
    expect(eu).toBe(documentScopes('users', partitions, { id: 'x', region: 'EU' })[2]);
    expect(readScope('users', partitions, 'query', { options: { filter: { region: { $in: ['EU'] } } } })).toBe('all');
    expect(readScope('users', partitions, 'get', { id: 'x' })).toBe('id:x');
  });
});
