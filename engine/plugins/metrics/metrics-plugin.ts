// The metrics plugin: calls, errors and latency percentiles per operation and per resource, measured by a
// middleware around every operation. Memory stays bounded: per series a fixed-size ring of the latest
// latencies (percentiles are over that window) plus running totals. Exposed as a JSON snapshot (getStats) and
// as Prometheus text exposition (the server's GET /metrics).
import { ValidationError } from '../../errors.js';
import type { Middleware, Operation, Plugin, PluginHost, PluginResourceInfo } from '../../pipeline/index.js';
import { renderPrometheus, type PrometheusFamily } from '../../observe/index.js';

export interface MetricsPluginOptions {
  /** Latest latencies kept per (operation, resource) series for percentiles (default 1024). */
  reservoirSize?: number;
  /** Measure plugin-created resources too (default false: user resources only). */
  includePluginResources?: boolean;
  /** The clock in milliseconds, for tests (default performance.now). */
  now?: () => number;
}

/** One (operation, resource) series, or a total over resources / operations. */
export interface MetricSeries {
  operation: string;
  resource: string;
  count: number;
  errors: number;
  /** Sum of all latencies, ms. */
  totalMs: number;
  /** Over the latest `reservoirSize` calls, ms; absent before the first call. */
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  maxMs?: number;
}

export interface MetricsSnapshot {
  since: string;
  reservoirSize: number;
  /** Per (operation, resource), sorted by resource then operation. */
  series: MetricSeries[];
  /** Per operation over every resource (resource '*'). */
  byOperation: MetricSeries[];
  /** Per resource over every operation (operation '*'). */
  byResource: MetricSeries[];
  total: { count: number; errors: number };
}

class Series {
  count = 0;
  errors = 0;
  totalMs = 0;
  private readonly ring: Float64Array;
  private filled = 0;
  private next = 0;

  constructor(size: number) {
    this.ring = new Float64Array(size);
  }

  record(ms: number, failed: boolean): void {
    this.count++;
    if (failed) this.errors++;
    this.totalMs += ms;
    this.ring[this.next] = ms;
    this.next = (this.next + 1) % this.ring.length;
    if (this.filled < this.ring.length) this.filled++;
  }

  samples(): number[] {
    return Array.from(this.ring.subarray(0, this.filled));
  }
}

/** Nearest-rank percentile of sorted values (q in 0..1). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

function summarise(operation: string, resource: string, parts: Series[]): MetricSeries {
  const out: MetricSeries = { operation, resource, count: 0, errors: 0, totalMs: 0 };
  const samples: number[] = [];
  for (const s of parts) {
    out.count += s.count;
    out.errors += s.errors;
    out.totalMs += s.totalMs;
    samples.push(...s.samples());
  }
  out.totalMs = Math.round(out.totalMs * 1000) / 1000;
  if (samples.length > 0) {
    samples.sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 1000) / 1000;
    out.p50Ms = round(percentile(samples, 0.5));
    out.p95Ms = round(percentile(samples, 0.95));
    out.p99Ms = round(percentile(samples, 0.99));
    out.maxMs = round(samples[samples.length - 1] as number);
  }
  return out;
}

export class MetricsPlugin implements Plugin {
  readonly name = 'MetricsPlugin';
  readonly middleware: Middleware<Operation>;
  private readonly reservoirSize: number;
  private readonly now: () => number;
  private readonly options: MetricsPluginOptions;
  private series = new Map<string, { operation: string; resource: string; s: Series }>();
  private since = new Date();

  constructor(options: MetricsPluginOptions = {}) {
    this.options = options;
    this.reservoirSize = options.reservoirSize ?? 1024;
    if (!Number.isInteger(this.reservoirSize) || this.reservoirSize < 1 || this.reservoirSize > 1_000_000) {
      throw new ValidationError('Metrics reservoirSize must be an integer from 1 to 1000000', {
        hint: 'Use e.g. 1024 (latencies kept per operation and resource).',
      });
    }
    this.now = options.now ?? (() => performance.now());
    this.middleware = async (ctx, next) => {
      const started = this.now();
      try {
        const result = await next();
        this.record(ctx.operation, ctx.resourceName, this.now() - started, false);
        return result;
      } catch (e) {
        this.record(ctx.operation, ctx.resourceName, this.now() - started, true);
        throw e;
      }
    };
  }

  setup(_db: PluginHost): void {
    // Nothing to create: metrics live in memory, per process.
  }

  appliesTo(resource: PluginResourceInfo): boolean {
    return this.options.includePluginResources === true || resource.createdBy === 'user';
  }

  /** Records one call (the middleware does this; exposed for other measured paths). */
  record(operation: string, resource: string, ms: number, failed: boolean): void {
    const key = `${resource}\u0000${operation}`;
    let entry = this.series.get(key);
    if (!entry) {
      entry = { operation, resource, s: new Series(this.reservoirSize) };
      this.series.set(key, entry);
    }
    entry.s.record(Math.max(0, ms), failed);
  }

  reset(): void {
    this.series.clear();
    this.since = new Date();
  }

  snapshot(): MetricsSnapshot {
    const entries = [...this.series.values()].sort(
      (a, b) => a.resource.localeCompare(b.resource) || a.operation.localeCompare(b.operation),
    );
    const group = (keyOf: (e: (typeof entries)[number]) => string) => {
      const groups = new Map<string, Series[]>();
      for (const e of entries) groups.set(keyOf(e), [...(groups.get(keyOf(e)) ?? []), e.s]);
      return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
    };
    const series = entries.map((e) => summarise(e.operation, e.resource, [e.s]));
    return {
      since: this.since.toISOString(),
      reservoirSize: this.reservoirSize,
      series,
      byOperation: group((e) => e.operation).map(([op, parts]) => summarise(op, '*', parts)),
      byResource: group((e) => e.resource).map(([r, parts]) => summarise('*', r, parts)),
      total: {
        count: series.reduce((n, s) => n + s.count, 0),
        errors: series.reduce((n, s) => n + s.errors, 0),
      },
    };
  }

  /** The per-series counters and latency summaries as Prometheus metric families. */
  prometheusFamilies(prefix = 's3db'): PrometheusFamily[] {
    const snap = this.snapshot();
    const labels = (s: MetricSeries) => ({ operation: s.operation, resource: s.resource });
    return [
      {
        name: `${prefix}_operations_total`,
        help: 'Operations run, by operation and resource.',
        type: 'counter',
        samples: snap.series.map((s) => ({ labels: labels(s), value: s.count })),
      },
      {
        name: `${prefix}_operation_errors_total`,
        help: 'Operations that failed, by operation and resource.',
        type: 'counter',
        samples: snap.series.map((s) => ({ labels: labels(s), value: s.errors })),
      },
      {
        name: `${prefix}_operation_duration_seconds`,
        help: `Operation latency (quantiles over the latest ${snap.reservoirSize} calls).`,
        type: 'summary',
        samples: snap.series.flatMap((s) => [
          ...(
            [
              ['0.5', s.p50Ms],
              ['0.95', s.p95Ms],
              ['0.99', s.p99Ms],
            ] as const
          ).map(([quantile, ms]) => ({ labels: { ...labels(s), quantile }, value: (ms ?? 0) / 1000 })),
          { suffix: '_sum', labels: labels(s), value: s.totalMs / 1000 },
          { suffix: '_count', labels: labels(s), value: s.count },
        ]),
      },
    ];
  }

  /** Prometheus text exposition (version 0.0.4) of `prometheusFamilies`. */
  prometheus(prefix = 's3db'): string {
    return renderPrometheus(this.prometheusFamilies(prefix));
  }

  describe(): Record<string, unknown> {
    const snap = this.snapshot();
    return { reservoirSize: this.reservoirSize, since: snap.since, total: snap.total };
  }
}
