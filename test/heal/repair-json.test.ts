// The s3db.json recovery layers: each repairs only what is unambiguous; anything else is left for a rebuild.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCatalog, repairJson } from '../../engine/internal.js';

const parse = (text: string) => JSON.parse(repairJson(text)) as unknown;

describe('repairJson', () => {
  it('repairs each layer', () => {
    expect(parse('\uFEFF{"a":1}')).toEqual({ a: 1 });
    expect(parse('{"a":[1,2,],"b":{"c":3,},}')).toEqual({ a: [1, 2], b: { c: 3 } });
    expect(parse('{a: 1, $b_-c: {d: true}}')).toEqual({ a: 1, '$b_-c': { d: true } });
    expect(parse("{'a': 'it says \"hi\"', 'b': ['x']}")).toEqual({ a: 'it says "hi"', b: ['x'] });
    expect(parse('{"a": {"b": [1, {"c": "d"}')).toEqual({ a: { b: [1, { c: 'd' }] } });
  });

  it('leaves the contents of strings alone', () => {
    const text = '{"note": "a, b: c, }", "q": "it\'s", "x": 1,}';
    expect(parse(text)).toEqual({ note: 'a, b: c, }', q: "it's", x: 1 });
  });

  it('cuts a truncated file back to its last complete member instead of guessing the rest', () => {
    expect(parse('{"a": 1, "b": "hal')).toEqual({ a: 1 });
    expect(parse('{"a": 1, "n": 12')).toEqual({ a: 1 }); // 12 may have been 123
    expect(parse('{"a": {"x": true}, "b": {"y": fal')).toEqual({ a: { x: true }, b: {} });
    expect(parse('{"a": 1, "b":')).toEqual({ a: 1 });
    expect(parse('{"a": 1, "b"')).toEqual({ a: 1 });
  });

  it('leaves valid JSON exactly as it is', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value, null, 2);
        expect(repairJson(text)).toBe(text);
      }),
    );
  });

  it('turns every truncation of a catalog into a catalog, never an exception', () => {
    const text = JSON.stringify(
      {
        version: '1',
        s3dbVersion: '0.1.0',
        lastUpdated: '2026-01-01T00:00:00.000Z',
        resources: {
          u: {
            currentVersion: 'v0',
            createdBy: 'user',
            keyMap: { name: '0', n: '1' },
            versions: { v0: { hash: 'h', createdAt: 'c', attributes: { name: 'string', n: 'number' } } },
          },
        },
      },
      null,
      2,
    );
    let withResource = 0;
    for (let end = 0; end <= text.length; end++) {
      const { catalog, problems } = parseCatalog(text.slice(0, end));
      expect(catalog.version).toBe('1');
      if (end < text.length && end > 0) expect(problems.length).toBeGreaterThan(0);
      const u = catalog.resources.u;
      if (u) {
        expect(Object.keys(u.versions.v0!.attributes).every((a) => ['name', 'n'].includes(a))).toBe(true);
        withResource++;
      }
    }
    // Many cuts keep the resource (at least the whole text does), so the check above ran.
    expect(withResource).toBeGreaterThan(1);
  });

  it('does not pretend to repair what is ambiguous', () => {
    expect(() => parse('{"a": 1 "b": 2}')).toThrow();
    expect(() => parse("{'a': 'it's'}")).toThrow();
    expect(() => parse('garbage')).toThrow();
  });
});

describe('parseCatalog', () => {
  it('marks an unreadable file for a rebuild and keeps what it can of a readable one', () => {
    expect(parseCatalog('{{{').unreadable).toBe(true);
    expect(parseCatalog('[]').unreadable).toBe(true);
    const partial = parseCatalog('{"version":"1","resources":{"u":{"keyMap":{"name":"0"},"versions":{"v0":{"attr');
    expect(partial.unreadable).toBe(false);
    expect(partial.catalog.resources).toEqual({});
    expect(partial.salvage).toMatchObject({ u: { keyMap: { name: '0' } } });
    expect(partial.problems.map((p) => p.kind)).toContain('resource-unreadable');
  });

  it('lists structural fixes and keeps valid definitions as they were', () => {
    const { catalog, problems } = parseCatalog(
      JSON.stringify({
        version: '1',
        s3dbVersion: '0.1.0',
        lastUpdated: '2026-01-01T00:00:00.000Z',
        resources: {
          u: {
            currentVersion: 'v3',
            createdBy: 'user',
            keyMap: { a: '0', bad: 7 },
            versions: {
              v0: {
                hash: 'h',
                createdAt: '2026-01-01T00:00:00.000Z',
                attributes: { a: 'string', b: 'nonsense' },
                behavior: 'body-overflow',
                timestamps: false,
                paranoid: false,
                partitions: { byA: { fields: { a: 'string' } }, byZ: { fields: { z: 'string' } } },
                hooks: { beforeInsert: ['ok', 3], nope: ['x'] },
              },
            },
          },
        },
      }),
    );
    const u = catalog.resources.u!;
    expect(u.currentVersion).toBe('v0');
    expect(u.versions.v0!.attributes).toEqual({ a: 'string', b: 'any' });
    expect(Object.keys(u.versions.v0!.partitions)).toEqual(['byA']);
    expect(u.versions.v0!.hooks).toEqual({ beforeInsert: ['ok'] });
    expect(u.versions.v0!.hash).toMatch(/^sha256:/); // changed definition, new hash
    expect(u.keyMap).toEqual({ a: '0', b: '1' });
    expect(problems.map((p) => p.kind).sort()).toEqual([
      'attribute-invalid',
      'current-version-missing',
      'hook-invalid',
      'hook-invalid',
      'keymap-incomplete',
      'keymap-invalid',
      'partition-invalid',
    ]);
  });
});
