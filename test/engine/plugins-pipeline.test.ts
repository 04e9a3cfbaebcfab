// The plugin pipeline: before → middleware onion → engine (resource hooks) → after, in registration order; vetoes and failures name the plugin; withoutPlugins, scope, setup/teardown, previous, call context.
import { afterAll, describe, expect, it } from 'vitest';
import {
  Database,
  NotFoundError,
  PluginError,
  ValidationError,
  runWithCallContext,
  type Plugin,
} from '../../engine/index.js';
import { testStores } from '../support/stores.js';

const stores = testStores().filter((s) => s.name !== 'file');

for (const s of stores) {
  describe.skipIf(s.skipped !== undefined)(`plugin pipeline (${s.name})`, () => {
    afterAll(() => s.cleanup?.());

    const open = async (plugins: Plugin[] = []) => {
      const db = new Database({ store: await s.create(), plugins });
      await db.connect();
      await db.createResource({ name: 'items', attributes: { name: 'string', n: 'number|optional' } });
      return db;
    };

    const tracer = (name: string, log: string[]): Plugin => ({
      name,
      before: {
        insert: (args) => {
          log.push(`${name}.before`);
          return { data: { ...args.data, name: `${String(args.data.name)}+${name}` } };
        },
      },
      middleware: async (ctx, next) => {
        log.push(`${name}.enter:${ctx.operation}`);
        const out = await next();
        log.push(`${name}.exit:${ctx.operation}`);
        return out;
      },
      after: {
        insert: (doc) => {
          log.push(`${name}.after`);
          return { ...doc, seenBy: [...((doc.seenBy as string[] | undefined) ?? []), name] };
        },
      },
    });

    it('runs before hooks, the middleware onion and after hooks in registration order around the resource hooks', async () => {
      const log: string[] = [];
      const db = await open([tracer('A', log), tracer('B', log)]);
      db.resource('items').addHook('beforeInsert', (doc) => {
        log.push('resource.beforeInsert');
        return doc;
      });
      const out = await db.resource('items').insert({ id: 'x', name: 'n' });
      expect(log).toEqual([
        'A.before',
        'B.before',
        'A.enter:insert',
        'B.enter:insert',
        'resource.beforeInsert',
        'B.exit:insert',
        'A.exit:insert',
        'A.after',
        'B.after',
      ]);
      expect(out.name).toBe('n+A+B');
      expect(out.seenBy).toEqual(['A', 'B']);
      // The stored document has the before-hook changes, not the after-hook result transformation.
      expect(await db.withoutPlugins().resource('items').get('x')).toEqual({ id: 'x', name: 'n+A+B' });
    });

    it('a before hook vetoes with a PluginError naming the plugin and the operation; nothing is written', async () => {
      const db = await open([
        {
          name: 'Guard',
          before: {
            insert: () => {
              throw new ValidationError('no inserts today', { hint: 'wait' });
            },
          },
        },
      ]);
      const err = await db
        .resource('items')
        .insert({ id: 'v', name: 'n' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PluginError);
      expect(err).toMatchObject({
        code: 'PLUGIN',
        details: { plugin: 'Guard', stage: 'before', operation: 'insert', resource: 'items', causeCode: 'VALIDATION' },
      });
      expect((err as PluginError).message).toContain('Guard');
      expect((err as PluginError).hint).toContain('Guard');
      expect(await db.resource('items').exists('v')).toBe(false);
    });

    it('engine errors pass through middleware unchanged; a middleware failure of its own is a PluginError', async () => {
      const seen: string[] = [];
      const db = await open([
        {
          name: 'Watcher',
          middleware: async (ctx, next) => {
            try {
              return await next();
            } catch (e) {
              seen.push(`${ctx.operation}:${(e as Error).name}`);
              throw e;
            }
          },
        },
      ]);
      await expect(db.resource('items').update('missing', { n: 1 })).rejects.toBeInstanceOf(NotFoundError);
      expect(seen).toEqual(['update:NotFoundError']);
      await db.use({
        name: 'Broken',
        around: {
          count: () => {
            throw new Error('boom');
          },
        },
      });
      await expect(db.resource('items').count()).rejects.toMatchObject({
        code: 'PLUGIN',
        details: { plugin: 'Broken', stage: 'middleware', operation: 'count' },
      });
    });

    it('a middleware can answer without calling next, and after hooks still transform the answer', async () => {
      const db = await open([
        { name: 'Stub', around: { get: async (ctx) => ({ id: ctx.args.id, name: 'stub' }) } },
        { name: 'Upper', after: { get: (doc) => (doc ? { ...doc, name: String(doc.name).toUpperCase() } : doc) } },
      ]);
      db.store.resetRequestCounts();
      expect(await db.resource('items').get('anything')).toEqual({ id: 'anything', name: 'STUB' });
      expect(db.store.requestCounts().total).toBe(0);
    });

    it('withoutPlugins runs no plugin stage but keeps resource hooks', async () => {
      const log: string[] = [];
      const db = await open([tracer('A', log)]);
      db.resource('items').addHook('afterInsert', (doc) => ({ ...(doc as object), hooked: true }));
      const out = await db.withoutPlugins().resource('items').insert({ id: 'q', name: 'plain' });
      expect(log).toEqual([]);
      expect(out).toEqual({ id: 'q', name: 'plain', hooked: true });
      expect(db.resource('items').withoutPlugins()).toBe(db.withoutPlugins().resource('items'));
    });

    it('plugin-owned resources are skipped unless the plugin opts in with appliesTo', async () => {
      const seen: string[] = [];
      const spy = (name: string, all: boolean): Plugin => ({
        name,
        ...(all ? { appliesTo: () => true } : {}),
        after: { insert: (_d, ctx) => void seen.push(`${name}:${ctx.resourceName}:${ctx.createdBy}`) },
      });
      const db = await open([spy('UserOnly', false), spy('Everything', true)]);
      await db.createResource({ name: 'plg_x', attributes: { name: 'string' }, createdBy: 'SomePlugin' });
      await db.resource('plg_x').insert({ name: 'a' });
      await db.resource('items').insert({ name: 'b' });
      expect(seen).toEqual(['Everything:plg_x:SomePlugin', 'UserOnly:items:user', 'Everything:items:user']);
      expect(db.describeResource('plg_x').plugins).toEqual(['Everything']);
      expect(db.describeResource('items').plugins).toEqual(['UserOnly', 'Everything']);
    });

    it('setup runs at connect or at use, teardown in reverse order at close; db.plugins and getStats list them', async () => {
      const log: string[] = [];
      const life = (name: string): Plugin => ({
        name,
        setup: () => void log.push(`setup:${name}`),
        teardown: () => void log.push(`teardown:${name}`),
        describe: () => ({ flavour: name.toLowerCase() }),
        after: { get: () => undefined },
      });
      const db = new Database({ store: await s.create(), plugins: [life('One')] });
      await db.use(life('Two'));
      expect(log).toEqual([]);
      await db.connect();
      expect(log).toEqual(['setup:One', 'setup:Two']);
      await db.use(life('Three'));
      expect(log).toEqual(['setup:One', 'setup:Two', 'setup:Three']);
      expect(db.plugins.map((p) => p.name)).toEqual(['One', 'Two', 'Three']);
      expect(db.plugins[0]).toEqual({
        name: 'One',
        stages: { before: [], after: ['get'], around: [] },
        details: { flavour: 'one' },
      });
      expect((await db.getStats()).plugins.map((p) => p.name)).toEqual(['One', 'Two', 'Three']);
      await expect(db.use(life('One'))).rejects.toBeInstanceOf(ValidationError);
      await db.close();
      expect(log.slice(3)).toEqual(['teardown:Three', 'teardown:Two', 'teardown:One']);
    });

    it('a failing setup is a PluginError naming the plugin', async () => {
      const db = new Database({
        store: await s.create(),
        plugins: [{ name: 'Bad', setup: () => Promise.reject(new Error('cannot start')) }],
      });
      await expect(db.connect()).rejects.toMatchObject({ code: 'PLUGIN', details: { plugin: 'Bad', stage: 'setup' } });
    });

    it('after hooks of writes see the previous document and the caller context', async () => {
      const seen: unknown[] = [];
      const db = await open([
        {
          name: 'Spy',
          wantsPrevious: true,
          after: {
            update: (doc, ctx) => void seen.push(['update', ctx.previous?.name, doc.name, ctx.call.actor]),
            upsert: (r, ctx) => void seen.push(['upsert', ctx.previous?.name ?? null, r.created, ctx.call.actor]),
            delete: (_r, ctx) => void seen.push(['delete', ctx.previous?.name, ctx.call.actor]),
          },
        },
      ]);
      const items = db.resource('items');
      await items.insert({ id: 'p', name: 'one' });
      await runWithCallContext({ actor: 'alice' }, async () => {
        await items.update('p', { name: 'two' });
        await items.upsert({ id: 'p', name: 'three' });
        await items.upsert({ id: 'p2', name: 'fresh' });
      });
      await runWithCallContext({ actor: 'bob' }, () => items.delete('p'));
      expect(seen).toEqual([
        ['update', 'one', 'two', 'alice'],
        ['upsert', 'two', false, 'alice'],
        ['upsert', null, true, 'alice'],
        ['delete', 'three', 'bob'],
      ]);
    });

    it('bulk methods run one operation per item; a vetoed item is a per-item error', async () => {
      const ops: string[] = [];
      const db = await open([
        {
          name: 'NoBad',
          middleware: async (ctx, next) => {
            ops.push(ctx.operation);
            return next();
          },
          before: {
            insert: (a) => {
              if (a.data.name === 'bad') throw new Error('bad name');
            },
          },
        },
      ]);
      const res = await db.resource('items').insertMany([{ name: 'ok' }, { name: 'bad' }, { name: 'ok2' }]);
      expect(res.ids).toHaveLength(2);
      expect(res.errors).toEqual([expect.objectContaining({ index: 1, code: 'PLUGIN' })]);
      expect(ops).toEqual(['insert', 'insert']);
      ops.length = 0;
      const { records } = await db.resource('items').getMany(res.ids);
      expect(records).toHaveLength(2);
      expect(ops).toEqual(['get', 'get']);
      ops.length = 0;
      await db.resource('items').list();
      expect(ops).toEqual(['list']);
    });
  });
}
