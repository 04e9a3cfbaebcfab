// The read side of snapshots, one per Database: finds a resource's current manifest (a GET the first time, then
// a HEAD to check it is still current), indexes it by id, and serves packed objects from segments it fetches on
// first use and keeps in a byte-bounded LRU (segment keys are never rewritten, so a cached segment never goes
// stale; whether a packed object is still the live one is decided by the caller against a fresh LIST).
import type { ObjectStore } from '../storage/index.js';
import { snapshotManifestKey } from '../keys.js';
import { buildSnapshot, dropSnapshot, type BuildSnapshotOptions, type SnapshotBuildReport } from './builder.js';
import { decodeSegment, type Manifest, type SegmentEntry } from './format.js';
import { readManifest } from './manifest.js';

export interface SnapshotsOptions {
  /** Bytes of segments (and their decoded documents) kept in memory across queries (default 64 MiB). */
  cacheBytes?: number;
  /** After a resource was found without a snapshot, do not look again for this long (default 30 s). */
  absentTtlMs?: number;
  /** Scans that see fewer documents than this in their first LIST page do not look for a snapshot (default 100). */
  minDocuments?: number;
  /**
   * Rebuild a snapshot in the background when a query finds at least this many documents changed since its build
   * (and at least 10% of them): each changed document costs a read again. `false` turns it off. Default 100.
   */
  rebuildAfterChanged?: number | false;
  /** Told when a background rebuild fails (the engine's logger). */
  onBackgroundError?: (resource: string, error: unknown) => void;
  /** Options of builds started through `build`. */
  build?: BuildSnapshotOptions;
}

/** Counts the requests a snapshot read makes, on the caller's meter. */
export interface SnapshotMeter {
  requests: number;
}

interface IndexedManifest {
  etag: string;
  manifest: Manifest;
  /** id → [segment index, ETag, size] when packed. */
  index: Map<string, { segment: number; etag: string; size: number }>;
  /** The packed ids in the order they were listed (data-key order). */
  order: string[];
}

/** One resource's snapshot as of one manifest, for the duration of one query. */
export class SnapshotView {
  segmentsRead = 0;
  constructor(
    private readonly owner: Snapshots,
    readonly indexed: IndexedManifest,
    private readonly meter: SnapshotMeter,
  ) {}

  get manifest(): Manifest {
    return this.indexed.manifest;
  }

  /** The packed ids in data-key order (where a scan may split its LISTs). */
  get ids(): readonly string[] {
    return this.indexed.order;
  }

  /** The segment holding `id` exactly as LIST shows it now (same ETag and size), or undefined. */
  lookup(id: string, etag: string, size: number): number | undefined {
    const hit = this.indexed.index.get(id);
    return hit && hit.etag === etag && hit.size === size ? hit.segment : undefined;
  }

  /** The packed object, or null when its segment is gone (removed by a later build: read the object directly). */
  async entry(segment: number, id: string): Promise<SegmentEntry | null> {
    const entries = await this.owner.segment(this.manifest.segments[segment]!.key, () => {
      this.meter.requests++;
      this.segmentsRead++;
    });
    return entries?.get(id) ?? null;
  }

  /** The packed object when its segment is already in memory; undefined when that needs a fetch (or is gone). */
  loadedEntry(segment: number, id: string): SegmentEntry | undefined {
    return this.owner.loadedSegment(this.manifest.segments[segment]!.key)?.get(id);
  }

  /** Whether the segment is already in memory (for estimates). */
  cached(segment: number): boolean {
    return this.owner.hasSegment(this.manifest.segments[segment]!.key);
  }
}

export class Snapshots {
  private readonly manifests = new Map<string, IndexedManifest>();
  private readonly absent = new Map<string, number>();
  private readonly segments = new Map<string, Promise<Map<string, SegmentEntry> | null>>();
  /** The segments of `segments` whose fetch has completed (for synchronous lookups), with the bytes counted. */
  private readonly loaded = new Map<string, { entries: Map<string, SegmentEntry>; bytes: number }>();
  private cachedBytes = 0;
  private readonly rebuilding = new Map<string, Promise<unknown>>();
  private readonly cacheBytes: number;
  private readonly absentTtlMs: number;
  readonly minDocuments: number;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: SnapshotsOptions = {},
  ) {
    this.cacheBytes = options.cacheBytes ?? 64 * 1024 * 1024;
    this.absentTtlMs = options.absentTtlMs ?? 30_000;
    this.minDocuments = options.minDocuments ?? 100;
  }

  /** The resource's current snapshot, or null (no snapshot, or one looked for less than `absentTtlMs` ago). */
  async open(resource: string, meter: SnapshotMeter): Promise<SnapshotView | null> {
    const absentSince = this.absent.get(resource);
    if (absentSince !== undefined && Date.now() - absentSince < this.absentTtlMs) return null;
    const known = this.manifests.get(resource);
    if (known) {
      meter.requests++;
      const head = await this.store.head(snapshotManifestKey(resource));
      if (head?.etag === known.etag) return new SnapshotView(this, known, meter);
      if (!head) return this.markAbsent(resource);
    }
    const read = await readManifest(this.store, resource);
    meter.requests += read.requests;
    if (!read.manifest || read.etag === undefined) return this.markAbsent(resource);
    const index: IndexedManifest['index'] = new Map();
    const order: string[] = [];
    read.manifest.segments.forEach((s, segment) =>
      s.ids.forEach((id, i) => {
        index.set(id, { segment, etag: s.etags[i]!, size: s.sizes[i]! });
        order.push(id);
      }),
    );
    const indexed = { etag: read.etag, manifest: read.manifest, index, order };
    this.manifests.set(resource, indexed);
    this.absent.delete(resource);
    return new SnapshotView(this, indexed, meter);
  }

  private markAbsent(resource: string): null {
    this.manifests.delete(resource);
    this.absent.set(resource, Date.now());
    return null;
  }

  hasSegment(key: string): boolean {
    return this.segments.has(key);
  }

  /** A segment already in memory (no request, no await), or undefined. */
  loadedSegment(key: string): ReadonlyMap<string, SegmentEntry> | undefined {
    return this.loaded.get(key)?.entries;
  }

  /** A segment's objects by id, fetched once (`onFetch` counts the GET) and kept while the cache has room. */
  segment(key: string, onFetch: () => void): Promise<Map<string, SegmentEntry> | null> {
    const cached = this.segments.get(key);
    if (cached) {
      // LRU: re-insert so the most recently used segment is evicted last.
      this.segments.delete(key);
      this.segments.set(key, cached);
      return cached;
    }
    onFetch();
    const loading = this.store.get(key).then((obj) => {
      if (!obj) {
        this.segments.delete(key);
        return null;
      }
      const entries = new Map(decodeSegment(obj.body).map((e) => [e.id, e]));
      let bytes = 0;
      // ×3: room for each object's decoded document too, kept beside it once a query decoded it.
      for (const e of entries.values()) bytes += e.body.length * 3 + 200;
      this.cachedBytes += bytes;
      this.loaded.set(key, { entries, bytes });
      this.evict(key);
      return entries;
    });
    loading.catch(() => this.segments.delete(key));
    this.segments.set(key, loading);
    return loading;
  }

  private evict(keep: string): void {
    for (const key of this.segments.keys()) {
      if (this.cachedBytes <= this.cacheBytes) return;
      const loaded = this.loaded.get(key);
      if (key === keep || loaded === undefined) continue;
      this.cachedBytes -= loaded.bytes;
      this.segments.delete(key);
      this.loaded.delete(key);
    }
  }

  /** Builds and commits a new snapshot of `resource` (see builder.ts); readers pick it up on their next query. */
  async build(resource: string, options: BuildSnapshotOptions = {}): Promise<SnapshotBuildReport> {
    const report = await buildSnapshot(this.store, resource, { ...this.options.build, ...options });
    this.absent.delete(resource);
    return report;
  }

  /**
   * After a query: starts a background rebuild of `resource` when `changed` documents were read around a
   * snapshot of `documents` past the threshold. One build at a time per process (a build reads every document):
   * while one runs, other resources wait for a later query to notice them again.
   */
  noteChanged(resource: string, changed: number, documents: number): void {
    const threshold = this.options.rebuildAfterChanged ?? 100;
    if (threshold === false || changed < threshold || changed < documents / 10 || this.rebuilding.size > 0) return;
    const run = this.build(resource)
      .catch((e: unknown) => this.options.onBackgroundError?.(resource, e))
      .finally(() => this.rebuilding.delete(resource));
    this.rebuilding.set(resource, run);
  }

  /** Waits for background rebuilds (Database.close). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.rebuilding.values()]);
  }

  /** Removes a resource's snapshot; queries go back to reading every document. */
  async drop(resource: string): Promise<number> {
    this.manifests.delete(resource);
    return dropSnapshot(this.store, resource);
  }
}
