// Pins the one dotted-path helper (engine/util) and the key helpers the engine reads keys back with.
import { describe, expect, it } from 'vitest';
import { dataKey, idOfDataKey, idOfReferenceKey, referenceKey, splitReference } from '../../engine/keys.js';
import { deletePath, getPath, setPath } from '../../engine/util/index.js';

describe('dotted paths', () => {
  it('reads own properties of objects and arrays, never prototypes or Date internals', () => {
    const doc = { a: { b: 1 }, tags: ['x', 'y'], at: new Date(0) };
    expect(getPath(doc, 'a.b')).toBe(1);
    expect(getPath(doc, 'tags.1')).toBe('y');
    expect(getPath(doc, 'tags.length')).toBe(2);
    expect(getPath(doc, 'a.c')).toBeUndefined();
    expect(getPath(doc, 'constructor')).toBeUndefined();
    expect(getPath(doc, 'a.__proto__')).toBeUndefined();
    expect(getPath(doc, 'at.getTime')).toBeUndefined();
    expect(getPath('text', 'length')).toBeUndefined();
  });

  it('writes (replacing what is there) and removes, creating own plain objects on the way', () => {
    const out: Record<string, unknown> = { a: { b: 1 }, s: 'scalar' };
    setPath(out, 'a.c', 2);
    setPath(out, 's.t', 3);
    expect(out).toEqual({ a: { b: 1, c: 2 }, s: { t: 3 } });
    setPath(out, 'a', { z: 0 });
    expect(out.a).toEqual({ z: 0 });
    setPath(out, '__proto__.polluted', true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    deletePath(out, 's.t');
    deletePath(out, 'missing.x');
    expect(out.s).toEqual({});
  });
});

describe('keys read back', () => {
  it('finds the id of data and reference keys, and null for anything else', () => {
    expect(idOfDataKey('users', dataKey('users', 'u/1'))).toBe('u/1');
    expect(idOfDataKey('users', 'resource=users/data/id=')).toBeNull();
    expect(idOfDataKey('users', 'resource=user/data/id=1')).toBeNull();
    const prefix = 'resource=users/partition=byRegion/region=US/';
    expect(idOfReferenceKey(prefix, referenceKey(prefix, 'u1'))).toBe('u1');
    expect(idOfReferenceKey(prefix, `${prefix}stray`)).toBeNull();
    expect(splitReference('byRegion/region=US/id=u1')).toEqual({
      partition: 'byRegion',
      valueSegments: 'region=US/',
      id: 'u1',
    });
    expect(splitReference('byRegion')).toBeNull();
  });
});
