// The filter language: every operator, and/or/not, dotted paths, dates, validation errors, sort and projection.
import { describe, expect, it } from 'vitest';
import type { Document } from '../../engine/index.js';
import {
  matchesFilter,
  normalizeSort,
  projectDocument,
  sortDocuments,
  validateFilter,
  validateProjection,
} from '../../engine/query/index.js';
import { thrown } from '../support/errors.js';

const ctx = {
  fieldTypes: {
    name: 'string',
    age: 'number',
    tags: 'array',
    born: 'date',
    vip: 'boolean',
    'address.city': 'string',
    address: 'object',
    extra: 'json',
    password: 'secret',
  },
  secretPaths: ['password'],
};
const doc: Document = {
  id: 'u1',
  name: 'Ada Lovelace',
  age: 36,
  tags: ['math', 'poet'],
  born: '1815-12-10T00:00:00.000Z',
  vip: true,
  address: { city: 'London' },
  extra: { deep: { n: 1 } },
};
const m = (filter: Record<string, unknown>) => {
  validateFilter(ctx, filter);
  return matchesFilter(doc, filter, ctx.fieldTypes);
};
describe('filter evaluation', () => {
  it.each([
    [{ name: 'Ada Lovelace' }, true],
    [{ name: 'Ada' }, false],
    [{ id: 'u1' }, true],
    [{ age: { $eq: 36 } }, true],
    [{ age: { $ne: 36 } }, false],
    [{ age: { $gt: 35, $lt: 37 } }, true],
    [{ age: { $gte: 36, $lte: 36 } }, true],
    [{ age: { $gt: 36 } }, false],
    [{ age: { $in: [1, 36] } }, true],
    [{ age: { $nin: [1, 36] } }, false],
    [{ missing: { $exists: false } }, 'unknown'],
    [{ vip: { $exists: true } }, true],
    [{ extra: { $exists: true } }, true],
    [{ 'extra.nope': { $exists: false } }, true],
    [{ name: { $contains: 'Love' } }, true],
    [{ tags: { $contains: 'poet' } }, true],
    [{ tags: { $contains: 'po' } }, false],
    [{ tags: 'math' }, true],
    [{ name: { $startsWith: 'Ada' } }, true],
    [{ name: { $startsWith: 'Love' } }, false],
    [{ 'address.city': 'London' }, true],
    [{ address: { city: 'London' } }, true],
    [{ 'extra.deep.n': 1 }, true],
    [{ born: { $lt: '1900-01-01' } }, true],
    [{ born: { $gt: new Date('1815-12-09') } }, true],
    [{ born: new Date('1815-12-10T00:00:00Z') }, true],
    [{ $and: [{ age: 36 }, { vip: true }] }, true],
    [{ $or: [{ age: 1 }, { vip: false }] }, false],
    [{ $or: [{ age: 1 }, { name: { $startsWith: 'A' } }] }, true],
    [{ $not: { age: 36 } }, false],
    [{ $not: { $or: [{ age: 1 }, { age: 2 }] }, vip: true }, true],
  ])('%j → %s', (filter, expected) => {
    if (expected === 'unknown') expect(() => m(filter)).toThrow(/Unknown field "missing"/);
    else expect(m(filter)).toBe(expected);
  });
});

describe('filter validation', () => {
  it('names an unknown field and lists the known ones', () => {
    const e = thrown(() => validateFilter(ctx, { nmae: 'x' }));
    expect(e.code).toBe('VALIDATION');
    expect(e.message).toContain('"nmae"');
    expect(e.hint).toContain('name');
    expect(e.hint).not.toContain('password');
  });
  it('treats names of Object.prototype as unknown fields, not as inherited ones', () => {
    expect(thrown(() => validateFilter(ctx, { constructor: 'x' })).message).toContain('Unknown field "constructor"');
  });
  it('lists the operators on a malformed one', () => {
    expect(thrown(() => validateFilter(ctx, { age: { $gtt: 1 } })).hint).toContain('$gte');
    expect(thrown(() => validateFilter(ctx, { age: { $in: 3 } })).message).toMatch(/array/);
    expect(thrown(() => validateFilter(ctx, { $or: {} })).message).toMatch(/non-empty array/);
    expect(thrown(() => validateFilter(ctx, { $nor: [] })).message).toMatch(/Unknown operator/);
    expect(thrown(() => validateFilter(ctx, { age: { $gt: 1, x: 2 } })).message).toMatch(/mixes/);
  });
  it('refuses a value whose type cannot match the field, naming the field and the type it takes', () => {
    for (const bad of [
      { age: { $gt: '3' } },
      { age: '36' },
      { age: { $in: [1, '36'] } },
      { vip: 'true' },
      { name: 5 },
      { born: 'yesterday' },
      { id: 7 },
    ]) {
      const e = thrown(() => validateFilter(ctx, bad));
      const field = Object.keys(bad)[0]!;
      expect(e.code, JSON.stringify(bad)).toBe('VALIDATION');
      expect(e.message).toContain(`"${field}"`);
      expect(e.details).toMatchObject({ field });
      expect(e.hint).toContain(field);
    }
    expect(thrown(() => validateFilter(ctx, { age: { $gt: '500' } })).message).toMatch(/needs a number, got string/);
    // What fits is still accepted: null means missing, dates as ISO strings or epoch ms, free-form fields anything.
    for (const good of [
      { age: null },
      { age: { $ne: null } },
      { born: 0 },
      { born: '1815' },
      { tags: 3 },
      { extra: 'x' },
    ]) {
      expect(() => validateFilter(ctx, good), JSON.stringify(good)).not.toThrow();
    }
  });
  it('treats a declared object as closed, json as open, timestamps as dates', () => {
    expect(thrown(() => validateFilter(ctx, { 'address.cty': 'x' })).message).toContain('"address.cty"');
    expect(() => validateFilter(ctx, { 'extra.any.depth': 1 })).not.toThrow();
    const stamped = { ...doc, createdAt: '2024-01-02T00:00:00.000Z' };
    expect(matchesFilter(stamped, { createdAt: { $gt: new Date('2024-01-01') } }, ctx.fieldTypes)).toBe(true);
  });
  it('refuses secret fields clearly', () => {
    expect(thrown(() => validateFilter(ctx, { password: 'x' })).message).toMatch(/secret field "password"/);
    expect(thrown(() => validateFilter(ctx, { $or: [{ 'password.x': 1 }] })).message).toMatch(/secret/);
  });
});

describe('sort and projection', () => {
  const docs: Document[] = [
    { id: 'a', n: 2, s: 'x' },
    { id: 'b', s: 'y' },
    { id: 'c', n: 1, s: 'y' },
    { id: 'd', n: 2, s: 'a' },
    { id: 'e', n: null, s: 'a' },
  ];
  const types = { n: 'number', s: 'string' };
  const sctx = { fieldTypes: types, secretPaths: [] };
  it('sorts by several keys, stable, missing last in both directions', () => {
    expect(sortDocuments(docs, normalizeSort(sctx, { n: 1 }), types).map((d) => d.id)).toEqual([
      'c',
      'a',
      'd',
      'b',
      'e',
    ]);
    expect(sortDocuments(docs, normalizeSort(sctx, { n: 'desc' }), types).map((d) => d.id)).toEqual([
      'a',
      'd',
      'c',
      'b',
      'e',
    ]);
    expect(sortDocuments(docs, normalizeSort(sctx, { n: -1, s: 'asc' }), types).map((d) => d.id)).toEqual([
      'd',
      'a',
      'c',
      'e',
      'b',
    ]);
    expect(() => normalizeSort(sctx, { n: 2 as never })).toThrow(/must be 1, -1/);
  });
  it('projects dotted fields and always keeps id', () => {
    expect(projectDocument(doc, validateProjection(ctx, ['address.city', 'age']))).toEqual({
      id: 'u1',
      address: { city: 'London' },
      age: 36,
    });
    expect(() => validateProjection(ctx, ['nope'])).toThrow(/Unknown field/);
  });
});
