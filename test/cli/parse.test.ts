// The CLI's pure parts: table widths always fit the terminal, and command-line text becomes the right engine
// arguments or a usage error (exit 2), never a crash.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/errors.js';
import {
  parseAttributes,
  parseDocuments,
  parseJsonObject,
  parseKeyValues,
  parsePartitions,
  parseSort,
} from '../../cli/parse.js';
import { formatDuration } from '../../cli/progress.js';
import { MIN_COLUMN, cellText, fitColumns, renderTable } from '../../cli/table.js';

describe('fitColumns', () => {
  it('fits any columns in any terminal ≥ 20 wide, keeping leading columns and never narrower than needed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 200 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 20, max: 300 }),
        (natural, total) => {
          const widths = fitColumns(natural, total);
          expect(widths.length).toBeGreaterThanOrEqual(1);
          expect(widths.length).toBeLessThanOrEqual(natural.length);
          const used = widths.reduce((a, b) => a + b, 0) + widths.length + 1;
          widths.forEach((w, i) => {
            const want = Math.max(1, natural[i] as number) + 2;
            expect(w).toBeLessThanOrEqual(want);
            expect(w).toBeGreaterThanOrEqual(Math.min(want, MIN_COLUMN));
          });
          // Fits, unless a single column alone is wider than the terminal allows at its minimum.
          if (widths.length > 1 || Math.min(Math.max(1, natural[0] as number) + 2, MIN_COLUMN) + 2 <= total) {
            expect(used).toBeLessThanOrEqual(total);
          }
          // Columns are only dropped when the kept ones are already at their minimum or the next would not fit.
          if (widths.length === natural.length) return;
          const floors = natural.slice(0, widths.length + 1).map((n) => Math.min(Math.max(1, n) + 2, MIN_COLUMN));
          expect(floors.reduce((a, b) => a + b, 0) + widths.length + 2).toBeGreaterThan(total);
        },
      ),
    );
  });

  it('renders lines no wider than the terminal, with one line per row whatever the cell holds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string(), { minLength: 3, maxLength: 3 }), { maxLength: 5 }),
        fc.integer({ min: 30, max: 120 }),
        (rows, width) => {
          const { text } = renderTable(
            ['a', 'b', 'c'],
            rows.map((r) => r.map(cellText)),
            width,
          );
          const lines = text.split('\n');
          expect(lines).toHaveLength(rows.length + 3);
          for (const line of lines) expect([...line].length).toBeLessThanOrEqual(width);
        },
      ),
    );
  });
});

describe('parsing', () => {
  it('reads the short attribute form, nested names and rules with colons and commas', () => {
    expect(
      parseAttributes('name:string|required,age:number|min:0,address.city:string,tags:array|items:string'),
    ).toEqual({
      name: 'string|required',
      age: 'number|min:0',
      address: { city: 'string' },
      tags: 'array|items:string',
    });
    expect(parseAttributes('{"a":"string"}')).toEqual({ a: 'string' });
    expect(() => parseAttributes('no rule')).toThrow(UsageError);
    expect(() => parseAttributes('a:string,a.b:string')).toThrow(/both a field and an object/);
  });

  it('reads partitions, key=values, sort specs and documents', () => {
    expect(parsePartitions(['byTeam=team', 'byPlace=country:string|maxlength:2,city'])).toEqual({
      byTeam: { fields: { team: 'string' } },
      byPlace: { fields: { country: 'string|maxlength:2', city: 'string' } },
    });
    expect(parseKeyValues(['team=red', 'k=a=b'])).toEqual({ team: 'red', k: 'a=b' });
    expect(parseSort(['age:desc', '-score,name'])).toEqual({ age: -1, score: -1, name: 1 });
    expect(parseDocuments('[{"a":1},{"b":2}]')).toEqual([{ a: 1 }, { b: 2 }]);
    for (const bad of [
      () => parseKeyValues(['team']),
      () => parseSort(['a:up']),
      () => parseDocuments('[1]'),
      () => parseJsonObject('[]', '-d'),
      () => parsePartitions(['x']),
    ]) {
      expect(bad).toThrow(UsageError);
    }
  });

  it('never crashes on arbitrary text: a value or a UsageError', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        for (const f of [
          () => parseAttributes(text),
          () => parseDocuments(text),
          () => parseSort([text]),
          () => parsePartitions([text]),
        ]) {
          try {
            f();
          } catch (error) {
            expect(error).toBeInstanceOf(UsageError);
          }
        }
      }),
    );
  });

  it('formats durations for an ETA', () => {
    expect([0, 12_400, 185_000, 3_720_000].map(formatDuration)).toEqual(['0s', '12s', '3m05s', '1h02m']);
  });
});
