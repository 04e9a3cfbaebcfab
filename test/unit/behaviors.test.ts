// The five behaviors: metadata never exceeds 2 KB, and a round trip loses only what truncate-data reports.
import { describe, expect, it } from 'vitest';
import {
  assignKeys,
  encodeEntries,
  flattenDocument,
  readEntries,
  reverseKeyMap,
  unflattenEntries,
} from '../../engine/codec/index.js';
import { MetadataLimitError } from '../../engine/errors.js';
import { applyBehavior, effectiveLimit, type ExceedsLimitEvent } from '../../engine/behaviors/index.js';
import { thrown } from '../support/errors.js';
import { compileSchema } from '../../engine/schema/index.js';
import { BEHAVIORS, type Behavior } from '../../engine/types.js';
import { metadataBytes, normalizeMetadata } from '../../engine/storage/index.js';

const schema = compileSchema({ a: 'string', b: 'string', n: 'number', s: 'secret' });
const keys = assignKeys({}, schema.leafPaths);
const reverse = reverseKeyMap(keys);
const system = { '-v': 'v0' };
const LIMIT = effectiveLimit(system); // 2043
// Entry "a": key "0" (1 byte) + tag "s" (1 byte) + text.
const AT_LIMIT = LIMIT - 2;

function run(behavior: Behavior, doc: Record<string, unknown>, events: ExceedsLimitEvent[] = []) {
  const entries = encodeEntries(flattenDocument(schema, doc), keys);
  const split = applyBehavior(behavior, {
    resource: 'r',
    id: 'x',
    operation: 'insert',
    system,
    entries,
    secretPaths: schema.secretPaths,
    data: doc,
    emit: (_e, payload) => events.push(payload),
  });
  const stored = normalizeMetadata(split.metadata, 'k'); // what a store accepts (throws over 2048)
  const body = split.body === null ? null : (JSON.parse(JSON.stringify(split.body)) as Record<string, unknown>);
  return { split, stored, back: unflattenEntries(readEntries(stored, body, reverse)) };
}

describe.each(BEHAVIORS.filter((b) => b !== 'enforce-limits' && b !== 'truncate-data'))('%s keeps everything', (b) => {
  it.each([
    ['just under', 'x'.repeat(AT_LIMIT - 1)],
    ['at', 'x'.repeat(AT_LIMIT)],
    ['over', 'x'.repeat(AT_LIMIT + 1)],
    ['far over, multi-byte', 'é😀'.repeat(2000)],
  ])('%s the limit', (_label, a) => {
    const doc = { a, b: 'small', n: 42 };
    const { back, stored } = run(b, doc);
    expect(back).toEqual(doc);
    expect(metadataBytes(stored)).toBeLessThanOrEqual(2048);
  });
});

describe('body-overflow', () => {
  it('puts everything in metadata when it fits, smallest first when not', () => {
    expect(run('body-overflow', { a: 'x'.repeat(AT_LIMIT) }).split.body).toBeNull();
    const over = run('body-overflow', { a: 'x'.repeat(AT_LIMIT), b: 'y', n: 1 });
    expect(over.split.body).toEqual({ [keys.a!]: 'x'.repeat(AT_LIMIT) });
    expect(over.stored['-b']).toBe('1');
    expect(over.stored[keys.b!]).toBe('sy');
  });
});

describe('body-only', () => {
  it('keeps only system fields in metadata', () => {
    const { stored } = run('body-only', { a: 'x', n: 1 });
    expect(Object.keys(stored).sort()).toEqual(['-b', '-v']);
  });
});

describe('enforce-limits', () => {
  it('accepts at the limit and names fields and sizes over it', () => {
    expect(run('enforce-limits', { a: 'x'.repeat(AT_LIMIT) }).back).toEqual({ a: 'x'.repeat(AT_LIMIT) });
    const err = thrown(() => run('enforce-limits', { a: 'x'.repeat(AT_LIMIT + 1), b: 'é' })) as MetadataLimitError;
    expect(err).toBeInstanceOf(MetadataLimitError);
    expect(err.details).toMatchObject({ totalSize: AT_LIMIT + 8, limit: LIMIT, excess: AT_LIMIT + 8 - LIMIT });
    expect(err.details.fields).toEqual([
      { field: 'a', bytes: AT_LIMIT + 3 },
      { field: 'b', bytes: 5 },
    ]);
    expect(err.message).toMatch(/a \(2045 B\)/);
  });
});

describe('user-managed', () => {
  it('emits exceedsLimit with sizes only when over, then stores the overflow', () => {
    const events: ExceedsLimitEvent[] = [];
    run('user-managed', { a: 'x'.repeat(AT_LIMIT) }, events);
    expect(events).toHaveLength(0);
    const doc = { a: 'x'.repeat(AT_LIMIT + 1) };
    expect(run('user-managed', doc, events).back).toEqual(doc);
    expect(events).toEqual([
      { operation: 'insert', totalSize: LIMIT + 1, limit: LIMIT, excess: 1, data: doc, id: 'x' },
    ]);
  });
});

describe('truncate-data', () => {
  it('keeps a document at the limit whole', () => {
    const doc = { a: 'x'.repeat(AT_LIMIT) };
    const r = run('truncate-data', doc);
    expect(r.back).toEqual(doc);
    expect(r.split.truncated).toEqual([]);
  });

  it('cuts the first field that does not fit, drops the rest, and says so', () => {
    const r = run('truncate-data', { n: 7, a: 'x'.repeat(5000), b: 'lost' } as Record<string, unknown>);
    // attribute order is a, b, n: a is cut, b and n dropped
    expect(r.split.truncated).toEqual(['a', 'b', 'n']);
    expect(r.stored['-tr']).toBe(`${keys.a},${keys.b},${keys.n}`);
    expect(metadataBytes(r.stored)).toBe(2048);
    expect((r.back.a as string).length).toBeGreaterThan(2000);
    expect('x'.repeat(5000).startsWith(r.back.a as string)).toBe(true);
  });

  it('never splits a multi-byte character or an escape', () => {
    for (let pad = 0; pad < 6; pad++) {
      const a = 'p'.repeat(pad) + 'é😀'.repeat(1000);
      const r = run('truncate-data', { a });
      const cut = r.back.a as string;
      expect(cut.isWellFormed()).toBe(true);
      expect(a.startsWith(cut)).toBe(true);
      expect(metadataBytes(r.stored)).toBeLessThanOrEqual(2048);
      expect(metadataBytes(r.stored)).toBeGreaterThan(2000);
    }
  });

  it('drops (never cuts) secrets and non-strings', () => {
    const r = run('truncate-data', { a: 'x'.repeat(AT_LIMIT - 20), s: 'c'.repeat(100) });
    expect(r.back).toEqual({ a: 'x'.repeat(AT_LIMIT - 20) });
    expect(r.split.truncated).toEqual(['s']);
  });

  it('drops kept fields to make room for the marker', () => {
    const r = run('truncate-data', { a: 'x'.repeat(AT_LIMIT - 3), n: 123456789 });
    expect(r.split.truncated).toEqual(['a', 'n']);
    expect(metadataBytes(r.stored)).toBeLessThanOrEqual(2048);
  });
});
