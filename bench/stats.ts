// Small helpers the benchmarks share: timing, percentiles and table printing.
export interface Timing {
  ops: number;
  seconds: number;
  latenciesMs: number[];
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Runs `op(i)` for i in [0, n) with `concurrency` workers and records every latency. */
export async function timeOps(n: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<Timing> {
  const latenciesMs: number[] = [];
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const t0 = performance.now();
      await op(i);
      latenciesMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return { ops: n, seconds: (performance.now() - start) / 1000, latenciesMs };
}

export interface Row {
  [column: string]: string | number;
}

export function summarize(t: Timing): { 'ops/s': number; 'p50 ms': number; 'p95 ms': number; 'p99 ms': number } {
  const sorted = [...t.latenciesMs].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    'ops/s': Math.round(t.ops / t.seconds),
    'p50 ms': round(percentile(sorted, 50)),
    'p95 ms': round(percentile(sorted, 95)),
    'p99 ms': round(percentile(sorted, 99)),
  };
}

export function printTable(title: string, rows: Row[]): void {
  process.stdout.write(`\n## ${title}\n`);
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |\n';
  process.stdout.write(line(cols));
  process.stdout.write(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) process.stdout.write(line(cols.map((c) => String(r[c] ?? ''))));
}
