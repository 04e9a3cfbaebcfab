// Pins the memory store's S3 behaviours the engine relies on first: metadata limit and conditional writes.
import { describe, expect, it } from 'vitest';
import { ConflictError, MemoryStore, MetadataLimitError } from '../../engine/index.js';

describe('MemoryStore', () => {
  it('round-trips body and lower-cased metadata', async () => {
    const store = new MemoryStore();
    await store.put('a/b', 'hello', { Foo: 'bar' });
    const obj = await store.get('a/b');
    expect(obj?.body.toString()).toBe('hello');
    expect(obj?.metadata).toEqual({ foo: 'bar' });
    expect(await store.get('missing')).toBeNull();
  });

  it('accepts 2048 bytes of metadata and rejects 2049', async () => {
    const store = new MemoryStore();
    await store.put('ok', '', { k: 'x'.repeat(2047) });
    await expect(store.put('no', '', { k: 'x'.repeat(2048) })).rejects.toBeInstanceOf(MetadataLimitError);
  });

  it('honours ifNoneMatch and ifMatch', async () => {
    const store = new MemoryStore();
    const { etag } = await store.put('k', '1', {}, { ifNoneMatch: '*' });
    await expect(store.put('k', '2', {}, { ifNoneMatch: '*' })).rejects.toBeInstanceOf(ConflictError);
    await store.put('k', '2', {}, { ifMatch: etag });
    await expect(store.put('k', '3', {}, { ifMatch: etag })).rejects.toBeInstanceOf(ConflictError);
  });
});
