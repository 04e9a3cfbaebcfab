// The metrics plugin: after a known workload the counts and error counts per operation and per resource are exact, percentiles are present and ordered, memory per series is bounded, and the Prometheus text names every series.
import { afterAll, describe, expect, it } from 'vitest';
import { Database, MetricsPlugin, NotFoundError } from '../../engine/index.js';
import { percentile } from '../../engine/internal.js';
import { testStores } from '../support/stores.js';

const stores = testStores().filter((s) => s.name !== 'file');

for (const s of stores) {
  describe.skipIf(s.skipped !== undefined)(`metrics plugin (${s.name})`, () => {
    afterAll(() => s.cleanup?.());

    it('counts a known workload exactly, per operation and per resource, errors included', async () => {
      let clock = 0;
      const metrics = new MetricsPlugin({ now: () => (clock += 5) });
      const db = new Database({ store: await s.create(), plugins: [metrics] });
      await db.connect();
      await db.createResource({ name: 'users', attributes: { name: 'string|required' } });
      await db.createResource({ name: 'notes', attributes: { text: 'string' } });
      const users = db.resource('users');
      await users.insert({ id: 'a', name: 'Ann' });
      await users.insert({ id: 'b', name: 'Bob' });
      await users.update('a', { name: 'Anna' });
      await users.get('a');
      await expect(users.get('zz')).rejects.toBeInstanceOf(NotFoundError); // a null result: not an error
      await expect(users.update('zz', { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(users.insert({ id: 'c' })).rejects.toThrow(); // validation failure
      await db.resource('notes').insert({ id: 'n', text: 'hi' });
      await users.count({});

      const snap = metrics.snapshot();
      const pick = (op: string, r: string) => snap.series.find((x) => x.operation === op && x.resource === r);
      expect(pick('insert', 'users')).toMatchObject({ count: 3, errors: 1 });
      expect(pick('update', 'users')).toMatchObject({ count: 2, errors: 1 });
      expect(pick('get', 'users')).toMatchObject({ count: 2, errors: 0 });
      expect(pick('count', 'users')).toMatchObject({ count: 1, errors: 0 });
      expect(pick('insert', 'notes')).toMatchObject({ count: 1, errors: 0 });
      expect(snap.byOperation.find((x) => x.operation === 'insert')).toMatchObject({
        resource: '*',
        count: 4,
        errors: 1,
      });
      expect(snap.byResource.find((x) => x.resource === 'users')).toMatchObject({
        operation: '*',
        count: 8,
        errors: 2,
      });
      expect(snap.total).toEqual({ count: 9, errors: 2 });
      for (const series of [...snap.series, ...snap.byOperation, ...snap.byResource]) {
        expect(series.p50Ms).toBe(5); // the fake clock advances 5 ms per reading
        expect(series.p50Ms!).toBeLessThanOrEqual(series.p95Ms!);
        expect(series.p95Ms!).toBeLessThanOrEqual(series.p99Ms!);
        expect(series.p99Ms!).toBeLessThanOrEqual(series.maxMs!);
      }
      // Plugin metadata shows in getStats and describeResource.
      expect((await db.getStats()).plugins.map((p) => p.name)).toEqual(['MetricsPlugin']);
      expect(db.describeResource('users').plugins).toEqual(['MetricsPlugin']);

      const text = metrics.prometheus();
      expect(text).toContain('s3db_operations_total{operation="insert",resource="users"} 3');
      expect(text).toContain('s3db_operation_errors_total{operation="update",resource="users"} 1');
      expect(text).toContain('s3db_operation_duration_seconds{operation="get",resource="users",quantile="0.99"} 0.005');
      await db.close();
    });
  });
}

describe('metrics plugin (bounded reservoir)', () => {
  it('keeps only the latest reservoirSize latencies for percentiles, with exact totals', () => {
    const metrics = new MetricsPlugin({ reservoirSize: 100 });
    for (let i = 1; i <= 1000; i++) metrics.record('get', 'users', i, i % 10 === 0);
    const [series] = metrics.snapshot().series;
    expect(series).toMatchObject({ count: 1000, errors: 100, totalMs: 500500 });
    // Window = the last 100 calls (901..1000).
    expect(series).toMatchObject({ p50Ms: 950, p95Ms: 995, p99Ms: 999, maxMs: 1000 });
  });

  it('computes nearest-rank percentiles', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(percentile([], 0.5)).toBe(0);
  });
});
