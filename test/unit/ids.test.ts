// Ids: generated ones are URL-safe, unique and sort by time in byte order; supplied ones cannot forge a key.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../engine/errors.js';
import { generateId, validateId } from '../../engine/ids.js';
import { compareKeys } from '../../engine/storage/index.js';
import { thrown } from '../support/errors.js';

describe('ids', () => {
  it('generates 22 url-safe chars, unique, time-sorted in byte order', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) ids.add(generateId());
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[0-9A-Za-z]{22}$/);
    const times = [0, 1, 61, 62, 1_700_000_000_000, 1_700_000_000_001, 4_000_000_000_000];
    const gen = times.map((t) => generateId(t));
    const sorted = [...gen].sort(compareKeys);
    expect(sorted.map((g) => g.slice(0, 8))).toEqual(gen.map((g) => g.slice(0, 8)));
  });

  it.each([
    ['', /empty/],
    ['.', /\./],
    ['..', /\./],
    ['a/b', /\//],
    ['a\\b', /\//],
    ['a\nb', /control/],
    ['a\u0085', /control/],
    ['x\ud800', /well-formed/],
    ['é'.repeat(129), /256 bytes/],
    [5, /string/],
  ])('rejects %j', (id, message) => {
    expect(() => validateId(id)).toThrow(ValidationError);
    expect(() => validateId(id)).toThrow(message);
    expect((thrown(() => validateId(id)) as ValidationError).issues[0]?.path).toBe('id');
  });

  it('accepts unicode, spaces and 256 bytes', () => {
    for (const id of ['user 1', 'é😀', 'a'.repeat(256), 'a=b', '..a']) expect(validateId(id)).toBe(id);
  });
});
