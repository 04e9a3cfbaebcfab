// Over MCP, heal reports a missing snapshot in a dry run and builds it when applied; query with explain then shows
// the snapshot and a request estimate that a real run matches, and the structured results pass the output schemas.
import { afterAll, describe, expect, it } from 'vitest';
import { connect, structured, textOf } from './support/connect.js';
import { DATABASES } from './support/databases.js';

interface Plan {
  strategy: string;
  requests: number;
  estimatedRequests?: number;
  snapshot?: { builtAt: string; documents: number; segments: number; fromSnapshot: number; changed: number };
}
interface QueryOut {
  records: { id: string }[];
  count: number;
  plan: Plan;
}
interface HealOut {
  problems: { kind: string; resource?: string; repaired: boolean }[];
}

const N = 150;

for (const { name, store, make } of DATABASES) {
  describe.skipIf(store.skipped !== undefined)(`snapshots over MCP on ${name}`, { timeout: 120_000 }, () => {
    afterAll(() => store.cleanup?.());

    it('heal builds the snapshot; explain shows it with the estimate the real query then costs', async () => {
      const mcp = await connect(await make());
      try {
        await mcp.call('createResource', { name: 'items', attributes: { n: 'number', tag: 'string' } });
        const records = Array.from({ length: N }, (_, i) => ({ id: `i${String(i).padStart(3, '0')}`, n: i, tag: 't' }));
        expect((await mcp.call('insertMany', { resource: 'items', records })).isError).toBeFalsy();
        const filter = { n: { $gte: N - 10 } };

        const before = structured<QueryOut>(await mcp.call('query', { resource: 'items', filter, explain: true }));
        expect(before.plan.snapshot).toBeUndefined();
        expect(before.plan.estimatedRequests).toBe(2 + N); // the manifest looked for, a LIST, a read per document

        const dry = structured<HealOut>(await mcp.call('heal'));
        expect(dry.problems.filter((p) => p.kind.startsWith('snapshot'))).toEqual([
          expect.objectContaining({ kind: 'snapshot-missing', resource: 'items', repaired: false }),
        ]);
        const applied = await mcp.call('heal', { dryRun: false, confirm: true });
        expect(applied.isError).toBeFalsy();
        expect(structured<HealOut>(applied).problems).toContainEqual(
          expect.objectContaining({ kind: 'snapshot-missing', repaired: true }),
        );

        const explain = await mcp.call('query', { resource: 'items', filter, explain: true });
        expect(explain.isError).toBeFalsy();
        const plan = structured<QueryOut>(explain).plan;
        expect(structured<QueryOut>(explain).records).toEqual([]);
        expect(plan).toMatchObject({ strategy: 'scan', snapshot: { documents: N, segments: 1, changed: 0 } });
        // Manifest GET + 1 LIST + 1 segment GET, instead of 1 + 150.
        expect(plan.estimatedRequests).toBe(3);
        expect(textOf(explain)).toMatch(/Estimated requests: 3\b/);
        expect(textOf(explain)).toMatch(/Snapshot: built .*150 document\(s\)/);

        const run = structured<QueryOut>(await mcp.call('query', { resource: 'items', filter }));
        expect(run.count).toBe(10);
        expect(run.plan.requests).toBe(3);
        expect(run.plan.snapshot).toMatchObject({ fromSnapshot: N, changed: 0 });

        // One document changed: the estimate and the run both add its read (the segment is now in memory).
        await mcp.call('update', { resource: 'items', id: 'i149', data: { tag: 'u' } });
        const again = structured<QueryOut>(await mcp.call('query', { resource: 'items', filter, explain: true }));
        expect(again.plan.estimatedRequests).toBe(1 + 1 + 1);
        const rerun = structured<QueryOut>(await mcp.call('query', { resource: 'items', filter }));
        expect(rerun.plan.requests).toBe(again.plan.estimatedRequests);
        expect(rerun.plan.snapshot).toMatchObject({ changed: 1, fromSnapshot: N - 1 });
      } finally {
        await mcp.close();
      }
    });
  });
}
