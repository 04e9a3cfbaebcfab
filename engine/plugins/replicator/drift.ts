// The drift check and the resync walk: the bucket's data keys (LIST, with ETags) and a target's entries, both in
// UTF-8 byte order of the id, merged like two sorted files — nothing is collected, so memory stays bounded by a
// page whatever the resource's size.
import { listsAsTombstone } from '../../behaviors/index.js';
import { dataPrefix, idOfDataKey } from '../../keys.js';
import { listAll, type ObjectStore } from '../../storage/index.js';
import type { TargetEntry } from './types.js';

export interface MergedEntry {
  id: string;
  /** The bucket object's ETag; undefined when the bucket has no such document. */
  bucket?: string;
  /** What the target holds; undefined when it has no such document. */
  target?: TargetEntry;
}

async function* bucketIds(store: ObjectStore, resource: string): AsyncGenerator<{ id: string; etag: string }> {
  for await (const obj of listAll(store, dataPrefix(resource))) {
    const id = idOfDataKey(resource, obj.key);
    if (id !== null && !listsAsTombstone(obj)) yield { id, etag: obj.etag };
  }
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Every id in the bucket or the target (or only the bucket when `target` is undefined), in byte order. */
export async function* mergeWithTarget(
  store: ObjectStore,
  resource: string,
  target: AsyncIterable<TargetEntry> | undefined,
): AsyncGenerator<MergedEntry> {
  const a = bucketIds(store, resource);
  const b = target?.[Symbol.asyncIterator]();
  let x = await a.next();
  let y = b ? await b.next() : ({ done: true, value: undefined } as IteratorReturnResult<undefined>);
  while (!x.done || !y.done) {
    const c = x.done ? 1 : y.done ? -1 : compareBytes(x.value.id, y.value.id);
    if (c < 0 && !x.done) {
      yield { id: x.value.id, bucket: x.value.etag };
      x = await a.next();
    } else if (c > 0 && !y.done) {
      yield { id: y.value.id, target: y.value };
      y = await (b as AsyncIterator<TargetEntry>).next();
    } else if (!x.done && !y.done) {
      yield { id: x.value.id, bucket: x.value.etag, target: y.value };
      x = await a.next();
      y = await (b as AsyncIterator<TargetEntry>).next();
    }
  }
}

export interface DriftReport {
  resource: string;
  target: string;
  /** False when the target cannot list what it holds (a queue): nothing was compared. */
  checked: boolean;
  bucket: number;
  atTarget: number;
  /** In the bucket, not at the target. */
  missing: number;
  /** At the target, not in the bucket. */
  extra: number;
  /** At both, but the target applied another state than the bucket's current one (compared by ETag). */
  stale: number;
  /** Up to 20 ids of each kind, to look at. */
  examples: { missing: string[]; extra: string[]; stale: string[] };
  inSync: boolean;
}

export function emptyDrift(resource: string, target: string, checked: boolean): DriftReport {
  return {
    resource,
    target,
    checked,
    bucket: 0,
    atTarget: 0,
    missing: 0,
    extra: 0,
    stale: 0,
    examples: { missing: [], extra: [], stale: [] },
    inSync: checked,
  };
}

/** Adds one merged entry to a report. */
export function countDrift(report: DriftReport, e: MergedEntry): void {
  const note = (kind: 'missing' | 'extra' | 'stale') => {
    report[kind]++;
    if (report.examples[kind].length < 20) report.examples[kind].push(e.id);
  };
  if (e.bucket !== undefined) report.bucket++;
  if (e.target !== undefined) report.atTarget++;
  if (e.bucket !== undefined && e.target === undefined) note('missing');
  else if (e.bucket === undefined && e.target !== undefined) note('extra');
  else if (e.target?.etag !== undefined && e.target.etag !== e.bucket) note('stale');
  report.inSync = report.missing + report.extra + report.stale === 0;
}
