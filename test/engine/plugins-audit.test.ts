// The audit plugin: after a known workload plg_audits holds exactly one record per write (operation, before/after with secrets masked and sizes capped, actor and session from the call context), queryable by resource and day, never auditing itself.
import { afterAll, describe, expect, it } from 'vitest';
import {
  AUDIT_RESOURCE,
  AuditPlugin,
  Database,
  NotFoundError,
  runWithCallContext,
  type AuditPluginOptions,
} from '../../engine/index.js';
import { testStores } from '../support/stores.js';

const stores = testStores().filter((s) => s.name !== 'file');
const NOW = new Date('2026-11-28T10:00:00.000Z');

for (const s of stores) {
  describe.skipIf(s.skipped !== undefined)(`audit plugin (${s.name})`, () => {
    afterAll(() => s.cleanup?.());

    const open = async (options: AuditPluginOptions = {}) => {
      const audit = new AuditPlugin({ now: () => NOW, ...options });
      const db = new Database({ store: await s.create(), passphrase: 'pw', plugins: [audit] });
      await db.connect();
      await db.createResource({
        name: 'users',
        attributes: { name: 'string', password: 'secret|optional', bio: 'string|optional' },
      });
      return { db, audit, users: db.resource('users') };
    };

    it('records every write of a known workload, with actor, masked secrets and before/after', async () => {
      const { db, audit, users } = await open();
      expect(db.listResources().find((r) => r.name === AUDIT_RESOURCE)?.createdBy).toBe('AuditPlugin');
      await runWithCallContext({ actor: 'claude', session: 's-1' }, async () => {
        await users.insert({ id: 'u1', name: 'Ann', password: 'hunter2' });
        await users.update('u1', { name: 'Anna' });
        await users.upsert({ id: 'u2', name: 'Bob' });
        await users.upsert({ id: 'u2', name: 'Bobby', password: 'swordfish' });
        await users.replace('u2', { name: 'Rob' });
      });
      await users.delete('u1');
      await expect(users.update('nobody', { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);

      const { records } = await audit.trail('users');
      const brief = records.map((r) => [r.operation, r.recordId, r.actor ?? null, r.session ?? null]);
      expect(brief).toEqual([
        ['insert', 'u1', 'claude', 's-1'],
        ['update', 'u1', 'claude', 's-1'],
        ['upsert', 'u2', 'claude', 's-1'],
        ['upsert', 'u2', 'claude', 's-1'],
        ['replace', 'u2', 'claude', 's-1'],
        ['delete', 'u1', null, null],
      ]);
      const [ins, upd, up1, up2, rep, del] = records;
      expect(ins).toMatchObject({ at: NOW.toISOString(), day: '2026-11-28', resourceName: 'users' });
      expect(ins!.before).toBeUndefined();
      expect(ins!.after).toEqual({ id: 'u1', name: 'Ann', password: '[secret]' });
      expect(upd!.before).toEqual({ id: 'u1', name: 'Ann', password: '[secret]' });
      expect(upd!.after).toEqual({ id: 'u1', name: 'Anna', password: '[secret]' });
      expect(up1!.before).toBeUndefined();
      expect(up2!.before).toEqual({ id: 'u2', name: 'Bob' });
      expect(up2!.after).toEqual({ id: 'u2', name: 'Bobby', password: '[secret]' });
      expect(rep!.before).toEqual({ id: 'u2', name: 'Bobby', password: '[secret]' });
      expect(del!.before).toEqual({ id: 'u1', name: 'Anna', password: '[secret]' });
      expect(del!.after).toBeUndefined();
      expect(JSON.stringify(records)).not.toMatch(/hunter2|swordfish/);
      expect(audit.stats()).toEqual({ recorded: 6, failed: 0 });

      // Queryable with the ordinary query (what the MCP tools call), by resource and day.
      const byDay = await db.resource(AUDIT_RESOURCE).query({
        partition: 'byResourceDay',
        partitionValues: { resourceName: 'users', day: '2026-11-28' },
      });
      expect(byDay.records).toHaveLength(6);
      expect(byDay.plan.strategy).toBe('partition');
      expect((await db.resource(AUDIT_RESOURCE).count({ filter: { operation: 'upsert' } })).count).toBe(2);
      expect((await audit.trail('users', { id: 'u2' })).records).toHaveLength(3);
      expect((await audit.trail('users', { day: '2026-11-27' })).records).toHaveLength(0);
      // The audit log is not audited.
      expect((await audit.trail(AUDIT_RESOURCE)).records).toHaveLength(0);
    });

    it('caps the size of before/after and honours include, actor provider and includeData', async () => {
      const { users, audit, db } = await open({ maxDataBytes: 120, actor: (ctx) => `svc:${ctx.resourceName}` });
      await users.insert({ id: 'big', name: 'B', bio: 'x'.repeat(500) });
      const [rec] = (await audit.trail('users')).records;
      expect(rec!.after).toEqual({ truncated: true, bytes: expect.any(Number), fields: ['bio', 'id', 'name'] });
      expect(rec!.actor).toBe('svc:users');
      await db.createResource({ name: 'notes', attributes: { t: 'string' } });
      const only = new AuditPlugin({
        name: 'NotesAudit',
        resourceName: 'plg_notes_audits',
        include: ['notes'],
        includeData: false,
      });
      await db.use(only);
      await db.resource('notes').insert({ id: 'n', t: 'hello' });
      await users.update('big', { name: 'C' });
      const notes = (await only.trail('notes')).records;
      expect(notes.map((r) => [r.operation, r.before, r.after])).toEqual([['insert', undefined, undefined]]);
      expect((await only.trail('users')).records).toHaveLength(0);
      expect(db.describeResource('notes').plugins).toEqual(['AuditPlugin', 'NotesAudit']);
    });

    it('a failing audit write leaves the operation standing (pluginError event), or fails it with failOnError', async () => {
      const { db, users, audit } = await open();
      db.resource(AUDIT_RESOURCE).addHook('beforeInsert', () => {
        throw new Error('audit storage is read-only');
      });
      const events: unknown[] = [];
      db.on('pluginError', (e: { plugin: string }) => events.push(e.plugin));
      await users.insert({ id: 'k', name: 'kept' });
      expect((await users.get('k')).name).toBe('kept');
      expect(events).toEqual(['AuditPlugin']);
      expect(audit.stats()).toEqual({ recorded: 0, failed: 1 });

      const strict = await open({ failOnError: true });
      strict.db.resource(AUDIT_RESOURCE).addHook('beforeInsert', () => {
        throw new Error('audit storage is read-only');
      });
      await expect(strict.users.insert({ id: 'k', name: 'x' })).rejects.toMatchObject({
        code: 'PLUGIN',
        details: { plugin: 'AuditPlugin', stage: 'after', operation: 'insert' },
      });
    });
  });
}
