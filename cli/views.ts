// Human views shared by several commands: documents as a table, a query plan as one dim line.
import type { Document, QueryPlan } from '../engine/index.js';
import type { Output } from './output.js';

/** Documents as rows: id first, then every field in the order first seen. */
export function printDocuments(out: Output, docs: readonly Document[]): void {
  if (docs.length === 0) {
    out.line(out.c.dim('(no documents)'));
    return;
  }
  const head = ['id'];
  const seen = new Set(head);
  for (const doc of docs) {
    for (const key of Object.keys(doc)) {
      if (!seen.has(key)) {
        seen.add(key);
        head.push(key);
      }
    }
  }
  out.table(
    head,
    docs.map((d) => head.map((k) => (Object.hasOwn(d, k) ? d[k] : undefined))),
  );
}

export function planLine(out: Output, plan: QueryPlan): string {
  const parts = [`plan ${plan.strategy}`, `${plan.requests} request(s)`];
  if (plan.scanned !== undefined) parts.push(`${plan.scanned} scanned`);
  return out.c.dim(parts.join(' · '));
}

/** Bytes for people: 1.2 MB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
