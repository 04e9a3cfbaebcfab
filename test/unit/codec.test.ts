// Metadata codec: every value and every attribute type survives encode → S3 header rules → decode exactly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assignKeys,
  decodeValue,
  encodeEntries,
  encodeValue,
  flattenDocument,
  fromBase62,
  reverseKeyMap,
  toBase62,
  unflattenEntries,
} from '../../engine/codec/index.js';
import { compileSchema, validateDocument } from '../../engine/schema/index.js';
import { normalizeMetadata } from '../../engine/storage/index.js';

const text = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => s.isWellFormed());
const anyText = fc.oneof(
  text,
  fc.string({ maxLength: 20 }),
  fc.constantFrom(' lead', 'trail ', ' both ', '\t', '%41', 'active', 'true', '', '😀', 'e\u0301'),
);

/** What S3 does to metadata on the way in: lower-cased keys, trimmed values, header-safe or rejected. */
function throughS3(meta: Record<string, string>): Record<string, string> {
  return normalizeMetadata(meta, 'k');
}

function roundTrip(value: unknown): unknown {
  const encoded = encodeValue(value);
  expect(encoded).toMatch(/^[\x20-\x7e]*$/);
  const stored = throughS3({ x: encoded }).x!;
  return decodeValue(stored);
}

describe('value codec', () => {
  it('round-trips any string exactly through S3 header rules', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(roundTrip(s)).toBe(s);
      }),
    );
  });

  it('round-trips any JSON value (JSON semantics: -0 reads as 0)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(roundTrip(v)).toEqual(JSON.parse(JSON.stringify(v)) as unknown);
      }),
    );
  });

  it('round-trips numbers, dates, uuids, hex', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(roundTrip(n)).toBe(n === 0 ? 0 : n);
      }),
    );
    fc.assert(
      fc.property(fc.integer(), (n) => {
        expect(roundTrip(n)).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (d) => {
        expect(roundTrip(d.toISOString())).toBe(d.toISOString());
      }),
    );
    fc.assert(
      fc.property(fc.uuid(), (u) => {
        expect(roundTrip(u)).toBe(u);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 40 }), (b) => {
        const hex = Buffer.from(b).toString('hex');
        expect(roundTrip(hex)).toBe(hex);
        expect(roundTrip(hex.toUpperCase())).toBe(hex.toUpperCase());
      }),
    );
  });

  it('is compact for the common cases', () => {
    expect(encodeValue(true)).toBe('~0');
    expect(encodeValue('active')).toBe('~3');
    expect(encodeValue(123456)).toBe(`i${toBase62(123456)}`);
    expect(encodeValue('2024-01-01T00:00:00.000Z').length).toBeLessThanOrEqual(9);
    expect(encodeValue('123e4567-e89b-12d3-a456-426614174000')).toHaveLength(23);
    expect(encodeValue('2024-01-01')).toBe('s2024-01-01');
    expect(encodeValue('trail ')).toBe('ptrail%20');
    expect(fromBase62(toBase62(-987654321))).toBe(-987654321);
  });

  it('rejects what it did not write', () => {
    for (const bad of ['', 'z', '~~', '~z', 'n', 'nabc', 'i!']) expect(() => decodeValue(bad)).toThrow(/decode/);
    expect(() => encodeValue(Number.NaN)).toThrow();
    expect(() => encodeValue(undefined)).toThrow();
  });
});

describe('document codec', () => {
  const schema = compileSchema({
    s: 'string',
    n: 'number',
    i: 'number|integer',
    b: 'boolean',
    d: 'date',
    a: 'array|items:string',
    an: 'array|items:number',
    o: 'object',
    sec: 'secret',
    j: 'json',
    any: 'any',
    e: 'enum|values:x,y,z',
    u: 'uuid',
    url: 'url',
    em: 'email',
    p: { name: 'string', deep: { v: 'number' } },
    q: { type: 'object', props: { w: 'string' } },
  });
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const docArb = fc.record({
    id: fc.constant('x'),
    s: maybe(anyText),
    n: maybe(fc.double({ noNaN: true, noDefaultInfinity: true })),
    i: maybe(fc.integer()),
    b: maybe(fc.boolean()),
    d: maybe(fc.date({ noInvalidDate: true, min: new Date(-8e15), max: new Date(8e15) })),
    a: maybe(fc.array(anyText, { maxLength: 4 })),
    an: maybe(fc.array(fc.integer(), { maxLength: 4 })),
    o: maybe(fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })),
    sec: maybe(text),
    j: maybe(fc.jsonValue({ maxDepth: 2 })),
    any: maybe(fc.jsonValue({ maxDepth: 1 })),
    e: maybe(fc.constantFrom('x', 'y', 'z')),
    u: maybe(fc.uuid()),
    url: maybe(fc.webUrl()),
    em: maybe(fc.constantFrom('a@b.co', 'x.y@z.org')),
    p: maybe(
      fc.record(
        { name: maybe(anyText), deep: maybe(fc.record({ v: maybe(fc.integer()) }, { requiredKeys: [] })) },
        { requiredKeys: [] },
      ),
    ),
    q: maybe(fc.oneof(fc.constant(null), fc.record({ w: maybe(text) }, { requiredKeys: [] }))),
  });

  it('decode(encode(doc)) equals doc for random documents of every type', () => {
    const keys = assignKeys({}, [...schema.leafPaths, ...schema.containerPaths]);
    const reverse = reverseKeyMap(keys);
    fc.assert(
      // "__proto__" keys are refused by validation (test/mcp/bad-input.test.ts), so they are left out here.
      fc.property(
        docArb.filter((d) => !JSON.stringify(d).includes('"__proto__":')),
        (raw) => {
          const doc = validateDocument(schema, raw, { resource: 't' });
          const entries = encodeEntries(flattenDocument(schema, doc), keys);
          const meta = throughS3(Object.fromEntries(entries.map((e) => [e.key, e.encoded])));
          const back = unflattenEntries(
            Object.entries(meta).map(([k, v]) => ({ path: reverse.get(k)!, value: decodeValue(v) })),
          );
          const { id: _id, ...expected } = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
          expect(back).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never reuses or renumbers keys', () => {
    const m1 = assignKeys({}, ['a', 'b']);
    const m2 = assignKeys(m1, ['b', 'c']);
    expect(m2).toEqual({ a: '0', b: '1', c: '2' });
    expect(assignKeys(m2, ['a'])).toBe(m2);
    expect(() => encodeEntries([{ path: 'zz', value: 1 }], m2)).toThrow(/zz/);
  });
});
