// Where a scan takes its documents from when the resource has a snapshot: a LIST entry whose ETag and size are
// the packed ones is decoded from its segment (no request once the segment is in memory); any other entry —
// changed or new since the build, or in a segment removed meanwhile — is read directly by the executor. Keys
// absent from the LIST are never looked up, so deleted documents never come back: the result is what a full scan
// returns at the time of the LIST.
import type { SegmentEntry, SnapshotMeter, Snapshots, SnapshotView } from '../snapshot/index.js';
import { compareKeys } from '../storage/index.js';
import type { QuerySnapshotUse, RecordRead, ResourceAccess } from '../types.js';

/**
 * Packed objects decoded once per cached segment: a warm scan of 100,000 documents otherwise spends nearly all of
 * its time decoding them again. Keyed by the segment's entry object, so a decoded record lives exactly as long as
 * its segment stays in the cache (Snapshots counts room for it) and is never shared between databases. Frozen:
 * queries share it, and runQuery hands the caller a copy (`ownCopy`).
 */
const decodedEntries = new WeakMap<SegmentEntry, RecordRead>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** A document the caller may change: a copy when it is a shared decoded record (see decodedEntries). */
export function ownCopy<T>(source: object, doc: T): T {
  return Object.isFrozen(source) ? structuredClone(doc) : doc;
}

export interface ListedCandidate {
  id: string | null;
  etag?: string;
  size?: number;
}

export class SnapshotSource {
  fromSnapshot = 0;
  changed = 0;

  private constructor(
    private readonly access: ResourceAccess & Required<Pick<ResourceAccess, 'decodeRecord'>>,
    readonly view: SnapshotView,
    private readonly snapshots: Snapshots,
  ) {}

  /** The resource's snapshot for this query, or undefined when there is none (or the access cannot decode). */
  static async open(
    access: ResourceAccess,
    snapshots: Snapshots | undefined,
    meter: SnapshotMeter,
  ): Promise<SnapshotSource | undefined> {
    if (!snapshots || !access.decodeRecord) return undefined;
    const view = await snapshots.open(access.name, meter);
    return view
      ? new SnapshotSource(access as ResourceAccess & Required<Pick<ResourceAccess, 'decodeRecord'>>, view, snapshots)
      : undefined;
  }

  /**
   * Without waiting: the packed record when the candidate is unchanged since the build and a query already decoded
   * it from a segment in memory; undefined otherwise (then `read` decides). A warm scan takes most documents here,
   * without scheduling a read for each.
   */
  ready(candidate: ListedCandidate): RecordRead | undefined {
    const { id, etag, size } = candidate;
    if (id === null || etag === undefined || size === undefined) return undefined;
    const segment = this.view.lookup(id, etag, size);
    const entry = segment === undefined ? undefined : this.view.loadedEntry(segment, id);
    const record = entry && decodedEntries.get(entry);
    if (record) this.fromSnapshot++;
    return record;
  }

  /** The packed record when the candidate is unchanged since the build; undefined when it must be read directly. */
  async read(candidate: ListedCandidate): Promise<RecordRead | undefined> {
    const { id, etag, size } = candidate;
    if (id === null || etag === undefined || size === undefined) return undefined;
    const segment = this.view.lookup(id, etag, size);
    const entry = segment === undefined ? null : await this.view.entry(segment, id);
    if (!entry) {
      this.changed++;
      return undefined;
    }
    this.fromSnapshot++;
    const known = decodedEntries.get(entry);
    if (known) return known;
    const record = deepFreeze(await this.access.decodeRecord(id, entry.metadata, entry.body, entry.etag));
    decodedEntries.set(entry, record);
    return record;
  }

  /**
   * Data keys of every `stride`-th packed document after `after`: where a scan may start LISTs in parallel, each
   * covering about `stride` keys (exact whatever changed since: a range is listed until it passes its end). Empty
   * when the manifest's order is not the key order (it always is, unless written by something else).
   */
  boundariesAfter(after: string, stride: number): string[] {
    const ids = this.view.ids;
    const keyAt = (i: number) => this.access.dataKey(ids[i]!);
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(keyAt(mid), after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    let previous = after;
    // Never at the last packed key: the range after it would be one more LIST, empty unless keys were added.
    for (let i = lo + stride - 1; i < ids.length - 1; i += stride) {
      const key = keyAt(i);
      if (compareKeys(key, previous) <= 0) return [];
      out.push(key);
      previous = key;
    }
    return out;
  }

  /** Segment GETs a run over these LIST entries would make, and how many entries it would read directly. */
  estimate(listed: ListedCandidate[]): { segments: number; changed: number } {
    const needed = new Set<number>();
    let changed = 0;
    for (const c of listed) {
      const segment =
        c.id === null || c.etag === undefined || c.size === undefined
          ? undefined
          : this.view.lookup(c.id, c.etag, c.size);
      if (segment === undefined) changed++;
      else if (!this.view.cached(segment)) needed.add(segment);
    }
    return { segments: needed.size, changed };
  }

  /** What this query took from the snapshot; tells the snapshots how stale it has become. */
  use(): QuerySnapshotUse {
    const m = this.view.manifest;
    this.snapshots.noteChanged(this.access.name, this.changed, m.documents);
    return {
      builtAt: m.builtAt,
      documents: m.documents,
      segments: m.segments.length,
      fromSnapshot: this.fromSnapshot,
      changed: this.changed,
      segmentsRead: this.view.segmentsRead,
    };
  }
}
