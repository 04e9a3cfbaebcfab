// Bad input through a real MCP client (fast-check): every tool call is a clean isError or stored-and-read-back exactly; nothing written outside its prefix; no prototype pollution.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore, MemoryStore, type Metadata, type PutOptions } from '../../engine/index.js';
import { connect, structured, textOf, type Connected } from './support/connect.js';
import { engineDatabase } from './support/databases.js';

/** A MemoryStore that remembers every key written or deleted. */
class RecordingStore extends MemoryStore {
  readonly touched = new Set<string>();
  override put(key: string, body: Buffer | string, metadata?: Metadata, options?: PutOptions) {
    this.touched.add(key);
    return super.put(key, body, metadata, options);
  }
  override delete(key: string) {
    this.touched.add(key);
    return super.delete(key);
  }
  override deleteMany(keys: string[]) {
    for (const k of keys) this.touched.add(k);
    return super.deleteMany(keys);
  }
}

const STACK = /\n\s+at .+[:(]\d+/;

/** An error result must carry a code, a message and a hint, and never a stack trace. */
function problemWith(result: CallToolResult): string | undefined {
  const text = textOf(result);
  if (STACK.test(text)) return `stack trace in: ${text.slice(0, 300)}`;
  if (!result.isError) return undefined;
  if (text.startsWith('Cancelled:')) return undefined;
  const m = /^Error \[([A-Z_]+)\]: (.+)/.exec(text);
  if (!m) return `no "Error [CODE]: message" in: ${text.slice(0, 300)}`;
  if (m[1] === 'INTERNAL') return `INTERNAL error (a bug) in: ${text.slice(0, 300)}`;
  if (!/\nHint: \S/.test(text)) return `no hint in: ${text.slice(0, 300)}`;
  return undefined;
}

function keyProblem(key: string): string | undefined {
  const segments = key.split('/');
  if (!(key === 's3db.json' || key.startsWith('s3db.json.') || key.startsWith('resource='))) return key;
  if (segments.some((s) => s === '..' || s === '.')) return key;
  return undefined;
}

const DOCS = { name: 'docs', attributes: { title: 'string|optional', data: 'json|optional' } };

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const nastyKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'a.b', '$set', '$', '.', '..', '', 'toString'),
  fc.string({ maxLength: 8 }),
  fc.string({ unit: loneSurrogate, minLength: 1, maxLength: 2 }),
);
const nastyString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: loneSurrogate, maxLength: 3 }),
  fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)), maxLength: 5 }),
);
const nastyValue = fc.anything({
  key: nastyKey,
  maxDepth: 3,
  maxKeys: 4,
  values: [
    nastyString,
    fc.double(),
    fc.constantFrom(NaN, Infinity, -Infinity, -0, Number.MAX_VALUE),
    fc.boolean(),
    fc.constant(null),
  ],
});
const escapingId = fc.oneof(
  fc.constantFrom('../x', '../../etc/passwd', 'a/b', '/abs', '%2F', '..%2F..%2Fx', '.', '..', 'a\u0000b', 'a\nb'),
  fc.string({ minLength: 300, maxLength: 400 }),
  fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 4 }),
  nastyString,
);

/** What a client on a real (JSON) wire would have sent. */
function overTheWire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function deep(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = { n: v };
  return v;
}

describe('bad input through the MCP client', () => {
  let store: RecordingStore;
  let mcp: Connected;
  const protoKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    store = new RecordingStore();
    mcp = await connect(await engineDatabase({ store }));
    expect((await mcp.call('createResource', DOCS)).isError).toBeFalsy();
  });
  afterAll(async () => {
    await mcp.close();
  });

  it('arbitrary arguments for every tool: a clean isError (code, message, hint, no stack) or a result', async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.length).toBeGreaterThanOrEqual(15);
    const problems: string[] = [];
    for (const tool of tools) {
      const props = Object.keys((tool.inputSchema.properties ?? {}) as Record<string, unknown>);
      const plausible = fc.oneof(
        fc.anything({ maxDepth: 2 }),
        fc.constant('docs'),
        escapingId,
        nastyValue,
        fc.integer({ min: -5, max: 5000 }),
      );
      const args = fc.oneof(
        fc.dictionary(fc.string({ maxLength: 10 }), fc.anything({ maxDepth: 2 }), { maxKeys: 4 }),
        fc.record(Object.fromEntries(props.map((p) => [p, plausible])), { requiredKeys: [] }),
      );
      await fc.assert(
        fc.asyncProperty(args, async (a) => {
          const result = await mcp.call(tool.name, a as Record<string, unknown>);
          const p = problemWith(result);
          if (p) problems.push(`${tool.name}(${JSON.stringify(a)?.slice(0, 200)}): ${p}`);
        }),
        { numRuns: 15 },
      );
    }
    expect(problems).toEqual([]);
    // An unknown tool is a JSON-RPC error (-32602) as the spec says, not a tool result.
    await expect(mcp.call('nope', {})).rejects.toThrow(/-32602.*nope not found/s);
    expect((await mcp.call('listResources')).isError).toBeFalsy();
  });

  it('nasty documents are refused cleanly or stored and read back exactly', async () => {
    const problems: string[] = [];
    const doc = fc.record({ id: escapingId, title: nastyString, data: nastyValue }, { requiredKeys: ['id'] });
    const specials = [
      { id: 'deep', data: deep(300) },
      { id: 'huge', title: 'x'.repeat(200_000), data: { s: 'y'.repeat(300_000) } },
      { id: 'nan', data: { a: NaN, b: Infinity, c: -Infinity } },
      { id: 'proto', data: JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"p": 1}}}') },
      { id: 'dots', data: { 'a.b': 1, $set: { $inc: 2 }, '': 3 } },
      { id: 'surrogate', title: 'a\ud800b', data: { '\udc00': '\ud83d' } },
    ];
    const check = async (d: Record<string, unknown>): Promise<void> => {
      const sent = { ...d };
      const inserted = await mcp.call('insert', { resource: 'docs', data: sent });
      const p = problemWith(inserted);
      if (p) {
        problems.push(`insert ${JSON.stringify(d).slice(0, 200)}: ${p}`);
        return;
      }
      if (inserted.isError) return;
      const id = structured<{ id: string }>(inserted).id;
      const read = await mcp.call('get', { resource: 'docs', id });
      if (read.isError) {
        problems.push(`inserted "${id}" cannot be read: ${textOf(read).slice(0, 200)}`);
        return;
      }
      const record = structured<{ record: Record<string, unknown> }>(read).record;
      const { id: _id, ...stored } = record;
      const { id: _sentId, ...expected } = overTheWire(d) as Record<string, unknown>;
      if (JSON.stringify(stored) !== JSON.stringify(expected) || _id !== _sentId) {
        problems.push(
          `read back differs: sent ${JSON.stringify(d).slice(0, 200)} got ${JSON.stringify(record).slice(0, 200)}`,
        );
      }
      await mcp.call('delete', { resource: 'docs', id, confirm: true });
    };
    for (const d of specials) await check(d);
    // Values JSON cannot carry exactly are refused, not silently changed.
    for (const id of ['nan', 'proto']) {
      const again = specials.find((d) => d.id === id)!;
      const r = await mcp.call('insert', { resource: 'docs', data: again });
      expect(r.isError, id).toBe(true);
      expect(textOf(r)).toMatch(/^Error \[VALIDATION\]/);
    }
    const topLevel = await mcp.call('insert', {
      resource: 'docs',
      data: JSON.parse('{"id":"tp","__proto__":{"polluted":true}}') as Record<string, unknown>,
    });
    expect(problemWith(topLevel)).toBeUndefined();
    // Refused (never silently dropped), and no prototype may have been polluted.
    expect(textOf(topLevel)).toMatch(/^Error \[VALIDATION\].*__proto__/);
    expect((await mcp.call('get', { resource: 'docs', id: 'tp' })).isError).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await fc.assert(
      fc.asyncProperty(doc, async (d) => {
        await check(d);
      }),
      { numRuns: 60 },
    );
    expect(problems).toEqual([]);
  });

  it('afterwards: the client is usable, Object.prototype is clean, every key is s3db.json or under resource=', async () => {
    const ok = await mcp.call('insert', { resource: 'docs', data: { id: 'after', title: 'fine' } });
    expect(ok.isError).toBeFalsy();
    expect(
      structured<{ record: { title: string } }>(await mcp.call('get', { resource: 'docs', id: 'after' })).record.title,
    ).toBe('fine');
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeysBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).p).toBeUndefined();
    expect(store.touched.size).toBeGreaterThan(0);
    expect([...store.touched].filter((k) => keyProblem(k) !== undefined)).toEqual([]);
  });
});

describe('file store keys', () => {
  let parent: string;
  beforeAll(async () => {
    parent = await mkdtemp(path.join(os.tmpdir(), 's3db-escape-'));
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  async function walk(dir: string): Promise<string[]> {
    const out: string[] = [];
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      out.push(p);
      if (e.isDirectory()) out.push(...(await walk(p)));
    }
    return out;
  }

  it('arbitrary keys never create, read or delete anything outside the store root', async () => {
    const root = path.join(parent, 'root');
    await mkdir(root);
    const store = new FileStore(root);
    const victim = path.join(parent, 'victim');
    await writeFile(victim, 'keep');
    const seen: string[] = [];
    const key = fc.oneof(
      escapingId,
      fc
        .array(fc.constantFrom('..', '.', '', 'a', '%2e%2e', '..\\..', 'x/..'), { minLength: 1, maxLength: 5 })
        .map((p) => p.join('/')),
      fc.string({ unit: 'binary', maxLength: 40 }),
    );
    await fc.assert(
      fc.asyncProperty(key, async (k) => {
        await store.put(k, 'x').catch(() => undefined);
        await store.get(k).catch(() => undefined);
        await store.head(k).catch(() => undefined);
        await store.list({ prefix: k }).catch(() => undefined);
        seen.push(k);
      }),
      { numRuns: 200 },
    );
    const outside = (await walk(parent)).filter((p) => p !== root && !p.startsWith(root + path.sep) && p !== victim);
    expect(outside).toEqual([]);
    for (const k of [...seen, '../victim', '../../victim', 'a/../../victim', '%2e%2e/victim']) {
      expect((await store.get(k).catch(() => null))?.body.toString()).not.toBe('keep');
      await store.delete(k).catch(() => undefined);
      await store.deleteMany([k]).catch(() => undefined);
    }
    expect(await readFile(victim, 'utf8')).toBe('keep');
    await store.close();
  });
});
