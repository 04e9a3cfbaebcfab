// Counter analytics rows: what one consolidation adds per period, for any batch of transactions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyticsRows } from '../../engine/internal.js';

const AT = '2026-12-01T18:30:00.000Z';

describe('analyticsRows', () => {
  it('sums, counts and bounds the add/sub deltas of any batch, per hour, day and month; sets are not deltas', () => {
    const tx = fc.record({ op: fc.constantFrom('add' as const, 'sub' as const, 'set' as const), value: fc.integer() });
    fc.assert(
      fc.property(fc.array(tx, { maxLength: 50 }), (batch) => {
        const transactions = batch.map((t, i) => ({ id: `d~${String(i).padStart(4, '0')}~${t.op}~${t.value}`, ...t }));
        const deltas = batch.filter((t) => t.op !== 'set').map((t) => (t.op === 'add' ? t.value : -t.value));
        const rows = analyticsRows(transactions, AT);
        if (deltas.length === 0) {
          expect(rows).toEqual([]);
          return;
        }
        expect(rows.map((r) => [r.period, r.bucket])).toEqual([
          ['hour', '2026-12-01T18'],
          ['day', '2026-12-01'],
          ['month', '2026-12'],
        ]);
        for (const row of rows) {
          expect(row.count).toBe(deltas.length);
          expect(row.sum).toBe(deltas.reduce((a, b) => a + b, 0));
          expect(row.min).toBe(deltas.reduce((a, b) => Math.min(a, b)));
          expect(row.max).toBe(deltas.reduce((a, b) => Math.max(a, b)));
        }
      }),
    );
  });

  it('takes a batch larger than a call may take arguments (300,000 transactions)', () => {
    const transactions = Array.from({ length: 300_000 }, (_, i) => ({
      id: `d~${i}`,
      op: i % 2 === 0 ? ('add' as const) : ('sub' as const),
      value: i,
    }));
    const [hour] = analyticsRows(transactions, AT);
    expect(hour).toMatchObject({ count: 300_000, min: -299_999, max: 299_998, sum: -150_000 });
  });
});
