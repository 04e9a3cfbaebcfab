// The cache plugin: hits make no request, every write invalidates (partition-aware, withoutPlugins too), racing fills are dropped, and the staleness across two Databases on one bucket is exactly the TTL (memory) or none (shared s3 driver).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CachePlugin,
  Database,
  MemoryCacheDriver,
  type CacheDriver,
  type CachePluginOptions,
  type ObjectStore,
  type Plugin,
} from '../../engine/index.js';
import { testStores } from '../support/stores.js';

const stores = testStores().filter((s) => s.name !== 'file');

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

for (const s of stores) {
  describe.skipIf(s.skipped !== undefined)(`cache plugin (${s.name})`, () => {
    const dirs: string[] = [];
    afterAll(async () => {
      await s.cleanup?.();
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    });

    const open = async (
      options: CachePluginOptions = {},
      store?: ObjectStore,
      passphrase?: string,
      more: Plugin[] = [],
    ) => {
      const cache = new CachePlugin(options);
      const db = new Database({
        store: store ?? (await s.create()),
        plugins: [cache, ...more],
        ...(passphrase ? { passphrase } : {}),
      });
      await db.connect();
      await db.createResource({
        name: 'people',
        attributes: { name: 'string', region: 'string', pin: 'secret|optional' },
        partitions: { byRegion: { fields: { region: 'string' } } },
      });
      return { db, cache, people: db.resource('people') };
    };

    const requests = (db: Database) => db.store.requestCounts().total;

    it('answers a repeated get, query and count without a request, and counts hits and misses', async () => {
      const { db, cache, people } = await open();
      await people.insert({ id: 'a', name: 'Ann', region: 'EU' });
      expect((await people.get('a')).name).toBe('Ann');
      db.store.resetRequestCounts();
      expect((await people.get('a')).name).toBe('Ann');
      expect(requests(db)).toBe(0);
      const q1 = await people.query({ filter: { name: 'Ann' } });
      const before = requests(db);
      const q2 = await people.query({ filter: { name: 'Ann' } });
      expect(requests(db)).toBe(before);
      expect(q2.records).toEqual(q1.records);
      expect(q2.plan.requests).toBe(0);
      expect(q2.plan.reason).toContain('served from cache');
      expect(await people.getOrNull('nobody')).toBeNull();
      expect(await people.getOrNull('nobody')).toBeNull();
      expect(cache.stats()).toMatchObject({ hits: 3, misses: 3 });
      expect(db.plugins[0]).toMatchObject({ name: 'CachePlugin', details: { driver: 'memory', ttlMs: 60000 } });
    });

    it('every write invalidates what it can change, including writes through withoutPlugins', async () => {
      const { people } = await open();
      await people.insert({ id: 'a', name: 'Ann', region: 'EU' });
      expect((await people.get('a')).name).toBe('Ann');
      expect((await people.count()).count).toBe(1);
      await people.update('a', { name: 'Anna' });
      expect((await people.get('a')).name).toBe('Anna');
      await people.withoutPlugins().update('a', { name: 'Annie' });
      expect((await people.get('a')).name).toBe('Annie');
      await people.insert({ id: 'b', name: 'Bob', region: 'EU' });
      expect((await people.count()).count).toBe(2);
      expect(await people.getOrNull('c')).toBeNull();
      await people.upsert({ id: 'c', name: 'Cy', region: 'US' });
      expect((await people.get('c')).name).toBe('Cy');
      await people.delete('c');
      expect(await people.getOrNull('c')).toBeNull();
      expect((await people.list()).records.map((r) => r.id)).toEqual(['a', 'b']);
    });

    it('is partition-aware: a write to region=US keeps region=EU answers; a move invalidates both', async () => {
      const { db, cache, people } = await open();
      await people.insertMany([
        { id: 'e1', name: 'Eve', region: 'EU' },
        { id: 'u1', name: 'Uma', region: 'US' },
      ]);
      const eu = () => people.query({ partition: 'byRegion', partitionValues: { region: 'EU' } });
      const us = () => people.query({ filter: { region: 'US' } });
      const ids = async (q: Promise<{ records: { id: string }[] }>) => (await q).records.map((r) => r.id).sort();
      expect(await ids(eu())).toEqual(['e1']);
      expect(await ids(us())).toEqual(['u1']);
      await people.insert({ id: 'u2', name: 'Ugo', region: 'US' });
      db.store.resetRequestCounts();
      expect(await ids(eu())).toEqual(['e1']);
      expect(requests(db)).toBe(0);
      expect(await ids(us())).toEqual(['u1', 'u2']);
      expect(requests(db)).toBeGreaterThan(0);
      await people.update('e1', { region: 'US' });
      const misses = cache.stats().misses;
      expect(await ids(eu())).toEqual([]);
      expect(await ids(us())).toEqual(['e1', 'u1', 'u2']);
      expect(cache.stats().misses).toBe(misses + 2);
    });

    it('a repairing heal drops the cached answers of the repaired resource', async () => {
      const { db, people } = await open();
      await people.insert({ id: 'h', name: 'Hal', region: 'EU' });
      const refs = await db.store.list({ prefix: 'resource=people/partition=' });
      await db.store.deleteMany(refs.objects.map((o) => o.key));
      const eu = () => people.query({ partition: 'byRegion', partitionValues: { region: 'EU' } });
      expect((await eu()).records).toEqual([]);
      expect((await eu()).plan.requests).toBe(0);
      const report = await db.heal({ dryRun: false });
      expect(report.repaired.length).toBeGreaterThan(0);
      expect((await eu()).records.map((r) => r.id)).toEqual(['h']);
    });

    it('drops a fill when a write of the resource happened while it was being read', async () => {
      let race = true;
      const racer: Plugin = {
        name: 'Racer',
        around: {
          get: async (ctx, next) => {
            const out = await next();
            if (race) await ctx.resource.withoutPlugins().update('a', { name: 'after-race' });
            return out;
          },
        },
      };
      const { cache, people } = await open({}, undefined, undefined, [racer]);
      await people.insert({ id: 'a', name: 'before-race', region: 'EU' });
      expect((await people.get('a')).name).toBe('before-race');
      race = false;
      expect(cache.stats().discardedFills).toBe(1);
      expect((await people.get('a')).name).toBe('after-race');
    });

    it('a failing driver never fails a call: reads run uncached, and after a failed invalidation the resource is bypassed for ttlMs', async () => {
      const t = clock();
      const inner = new MemoryCacheDriver();
      let failGets = false;
      let failDeletes = false;
      const flaky: CacheDriver = {
        kind: 'flaky',
        get: (k, now) => (failGets ? Promise.reject(new Error('cache down')) : inner.get(k, now)),
        set: (k, e, now) => inner.set(k, e, now),
        deletePrefix: (p) => (failDeletes ? Promise.reject(new Error('cache down')) : inner.deletePrefix(p)),
        stats: () => inner.stats(),
        describe: () => ({ driver: 'flaky' }),
      };
      const { cache, people } = await open({ driver: flaky, ttlMs: 1_000, now: t.now });
      await people.insert({ id: 'a', name: 'v1', region: 'EU' });
      failGets = true;
      expect((await people.get('a')).name).toBe('v1');
      expect(cache.stats().errors).toBe(1);
      failGets = false;
      expect((await people.get('a')).name).toBe('v1');
      failDeletes = true;
      await people.update('a', { name: 'v2' });
      failDeletes = false;
      // The stale entry is still in the driver, but this server does not read it while it may be live.
      expect((await people.get('a')).name).toBe('v2');
      const hits = cache.stats().hits;
      t.advance(1_000);
      expect((await people.get('a')).name).toBe('v2');
      expect((await people.get('a')).name).toBe('v2');
      expect(cache.stats().hits).toBe(hits + 1);
    });

    it('skips plugin-created resources unless included', async () => {
      const { db, cache } = await open();
      await db.createResource({ name: 'plg_x', attributes: { v: 'number' }, createdBy: 'OtherPlugin' });
      await db.resource('plg_x').insert({ id: 'k', v: 1 });
      await db.resource('plg_x').get('k');
      await db.resource('plg_x').get('k');
      expect(cache.stats()).toMatchObject({ hits: 0, misses: 0 });
      const inc = await open({ include: ['plg_x'] }, db.store);
      await inc.db.resource('plg_x').get('k');
      await inc.db.resource('plg_x').get('k');
      expect(inc.cache.stats()).toMatchObject({ hits: 1, misses: 1 });
      expect(inc.db.describeResource('people').plugins).toEqual([]);
    });

    it('across two Databases on one bucket (memory driver): the other server’s write is seen after at most ttlMs, our own at once', async () => {
      const t = clock();
      const a = await open({ ttlMs: 5_000, now: t.now });
      const b = new Database({ store: a.db.store });
      await b.connect();
      await a.people.insert({ id: 'x', name: 'v1', region: 'EU' });
      expect((await a.people.get('x')).name).toBe('v1');
      await b.resource('people').update('x', { name: 'v2' });
      // Allowed staleness: the entry A filled before B's write, until its TTL runs out.
      t.advance(4_999);
      expect((await a.people.get('x')).name).toBe('v1');
      t.advance(1);
      expect((await a.people.get('x')).name).toBe('v2');
      // A's own write is never hidden by its cache.
      await a.people.update('x', { name: 'v3' });
      expect((await a.people.get('x')).name).toBe('v3');
    });

    it('across two Databases sharing the s3 driver: a write on one invalidates the other at once; entries are gzipped and encrypted', async () => {
      const store = await s.create();
      const a = await open({ driver: 's3' }, store, 'correct horse');
      const b = await open({ driver: 's3' }, store, 'correct horse');
      await a.people.insert({ id: 'x', name: 'v1', region: 'EU', pin: 'hunter2' });
      expect(await a.people.get('x')).toMatchObject({ name: 'v1', pin: 'hunter2' });
      expect(await b.people.get('x')).toMatchObject({ name: 'v1', pin: 'hunter2' });
      expect(b.cache.stats()).toMatchObject({ hits: 1, misses: 0 });
      await b.people.update('x', { name: 'v2' });
      expect((await a.people.get('x')).name).toBe('v2');
      const listed = await store.list({ prefix: 'plugin=cache/people/' });
      expect(listed.objects.length).toBeGreaterThan(0);
      for (const o of listed.objects) {
        const body = (await store.get(o.key))!.body;
        expect(body.subarray(0, 7).toString()).toBe('S3C1ge:');
        expect(body.includes('hunter2')).toBe(false);
        expect(body.includes('"name"')).toBe(false);
      }
      // A server without the passphrase never reads those entries (its answers differ: secrets stay hidden).
      const c = await open({ driver: 's3' }, store);
      expect((await c.people.get('x')).pin).toBe('[encrypted]');
    });

    it('filesystem driver: a directory per resource, atomic files, encrypted with a passphrase, invalidated on write', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 's3db-cache-'));
      dirs.push(dir);
      const { cache, people } = await open({ driver: 'filesystem', directory: dir }, undefined, 'pw');
      await people.insert({ id: 'x', name: 'v1', region: 'EU', pin: '4242' });
      expect((await people.get('x')).pin).toBe('4242');
      expect((await people.get('x')).pin).toBe('4242');
      expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 });
      expect(await readdir(dir)).toEqual(['people']);
      const files = await readdir(path.join(dir, 'people'));
      expect(files).toHaveLength(1);
      expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
      await people.update('x', { name: 'v2' });
      expect(await readdir(path.join(dir, 'people'))).toEqual([]);
      expect((await people.get('x')).name).toBe('v2');
    });
  });
}
