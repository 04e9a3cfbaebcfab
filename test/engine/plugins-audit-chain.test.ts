// The audit log is tamper-evident: after any workload (concurrent writes, two servers sharing a bucket) heal finds
// the chains intact, and after any single edit, removal or forgery of an audit record heal reports it and
// repairs nothing.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AUDIT_RESOURCE, AuditPlugin, Database, type HealProblem, type ObjectStore } from '../../engine/index.js';
import { testStores } from '../support/stores.js';

const KEY = 'audit chain key';

async function server(store: ObjectStore, key: string | undefined = KEY) {
  const audit = new AuditPlugin(key === undefined ? {} : { key });
  const db = new Database({ store, passphrase: 'pw', plugins: [audit] });
  await db.connect();
  await db.createResource({ name: 'users', attributes: { name: 'string', n: 'number|optional' } });
  return { db, audit, users: db.resource('users') };
}

const auditProblems = (problems: HealProblem[]) => problems.filter((p) => p.kind.startsWith('audit-'));

/** Two servers on one bucket writing at once, each with concurrent operations. */
async function workload(store: ObjectStore, key?: string, updates = 6) {
  const a = await server(store, key);
  const b = await server(store, key);
  await Promise.all([a.users.insert({ id: 'u1', name: 'Ann' }), b.users.insert({ id: 'u2', name: 'Bob' })]);
  await Promise.all([
    ...Array.from({ length: updates }, (_, i) => a.users.update('u1', { n: i }).catch(() => undefined)),
    ...Array.from({ length: updates }, (_, i) => b.users.update('u2', { n: i }).catch(() => undefined)),
    a.users.insert({ id: 'u3', name: 'Cy' }),
  ]);
  await b.users.delete('u3');
  return { a, b };
}

const TAMPERS = ['edit', 'delete-middle', 'delete-newest', 'forge-copy', 'forge-unchained', 'relink'] as const;

for (const s of testStores().filter((t) => t.name !== 'file')) {
  describe.skipIf(s.skipped !== undefined)(`audit chain (${s.name})`, () => {
    afterAll(() => s.cleanup?.());

    it('is intact after concurrent writes from two servers sharing the bucket (no fork, no false alarm)', async () => {
      const { a, b } = await workload(await s.create());
      const records = (await a.db.withoutPlugins().resource(AUDIT_RESOURCE).list({ limit: 1000 })).records;
      expect(records.length).toBe(a.audit.stats().recorded + b.audit.stats().recorded);
      expect(new Set(records.map((r) => r.chain)).size).toBe(2);
      expect(auditProblems((await a.db.heal()).problems)).toEqual([]);
      expect(auditProblems((await b.db.heal({ resource: AUDIT_RESOURCE })).problems)).toEqual([]);
    });

    it('reports any single edit, removal or forgery, and a repairing heal leaves the evidence as it is', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...TAMPERS), fc.nat(), fc.boolean(), async (tamper, pick, keyed) => {
          const key = keyed ? KEY : undefined;
          const { a } = await workload(await s.create(), key, 2);
          const audits = a.db.withoutPlugins().resource(AUDIT_RESOURCE);
          const all = (await audits.list({ limit: 1000 })).records;
          const mine = all
            .filter((r) => r.chain === all.find((x) => x.seq === 0)!.chain)
            .sort((x, y) => Number(x.seq) - Number(y.seq));
          const victim = mine[1 + (pick % (mine.length - 2))]!;
          switch (tamper) {
            case 'edit':
              await audits.update(victim.id, { actor: 'someone else' });
              break;
            case 'delete-middle':
              await audits.delete(victim.id);
              break;
            case 'delete-newest': {
              // The newest record of the live writer of `a`: only this server knows how many it wrote.
              const ofA = all.filter((r) => r.chain === a.audit.chain).sort((x, y) => Number(y.seq) - Number(x.seq));
              await audits.delete(ofA[0]!.id);
              break;
            }
            case 'forge-copy': {
              // A plausible record at the next position, hashed with plain SHA-256 (the forger has no key).
              const { id: _id, hash: _h, ...rest } = victim;
              const forged = { ...rest, recordId: 'u9', operation: 'delete' };
              const { createHash } = await import('node:crypto');
              const stringify = (await import('json-stable-stringify')).default;
              const hash = createHash('sha256')
                .update(stringify(forged) ?? '')
                .digest('hex');
              await audits.insert({ ...forged, id: `${victim.id}x`, hash });
              break;
            }
            case 'forge-unchained':
              await audits.insert({
                resourceName: 'users',
                operation: 'insert',
                recordId: 'u9',
                at: '2024-01-01T00:00:00.000Z',
                day: '2024-01-01',
              });
              break;
            case 'relink':
              await audits.update(victim.id, { prev: '1'.repeat(64) });
              break;
          }
          const before = (await audits.list({ limit: 1000 })).records;
          const found = auditProblems((await a.db.heal()).problems);
          expect(found.length, tamper).toBeGreaterThan(0);
          if (tamper === 'forge-copy' && keyed) expect(found.map((p) => p.kind)).toContain('audit-record-tampered');
          const repaired = await a.db.heal({ dryRun: false });
          expect(auditProblems(repaired.repaired)).toEqual([]);
          expect((await audits.list({ limit: 1000 })).records).toEqual(before);
        }),
        { numRuns: s.name === 'memory' ? 40 : 6 },
      );
    }, 120_000);
  });
}
