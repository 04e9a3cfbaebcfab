// Names are data: every dangerous name (Object.prototype's members, __proto__, then…) at every entry point either
// works as an ordinary name or is refused with VALIDATION — never INTERNAL, never accepted and silently dropped.
import fc from 'fast-check';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { isS3dbError, MemoryStore, type Database } from '../../engine/index.js';
import { connect, structured, textOf, type Connected } from './support/connect.js';
import { engineDatabase } from './support/databases.js';

const NAMES = [
  ...new Set([
    ...Object.getOwnPropertyNames(Object.prototype),
    'prototype',
    'then',
    'length',
    'name',
    'caller',
    'arguments',
    'apply',
    'bind',
  ]),
].sort();

/** Arguments as a JSON wire delivers them: JSON.parse makes "__proto__" an own key. */
const wire = (value: unknown) =>
  JSON.parse(JSON.stringify(value).replaceAll('"@N@"', '"__proto__"')) as Record<string, unknown>;
/** Builds arguments with `name` as a key, surviving the object literal even for "__proto__". */
const withName = (name: string, build: (key: string) => unknown) =>
  name === '__proto__' ? wire(build('@N@')) : (JSON.parse(JSON.stringify(build(name))) as Record<string, unknown>);

type Outcome = { kind: 'ok'; data: Record<string, unknown> } | { kind: 'refused' } | { kind: 'bad'; why: string };

function outcome(result: CallToolResult): Outcome {
  if (!result.isError) return { kind: 'ok', data: structured(result) };
  const text = textOf(result);
  return /^Error \[VALIDATION\]/.test(text) ? { kind: 'refused' } : { kind: 'bad', why: text.split('\n')[0]! };
}

/** The calls on a resource that has `name` as an attribute and a partition, and what each must show when it works. */
async function asDeclaredName(mcp: Connected, name: string, problems: string[]): Promise<void> {
  const res = `r${NAMES.indexOf(name)}`;
  const call = async (tool: string, args: Record<string, unknown>): Promise<Outcome> => {
    const o = outcome(await mcp.call(tool, args));
    if (o.kind === 'bad') problems.push(`${name}: ${tool} ${JSON.stringify(args)} → ${o.why}`);
    return o;
  };
  const created = await call(
    'createResource',
    withName(name, (N) => ({
      name: res,
      attributes: { [N]: 'string', b: 'string' },
      partitions: { [N]: { fields: { [N]: 'string' } } },
    })),
  );
  if (created.kind !== 'ok') return;
  const def = (created.data as { definition: { attributes: object; partitions: object } }).definition;
  if (!Object.hasOwn(def.attributes, name) || !Object.hasOwn(def.partitions, name)) {
    problems.push(`${name}: createResource succeeded but dropped the name: ${JSON.stringify(def)}`);
    return;
  }
  const own = (value: unknown, what: string, expected: unknown) => {
    const got =
      value !== null && typeof value === 'object' && Object.hasOwn(value, name)
        ? (value as Record<string, unknown>)[name]
        : undefined;
    if (got !== expected)
      problems.push(`${name}: ${what} gave ${JSON.stringify(value)} (expected ${String(expected)})`);
  };
  for (const [id, v] of [
    ['a', 'v1'],
    ['b', 'v2'],
  ] as const) {
    const ins = await call(
      'insert',
      withName(name, (N) => ({ resource: res, data: { id, [N]: v, b: id } })),
    );
    if (ins.kind !== 'ok') return void problems.push(`${name}: insert refused although declared`);
    own((ins.data as { record: unknown }).record, 'insert', v);
  }
  const upd = await call(
    'update',
    withName(name, (N) => ({ resource: res, id: 'a', data: { [N]: 'v3' } })),
  );
  if (upd.kind === 'ok') own((upd.data as { record: unknown }).record, 'update', 'v3');
  else problems.push(`${name}: update refused although declared`);
  const got = await call('get', { resource: res, id: 'a' });
  if (got.kind === 'ok') own((got.data as { record: unknown }).record, 'get', 'v3');
  const ids = (o: Outcome) =>
    o.kind === 'ok' ? (o.data as { records: { id: string }[] }).records.map((r) => r.id) : o.kind;
  const filtered = await call(
    'query',
    withName(name, (N) => ({ resource: res, filter: { [N]: 'v2' } })),
  );
  expect.soft(ids(filtered), `${name} filter`).toEqual(['b']);
  const sorted = await call(
    'query',
    withName(name, (N) => ({ resource: res, sort: { [N]: -1 } })),
  );
  expect.soft(ids(sorted), `${name} sort`).toEqual(['a', 'b']);
  const projected = await call('query', { resource: res, fields: [name] });
  if (projected.kind === 'ok')
    for (const r of (projected.data as { records: unknown[] }).records)
      own(r, 'fields', (r as { id: string }).id === 'a' ? 'v3' : 'v2');
  else problems.push(`${name}: fields refused although declared`);
  const part = await call(
    'query',
    withName(name, (N) => ({ resource: res, partition: name, partitionValues: { [N]: 'v2' } })),
  );
  expect.soft(ids(part), `${name} partition`).toEqual(['b']);
  const listed = await call('listPartitions', { resource: res, partition: name });
  expect.soft(listed.kind, `${name} listPartitions`).toBe('ok');
}

/** The calls on a resource that does not know `name`: each must be refused (the name is unknown), never dropped. */
async function asUnknownName(mcp: Connected, name: string, problems: string[]): Promise<void> {
  const calls: [string, Record<string, unknown>][] = [
    ['insert', withName(name, (N) => ({ resource: 'plain', data: { id: 'x', [N]: 'v' } }))],
    ['insertMany', withName(name, (N) => ({ resource: 'plain', records: [{ id: 'x', [N]: 'v' }] }))],
    ['upsert', withName(name, (N) => ({ resource: 'plain', data: { id: 'p', [N]: 'v' } }))],
    ['update', withName(name, (N) => ({ resource: 'plain', id: 'p', data: { [N]: 'v' } }))],
    ['query', withName(name, (N) => ({ resource: 'plain', filter: { [N]: 'v' } }))],
    ['query', withName(name, (N) => ({ resource: 'plain', filter: { $or: [{ [N]: 'v' }] } }))],
    ['query', withName(name, (N) => ({ resource: 'plain', filter: { b: { [N]: 'v' } } }))],
    ['count', withName(name, (N) => ({ resource: 'plain', filter: { [N]: 'v' } }))],
    ['query', withName(name, (N) => ({ resource: 'plain', sort: { [N]: 1 } }))],
    ['query', { resource: 'plain', fields: [name] }],
    ['query', { resource: 'plain', filter: { [`nested.${name}`]: 'v' } }],
    ['query', { resource: 'plain', partition: name }],
    ['listPartitions', { resource: 'plain', partition: name }],
  ];
  for (const [tool, args] of calls) {
    const o = outcome(await mcp.call(tool, args));
    // A filter on b equal to an object naming `name` is an ordinary equality (no match) unless the name is refused.
    const ordinaryEquality =
      tool === 'query' && o.kind === 'ok' && (o.data as { records: unknown[] }).records.length === 0;
    const itemRefused =
      tool === 'insertMany' &&
      o.kind === 'ok' &&
      (o.data as { inserted: number; errors: { code: string }[] }).inserted === 0 &&
      (o.data as { errors: { code: string }[] }).errors[0]?.code === 'VALIDATION';
    if (o.kind === 'refused' || ordinaryEquality || itemRefused) continue;
    problems.push(
      `${name}: ${tool} ${JSON.stringify(args)} on a resource without it → ${o.kind === 'bad' ? o.why : 'accepted'}`,
    );
  }
  expect((await mcp.call('get', { resource: 'plain', id: 'p' })).structuredContent).toEqual({
    record: { id: 'p', b: 'kept', nested: { c: 1 } },
  });
}

describe('names are data', () => {
  it('over MCP: each dangerous name works at every entry point or is refused with VALIDATION', async () => {
    const db = await engineDatabase();
    const mcp = await connect(db);
    await mcp.call('createResource', { name: 'plain', attributes: { b: 'string', nested: 'json' } });
    await mcp.call('insert', { resource: 'plain', data: { id: 'p', b: 'kept', nested: { c: 1 } } });
    const problems: string[] = [];
    for (const name of NAMES) {
      await asDeclaredName(mcp, name, problems);
      await asUnknownName(mcp, name, problems);
      // As a resource name: created and usable, or refused.
      const created = outcome(await mcp.call('createResource', { name, attributes: { a: 'string' } }));
      if (created.kind === 'bad') problems.push(`${name}: createResource name → ${created.why}`);
      if (created.kind === 'ok') {
        expect(outcome(await mcp.call('insert', { resource: name, data: { id: 'i', a: name } })).kind).toBe('ok');
        expect(structured<{ record: unknown }>(await mcp.call('get', { resource: name, id: 'i' })).record).toEqual({
          id: 'i',
          a: name,
        });
      }
    }
    expect(problems).toEqual([]);
    expect(({} as Record<string, unknown>).v).toBeUndefined();
    await mcp.close();
  });

  it('in the engine: documents, patches and filters with a dangerous key anywhere are refused or kept exactly', async () => {
    const db: Database = await engineDatabase({ store: new MemoryStore() });
    const { resource } = await db.createResource({
      name: 'docs',
      attributes: { title: 'string|optional', data: 'json|optional' },
    });
    await resource.insert({ id: 'fixed', title: 't', data: { keep: 1 } });
    // A random JSON object with one dangerous key planted at a random depth.
    const planted = fc
      .tuple(fc.constantFrom(...NAMES), fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 4 }))
      .map(([name, path]) => {
        let json = `{${JSON.stringify(name)}:"v"}`;
        for (const p of [...path].reverse()) json = `{${JSON.stringify(p)}:${json}}`;
        return { name, path, value: JSON.parse(json) as Record<string, unknown> };
      });
    const attempt = async (what: string, run: () => Promise<unknown>): Promise<{ ok: boolean; value?: unknown }> => {
      try {
        return { ok: true, value: await run() };
      } catch (e) {
        if (isS3dbError(e) && e.code === 'VALIDATION') return { ok: false };
        throw new Error(`${what}: ${String(e)}`, { cause: e });
      }
    };
    await fc.assert(
      fc.asyncProperty(planted, async ({ name, path, value }) => {
        const inserted = await attempt('insert', () => resource.insert({ id: 'x', data: value }));
        if (inserted.ok) {
          expect(JSON.stringify((await resource.get('x')).data)).toBe(JSON.stringify(value));
          await resource.delete('x');
        }
        const replaced = await attempt('replace', () => resource.replace('fixed', { data: value }));
        if (replaced.ok) expect(JSON.stringify((await resource.get('fixed')).data)).toBe(JSON.stringify(value));
        // update deep-merges: the planted key must be there, at its path, after the merge.
        const patched = await attempt('update', () => resource.update('fixed', { data: value }));
        if (patched.ok) {
          let node: unknown = (await resource.get('fixed')).data;
          for (const p of [...path, name])
            node = Object.hasOwn(node as object, p) ? (node as Record<string, unknown>)[p] : undefined;
          expect(node).toBe('v');
        }
        const topLevel = await attempt('update top', () => resource.update('fixed', value));
        // A top-level dangerous key is not an attribute: refused whatever it is.
        expect(topLevel.ok).toBe(false);
        await attempt('filter', () => resource.query({ filter: value }));
      }),
      { numRuns: 150 },
    );
    expect(({} as Record<string, unknown>).v).toBeUndefined();
  });
});
