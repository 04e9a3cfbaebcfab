// Documents in and out on every store: CRUD, conditional writes, behaviors, secrets, timestamps, hooks, streams.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ConflictError,
  Database,
  ENCRYPTED_MARKER,
  EncryptionError,
  MetadataLimitError,
  NotFoundError,
  PluginError,
  ValidationError,
  createIdStream,
  createInsertStream,
  createRecordStream,
  type Document,
  type ExceedsLimitEvent,
  type ObjectStore,
} from '../../engine/index.js';
import { testStores } from '../support/stores.js';

for (const s of testStores()) {
  describe.skipIf(s.skipped !== undefined)(s.name, () => {
    const open = async (store?: ObjectStore, passphrase?: string) => {
      const db = new Database({ store: store ?? (await s.create()), ...(passphrase ? { passphrase } : {}) });
      await db.connect();
      return db;
    };

    it('inserts, gets, lists and deletes; a missing id costs one request', async () => {
      const db = await open();
      const { resource: r } = await db.createResource({
        name: 'users',
        attributes: { name: 'string|required', age: 'number', profile: { city: 'string' } },
      });
      const a = await r.insert({ name: 'Ann', age: 30, profile: { city: 'Lisbon' } });
      expect(a.id).toMatch(/^[0-9A-Za-z]{22}$/);
      expect(await r.get(a.id)).toEqual(a);
      await r.insert({ id: 'b', name: 'Bo' });
      expect(await r.exists('b')).toBe(true);
      db.store.resetRequestCounts();
      expect(await r.getOrNull('zzz')).toBeNull();
      expect(db.store.requestCounts().total).toBe(1);
      db.store.resetRequestCounts();
      expect(await r.exists('zzz')).toBe(false);
      expect(db.store.requestCounts().total).toBe(1);
      await expect(r.get('zzz')).rejects.toBeInstanceOf(NotFoundError);
      expect(await r.getMany(['b', 'zzz', a.id])).toEqual({ records: [{ id: 'b', name: 'Bo' }, a], missing: ['zzz'] });
      expect((await r.listIds()).ids.sort()).toEqual([a.id, 'b'].sort());
      expect((await r.list()).records).toHaveLength(2);
      await r.delete('b');
      await expect(r.delete('b')).rejects.toBeInstanceOf(NotFoundError);
      expect((await r.listIds()).ids).toEqual([a.id]);
    });

    it('pages ids with cursors in key order', async () => {
      const db = await open();
      const { resource: r } = await db.createResource({ name: 'p', attributes: { n: 'number' } });
      const res = await r.insertMany(
        Array.from({ length: 25 }, (_, n) => ({ id: `id${String(n).padStart(2, '0')}`, n })),
      );
      expect(res.errors).toEqual([]);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await r.listIds({ limit: 10, ...(cursor ? { cursor } : {}) });
        seen.push(...page.ids);
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(res.ids.sort());
      const page = await r.list({ limit: 5 });
      expect(page.records.map((d) => d.n)).toEqual([0, 1, 2, 3, 4]);
      expect(page.nextCursor).toBeDefined();
      await expect(r.listIds({ limit: 0 })).rejects.toThrow(ValidationError);
    });

    it('reports per-item errors from insertMany and deleteMany', async () => {
      const db = await open();
      const { resource: r } = await db.createResource({ name: 'm', attributes: { n: 'number|required' } });
      const res = await r.insertMany([{ id: 'a', n: 1 }, { n: 'x' }, { id: 'a', n: 2 }, { n: 3 }] as never);
      expect(res.ids).toHaveLength(2);
      expect(res.errors.map((e) => [e.index, e.code])).toEqual([
        [1, 'VALIDATION'],
        [2, 'CONFLICT'],
      ]);
      expect(res.errors[1]!.id).toBe('a');
      const del = await r.deleteMany(['a', 'nope']);
      expect(del.deleted).toEqual(['a']);
      expect(del.errors).toMatchObject([{ index: 1, id: 'nope', code: 'NOT_FOUND' }]);
    });

    it('validates ids and documents', async () => {
      const db = await open();
      const { resource: r } = await db.createResource({ name: 'v', attributes: { email: 'email|required' } });
      await expect(r.insert({ id: 'a/b', email: 'a@b.co' })).rejects.toThrow(/id/);
      const err = (await r.insert({ email: 'nope', extra: 1 }).catch((e: unknown) => e)) as ValidationError;
      expect(err.issues.map((i) => i.path).sort()).toEqual(['email', 'extra']);
      await expect(r.insert('x' as never)).rejects.toThrow(/object/);
      await expect(r.update('x', { id: 'y' })).rejects.toThrow(/id/);
      await expect(r.upsert({ email: 'a@b.co' })).rejects.toThrow(/id/);
    });

    it('update deep-merges; 20 concurrent updates of different fields all survive', async () => {
      const db = await open();
      const attrs: Record<string, string | Record<string, string>> = { nested: { a: 'string', b: 'string' } };
      for (let i = 0; i < 20; i++) attrs[`f${i}`] = 'number';
      const { resource: r } = await db.createResource({ name: 'u', attributes: attrs });
      await r.insert({ id: 'x', nested: { a: 'A' } });
      expect(await r.update('x', { nested: { b: 'B' } })).toEqual({ id: 'x', nested: { a: 'A', b: 'B' } });
      await Promise.all(Array.from({ length: 20 }, (_, i) => r.update('x', { [`f${i}`]: i })));
      const doc = await r.get('x');
      for (let i = 0; i < 20; i++) expect(doc[`f${i}`]).toBe(i);
      await expect(r.update('missing', { f1: 1 })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('replace and upsert', async () => {
      const db = await open();
      const { resource: r } = await db.createResource({ name: 'r', attributes: { a: 'string', b: 'string' } });
      await r.insert({ id: 'x', a: '1', b: '2' });
      expect(await r.replace('x', { a: '3' })).toEqual({ id: 'x', a: '3' });
      await expect(r.replace('nope', { a: '1' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(r.replace('x', { id: 'y' })).rejects.toThrow(ValidationError);
      expect(await r.upsert({ id: 'y', a: 'new' })).toEqual({ record: { id: 'y', a: 'new' }, created: true });
      expect(await r.upsert({ id: 'y', b: 'again' })).toEqual({ record: { id: 'y', b: 'again' }, created: false });
    });

    it('keeps timestamps and guards paranoid deletes', async () => {
      const db = await open();
      const { resource: r } = await db.createResource({
        name: 't',
        attributes: { a: 'string' },
        timestamps: true,
        paranoid: true,
      });
      const doc = await r.insert({ id: 'x', a: '1' });
      expect(doc.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(doc.updatedAt).toBe(doc.createdAt);
      const up = await r.update('x', { a: '2' });
      expect(up.createdAt).toBe(doc.createdAt);
      expect(await r.get('x')).toEqual(up);
      await expect(r.delete('x')).rejects.toThrow(/confirm/);
      await r.delete('x', { confirm: true });
      expect(await r.exists('x')).toBe(false);
    });

    it('secrets: encrypted at rest, decrypted with the passphrase, marker without, error with a wrong one', async () => {
      const store = await s.create();
      const db = await open(store, 'correct horse');
      const { resource: r } = await db.createResource({
        name: 'k',
        attributes: { user: 'string', token: 'secret', deep: { pin: 'secret' } },
      });
      await r.insertMany(
        Array.from({ length: 30 }, (_, i) => ({ id: `k${i}`, user: 'u', token: `tok-${i}`, deep: { pin: '1234' } })),
      );
      expect(db.cipher.derivations).toBe(1);
      expect(await r.get('k3')).toEqual({ id: 'k3', user: 'u', token: 'tok-3', deep: { pin: '1234' } });
      const raw = await store.get(r.core.dataKey('k3'));
      expect(JSON.stringify(raw!.metadata) + raw!.body.toString()).not.toContain('tok-3');
      expect(r.secretPaths).toEqual(['token', 'deep.pin']);
      // update without touching the secret keeps it; update with it re-encrypts
      expect((await r.update('k3', { user: 'v' })).token).toBe('tok-3');
      expect((await r.update('k3', { token: 'new' })).token).toBe('new');

      const blind = await open(store);
      const br = blind.resource('k');
      expect(await br.get('k3')).toMatchObject({ token: ENCRYPTED_MARKER, deep: { pin: ENCRYPTED_MARKER } });
      expect((await br.update('k3', { user: 'w' })).user).toBe('w');
      expect((await r.get('k3')).token).toBe('new');
      await expect(br.insert({ token: 'x' })).rejects.toBeInstanceOf(ConfigError);
      await expect(br.update('k3', { token: ENCRYPTED_MARKER })).rejects.toThrow(/placeholder/);
      await expect(br.update('k3', { token: 'plain' })).rejects.toThrow(ConfigError);
      const wrong = await open(store, 'wrong');
      await expect(wrong.resource('k').get('k3')).rejects.toBeInstanceOf(EncryptionError);
      await expect(r.update('k3', { token: ENCRYPTED_MARKER })).rejects.toThrow(/placeholder/);
    });

    it('applies each behavior end to end without exceeding 2 KB', async () => {
      const db = await open();
      const events: ExceedsLimitEvent[] = [];
      db.on('exceedsLimit', (e: ExceedsLimitEvent) => events.push(e));
      const big = 'é😀x'.repeat(800);
      for (const behavior of ['body-overflow', 'body-only', 'user-managed'] as const) {
        const { resource: r } = await db.createResource({
          name: behavior,
          attributes: { a: 'string', b: 'string' },
          behavior,
        });
        const doc = await r.insert({ id: 'x', a: big, b: 'small' });
        expect(await r.get('x')).toEqual(doc);
        expect(doc).toEqual({ id: 'x', a: big, b: 'small' });
        const head = await r.core.readRecord('x', 'head');
        expect(head!.complete).toBe(false);
        // body-only keeps nothing but the version in metadata, so a HEAD cannot see b.
        expect(head!.doc.b).toBe(behavior === 'body-only' ? undefined : 'small');
      }
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ operation: 'insert', id: 'x' });
      const { resource: t } = await db.createResource({
        name: 'trunc',
        attributes: { a: 'string', b: 'string' },
        behavior: 'truncate-data',
      });
      const cut = await t.insert({ id: 'x', a: big, b: 'gone' });
      expect(cut._truncated).toEqual(['a', 'b']);
      expect(big.startsWith(cut.a as string)).toBe(true);
      expect(cut).not.toHaveProperty('b');
      expect(await t.get('x')).toEqual(cut);
      expect(await t.update('x', { b: 'back', _truncated: ['a'] } as never)).toMatchObject({ b: 'back' });
      const { resource: e } = await db.createResource({
        name: 'strict',
        attributes: { a: 'string' },
        behavior: 'enforce-limits',
      });
      await expect(e.insert({ a: big })).rejects.toBeInstanceOf(MetadataLimitError);
      expect((await e.listIds()).ids).toEqual([]);
    });

    it('runs named and code hooks in order; a throwing hook vetoes and is named', async () => {
      const db = await open();
      const calls: string[] = [];
      db.registerHook('lower', (v) => {
        calls.push('lower');
        const d = v as Document;
        return { ...d, name: String(d.name).toLowerCase() };
      });
      expect(() => db.registerHook('', null as never)).toThrow(ValidationError);
      const { resource: r } = await db.createResource({
        name: 'h',
        attributes: { name: 'string' },
        hooks: { beforeInsert: ['lower'] },
      });
      r.addHook('beforeInsert', (v) => {
        calls.push('code');
        return v;
      });
      r.addHook('afterInsert', () => {
        calls.push('after');
      });
      r.addHook('beforeGet', (id) => id);
      r.addHook('afterGet', (d) => ({ ...(d as Document), seen: true }));
      r.addHook('beforeUpdate', (p) => ({ ...(p as object), name: 'patched' }));
      r.addHook('afterUpdate', (d) => d);
      r.addHook('beforeDelete', (d) => {
        if ((d as Document).name === 'keep') throw new Error('protected');
      });
      r.addHook('afterDelete', () => calls.push('deleted'));
      expect(() => r.addHook('nope' as never, () => 1)).toThrow(/event/);
      const doc = await r.insert({ id: 'a', name: 'ANN' });
      expect(doc.name).toBe('ann');
      expect(calls).toEqual(['lower', 'code', 'after']);
      expect(await r.get('a')).toEqual({ id: 'a', name: 'ann', seen: true });
      expect((await r.update('a', { name: 'x' })).name).toBe('patched');
      await r.insert({ id: 'k', name: 'KEEP' });
      const veto = (await r.delete('k').catch((e: unknown) => e)) as PluginError;
      expect(veto).toBeInstanceOf(PluginError);
      expect(veto.message).toMatch(/beforeDelete/);
      await r.delete('a');
      expect(calls).toContain('deleted');
      expect(db.describeResource('h').hooks).toEqual({ beforeInsert: ['lower'] });
      // A process that has not registered the named hook gets a clear error, not a silent skip.
      const other = await open(db.store);
      await expect(other.resource('h').insert({ name: 'Z' })).rejects.toThrow(/not registered/);
    });

    it('streams ids and records with backpressure and writes in bulk, reporting item errors', async () => {
      const db = await open();
      const { resource: r } = await db.createResource({ name: 's', attributes: { n: 'number|required' } });
      const writer = createInsertStream(r, { concurrency: 4 });
      const itemErrors: unknown[] = [];
      writer.on('itemError', (e) => itemErrors.push(e));
      const input = Array.from({ length: 40 }, (_, i) =>
        i === 7 ? { n: 'bad' } : { id: `s${String(i).padStart(2, '0')}`, n: i },
      );
      await pipeline(Readable.from(input), writer);
      expect(writer.ids).toHaveLength(39);
      expect(writer.errors).toMatchObject([{ index: 7, code: 'VALIDATION' }]);
      expect(itemErrors).toHaveLength(1);
      const ids: string[] = [];
      for await (const id of createIdStream(r, { pageSize: 7 })) ids.push(id as string);
      expect(ids).toHaveLength(39);
      const docs: Document[] = [];
      for await (const d of createRecordStream(r, { pageSize: 10, concurrency: 3 })) docs.push(d as Document);
      expect(docs.map((d) => d.id)).toEqual(ids);
      r.addHook('afterGet', (d) => {
        if ((d as Document).n === 3) throw new Error('boom');
        return d;
      });
      const stream = createRecordStream(r);
      const got: Document[] = [];
      for await (const d of stream) got.push(d as Document);
      expect(got).toHaveLength(38);
      expect(stream.errors).toMatchObject([{ id: 's03', code: 'PLUGIN' }]);
    });

    it('maps ids to data keys and back, and refuses a second insert of the same id', async () => {
      const db = await open();
      const { resource: r } = await db.createResource({ name: 'q', attributes: { a: 'string' } });
      expect(r.core.dataKey('a=b')).toBe('resource=q/data/id=a=b');
      expect(r.core.idFromDataKey(r.core.dataKey('a=b'))).toBe('a=b');
      await r.insert({ id: 'dup' });
      await expect(r.insert({ id: 'dup' })).rejects.toBeInstanceOf(ConflictError);
    });
  });
}
