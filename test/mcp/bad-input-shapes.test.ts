// Bad input is VALIDATION, never INTERNAL: deep nesting, forged cursors of any shape, impossible dates, and tool
// arguments that are not an object (sent as raw JSON-RPC).
import fc from 'fast-check';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isS3dbError, MAX_JSON_DEPTH, MemoryStore, type Database } from '../../engine/index.js';
import { connect, structured, textOf, type Connected } from './support/connect.js';
import { engineDatabase } from './support/databases.js';

/** 'ok', 'VALIDATION', or what went wrong (an INTERNAL error, a stack, another code). */
function verdict(result: CallToolResult): string {
  if (!result.isError) return 'ok';
  const m = /^Error \[([A-Z_]+)\]/.exec(textOf(result));
  return m?.[1] === 'VALIDATION' ? 'VALIDATION' : textOf(result).slice(0, 200);
}

function nested(depth: number, leaf: unknown, wrap: (inner: unknown) => unknown): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = wrap(v);
  return v;
}

describe('bad input shapes', () => {
  let db: Database;
  let mcp: Connected;
  beforeAll(async () => {
    db = await engineDatabase({ store: new MemoryStore() });
    mcp = await connect(db);
    await db.createResource({
      name: 'events',
      attributes: { title: 'string|optional', when: 'date|optional', data: 'json|optional', n: 'number|optional' },
    });
    for (let i = 0; i < 5; i++) await db.resource('events').insert({ id: `e${i}`, title: `t${i}`, n: i });
  });
  afterAll(() => mcp.close());

  it(`nesting: 10,000 deep is VALIDATION everywhere; up to the limit (${MAX_JSON_DEPTH}) never INTERNAL`, async () => {
    const calls = (depth: number): [string, Record<string, unknown>][] => [
      ['insert', { resource: 'events', data: { data: nested(depth, 1, (v) => ({ a: v })) } }],
      ['insert', { resource: 'events', data: { data: nested(depth, 1, (v) => [v]) } }],
      ['update', { resource: 'events', id: 'e0', data: { data: nested(depth, 1, (v) => ({ a: v })) } }],
      ['query', { resource: 'events', filter: nested(depth, { n: 1 }, (v) => ({ $not: v })) }],
      ['query', { resource: 'events', filter: nested(depth, { n: 1 }, (v) => ({ $and: [v] })) }],
      ['query', { resource: 'events', filter: { data: nested(depth, 1, (v) => ({ a: v })) } }],
      ['count', { resource: 'events', filter: nested(depth, { n: 1 }, (v) => ({ $or: [v] })) }],
      ['createResource', { name: `deep${depth}`, attributes: { x: nested(depth, 'string', (v) => ({ a: v })) } }],
    ];
    for (const [tool, args] of calls(10_000)) expect(verdict(await mcp.call(tool, args)), tool).toBe('VALIDATION');
    // The engine itself, called directly, refuses the same (a library user has no tool layer in front).
    const events = db.resource('events');
    const engineCalls = [
      () => events.insert({ data: nested(10_000, 1, (v) => ({ a: v })) }),
      () => events.update('e0', { data: nested(10_000, 1, (v) => [v]) }),
      () => events.query({ filter: nested(10_000, { n: 1 }, (v) => ({ $not: v })) as never }),
      () => db.createResource({ name: 'deep', attributes: nested(10_000, 'string', (v) => ({ a: v })) as never }),
    ];
    for (const call of engineCalls) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isS3dbError(error) && error.code, String(error)).toBe('VALIDATION');
    }
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: MAX_JSON_DEPTH + 8 }),
        fc.integer({ min: 0, max: 7 }),
        async (d, i) => {
          const [tool, args] = calls(d)[i]!;
          expect(['ok', 'VALIDATION']).toContain(verdict(await mcp.call(tool, args)));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('forged cursors of any shape are VALIDATION (or a valid page), never INTERNAL', async () => {
    const sorted = { resource: 'events', sort: { n: 1 }, limit: 2 };
    const unsorted = { resource: 'events', limit: 2 };
    const realCursor = async (args: Record<string, unknown>) =>
      structured<{ nextCursor: string }>(await mcp.call('query', args)).nextCursor;
    const payloads = await Promise.all([realCursor(sorted), realCursor(unsorted)]).then((cs) =>
      cs.map((c) => JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as Record<string, unknown>),
    );
    const encode = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8').toString('base64url');
    const cursor = fc.oneof(
      fc.string({ minLength: 1, maxLength: 60 }),
      fc.anything({ maxDepth: 3 }).map(encode),
      // Right version and fingerprint (the fingerprint is not secret), any field replaced by anything.
      fc
        .tuple(fc.constantFrom(0, 1), fc.constantFrom('k', 't', 'id', 'v'), fc.anything({ maxDepth: 3 }))
        .map(([which, field, value]) => encode({ ...payloads[which], [field]: value })),
      fc
        .tuple(fc.constantFrom(0, 1), fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 3 }), fc.anything())
        .map(([which, t, id]) => encode({ ...payloads[which], t, id })),
    );
    const problems: string[] = [];
    await fc.assert(
      fc.asyncProperty(cursor, fc.boolean(), async (c, sort) => {
        const v = verdict(await mcp.call('query', { ...(sort ? sorted : unsorted), cursor: c }));
        if (v !== 'ok' && v !== 'VALIDATION') problems.push(`${c}: ${v}`);
      }),
      { numRuns: 300 },
    );
    expect(problems).toEqual([]);
  });

  it('impossible dates are refused; real ones are stored as the same day', async () => {
    const events = db.resource('events');
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.constantFrom('', 'T12:30:00Z', 'T23:59:59.999Z', 'T24:00:00Z', 'T12:60:00Z'),
        async (y, m, d, time) => {
          const day = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          const probe = new Date(0);
          probe.setUTCFullYear(y, m - 1, d);
          const real =
            m >= 1 && m <= 12 && d >= 1 && probe.getUTCDate() === d && !['T24:00:00Z', 'T12:60:00Z'].includes(time);
          const stored = await events.insert({ when: `${day}${time}` }).then(
            (doc) => doc.when as string,
            (e: unknown) => (isS3dbError(e) && e.code === 'VALIDATION' ? null : Promise.reject(e)),
          );
          if (real) expect(stored?.slice(-24, -14)).toBe(day.slice(-10));
          else expect(stored).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
    const r = await mcp.call('insert', { resource: 'events', data: { id: 'feb30', when: '2024-02-30' } });
    expect(verdict(r)).toBe('VALIDATION');
    expect(textOf(r)).toContain('day 30 does not exist');
    await expect(
      db.createResource({ name: 'bad-default', attributes: { d: 'date|default:2023-02-29' } }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('tool arguments that are not an object (raw JSON-RPC) are an isError VALIDATION result', async () => {
    const raw = async (name: string, args: unknown) =>
      (await mcp.client.request(
        { method: 'tools/call', params: { name, arguments: args } } as never,
        z.unknown(),
      )) as CallToolResult;
    for (const args of [null, [], ['events'], [{ resource: 'events' }], 'events', 42, true]) {
      for (const tool of ['listResources', 'get', 'insert', 'query']) {
        const result = await raw(tool, args);
        expect(verdict(result), `${tool} ${JSON.stringify(args)}`).toBe('VALIDATION');
        expect(textOf(result)).toMatch(/\nHint: \S/);
      }
    }
    expect(verdict(await raw('listResources', undefined))).toBe('ok');
  });
});
