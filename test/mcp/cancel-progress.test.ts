// A call cancelled by a real MCP client stops issuing store requests within one request's time, and long calls
// report progress to a client that sent a progress token.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ObjectStore } from '../../engine/index.js';
import { testStores } from '../support/stores.js';
import { connect, structured, type Connected } from './support/connect.js';
import { engineDatabase } from './support/databases.js';
import { until } from '../support/until.js';

/** Every store request takes this long (on top of the store's own time), so a call lasts long enough to cancel. */
const LATENCY_MS = 25;
const DOCS = 120;

/** A real store that records when each request was issued and answers after LATENCY_MS once `slow` is on. */
function countingStore(inner: ObjectStore) {
  const issued: number[] = [];
  const state = { slow: false };
  const methods = new Set(['get', 'head', 'put', 'delete', 'deleteMany', 'list']);
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || !methods.has(prop) || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        issued.push(performance.now());
        if (state.slow) await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return { store, issued, state };
}

/** Waits until no request has been issued for `quietMs`. */
async function settle(issued: number[], quietMs = LATENCY_MS * 4): Promise<void> {
  for (;;) {
    const before = issued.length;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    if (issued.length === before) return;
  }
}

const ITEMS = Array.from({ length: DOCS }, (_, i) => ({ id: `d${String(i).padStart(4, '0')}`, n: i, tag: 'x' }));

/** Each long call, with the requests the whole call would make (so stopping early is visible). */
// steps: the sequential requests of one item of the call. A delete is three (read, tombstone PUT, DELETE: see
// engine/resource/tombstone.ts): one in flight at the cancel finishes its steps, so it is not left half done; no new
// item starts.
const CALLS: { name: string; tool: string; args: Record<string, unknown>; seeded: boolean; steps?: number }[] = [
  { name: 'query (scan)', tool: 'query', args: { resource: 'docs', filter: { n: { $lt: 0 } } }, seeded: true },
  { name: 'count (reads)', tool: 'count', args: { resource: 'docs', filter: { n: { $gte: 0 } } }, seeded: true },
  { name: 'heal', tool: 'heal', args: { dryRun: true }, seeded: true },
  { name: 'insertMany', tool: 'insertMany', args: { resource: 'docs', records: ITEMS }, seeded: false },
  {
    name: 'deleteMany',
    tool: 'deleteMany',
    args: { resource: 'docs', ids: ITEMS.map((d) => d.id), confirm: true },
    seeded: true,
    steps: 3,
  },
];

for (const testStore of testStores()) {
  describe.skipIf(testStore.skipped !== undefined)(`cancellation and progress on ${testStore.name}`, () => {
    afterAll(async () => testStore.cleanup?.());
    let mcp: Connected;
    let counting: ReturnType<typeof countingStore>;

    beforeEach(async () => {
      counting = countingStore(await testStore.create());
      mcp = await connect(await engineDatabase({ store: counting.store }));
      const created = await mcp.call('createResource', {
        name: 'docs',
        attributes: { n: 'number', tag: 'string' },
        behavior: 'body-only', // the filter needs the body: a scan reads every document in full
      });
      expect(created.isError).toBeFalsy();
    });
    afterEach(async () => mcp.close());

    const seed = async () =>
      expect((await mcp.call('insertMany', { resource: 'docs', records: ITEMS })).isError).toBeFalsy();

    for (const call of CALLS) {
      it(`a cancelled ${call.name} issues no request one request's time after the cancel`, async () => {
        if (call.seeded) await seed();
        counting.state.slow = true;
        const start = counting.issued.length;
        const controller = new AbortController();
        const pending = mcp.client.callTool({ name: call.tool, arguments: call.args }, undefined, {
          signal: controller.signal,
        });
        pending.catch(() => {});
        await until(() => counting.issued.length - start >= 15, 10_000, `${call.name} to issue requests`, undefined, 2);
        controller.abort();
        const cancelledAt = performance.now();
        await expect(pending).rejects.toThrow();
        await settle(counting.issued);
        const afterCancel = counting.issued.filter((t) => t > cancelledAt);
        const steps = call.steps ?? 1;
        const late = afterCancel.filter((t) => t > cancelledAt + steps * LATENCY_MS);
        expect(late, `requests issued later than ${steps * LATENCY_MS} ms after the cancel`).toEqual([]);
        // At most one round of the bounded concurrency (10) may start (and finish its steps) while the cancel travels.
        expect(afterCancel.length).toBeLessThanOrEqual(10 * steps);
        // The whole call needs over DOCS requests: it really was stopped, not finished.
        expect(counting.issued.length - start).toBeLessThan(DOCS / 2);
      });
    }

    it('insertMany and a scan report increasing progress to a client that sent a progress token', async () => {
      counting.state.slow = true;
      const seen: { progress: number; total?: number | undefined }[] = [];
      const result = await mcp.client.callTool(
        { name: 'insertMany', arguments: { resource: 'docs', records: ITEMS } },
        undefined,
        {
          onprogress: (p) => seen.push({ progress: p.progress, total: p.total }),
        },
      );
      expect(structured(result as CallToolResult)).toMatchObject({ inserted: DOCS });
      expect(seen.length).toBeGreaterThan(1);
      expect(seen.at(-1)).toEqual({ progress: DOCS, total: DOCS });
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.progress).toBeGreaterThan(seen[i - 1]!.progress);

      const scanned: number[] = [];
      const query = await mcp.client.callTool(
        { name: 'query', arguments: { resource: 'docs', filter: { n: { $lt: 0 } } } },
        undefined,
        {
          onprogress: (p) => scanned.push(p.progress),
        },
      );
      expect(structured(query as CallToolResult)).toMatchObject({ count: 0 });
      expect(scanned.length).toBeGreaterThan(0);
      expect(scanned.every((n, i) => i === 0 || n > scanned[i - 1]!)).toBe(true);
      expect(Math.max(...scanned)).toBeLessThanOrEqual(DOCS);
    });
  });
}
