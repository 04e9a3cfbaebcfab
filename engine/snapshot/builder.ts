// Builds a resource snapshot: LIST the data prefix a page at a time, GET each object, pack the stored objects
// into gzip'd segments of about `segmentBytes`, then commit by writing the manifest with a conditional PUT
// (ifMatch on the manifest read at the start, ifNoneMatch when there was none). Memory stays bounded by one LIST
// page of bodies plus one segment; the manifest's per-document ETags are the only thing that grows with N.
// A crash before the commit leaves the previous manifest, and so the previous snapshot, untouched (its new
// segments are orphans that a later build removes after the grace period). Two builders racing: one PUT wins,
// the other gets a ConflictError, removes its own segments and reports `committed: false`.
import { randomBytes } from 'node:crypto';
import { ConflictError, throwIfCancelled } from '../errors.js';
import { dataPrefix, idOfDataKey, snapshotManifestKey, snapshotSegmentKey, snapshotSegmentsPrefix } from '../keys.js';
import { listAll, listPages, type ObjectStore } from '../storage/index.js';
import { mapLimit } from '../util/index.js';
import {
  encodeLine,
  encodeManifest,
  encodeSegment,
  MANIFEST_FORMAT,
  type Manifest,
  type SegmentInfo,
} from './format.js';
import { readManifest } from './manifest.js';

/** About this many uncompressed bytes per segment (JSON text; gzip makes it several times smaller). */
export const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;
/** Segments of a replaced snapshot, and orphans of a crashed build, are removed this long after. */
export const DEFAULT_SNAPSHOT_GRACE_MS = 15 * 60 * 1000;

export interface BuildSnapshotOptions {
  /** Parallel GETs while packing (default 32). */
  concurrency?: number;
  segmentBytes?: number;
  graceMs?: number;
  /** Stops the build before its next LIST or GET (its segments are removed; the previous snapshot stays). */
  signal?: AbortSignal | undefined;
  /** Test hook: the clock. */
  now?: () => Date;
}

export interface SnapshotBuildReport {
  resource: string;
  /** False when another builder committed first (this build's segments were removed). */
  committed: boolean;
  buildId: string;
  documents: number;
  segments: number;
  /** Compressed bytes of the segments written. */
  bytes: number;
  /** S3 requests this build made (LIST, GET, PUT, DELETE). */
  requests: number;
  /** Old segments removed (past the grace period). */
  removed: number;
}

export async function buildSnapshot(
  store: ObjectStore,
  resource: string,
  options: BuildSnapshotOptions = {},
): Promise<SnapshotBuildReport> {
  const now = options.now ?? (() => new Date());
  const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  const concurrency = options.concurrency ?? 32;
  let requests = 0;
  const previous = await readManifest(store, resource);
  requests += previous.requests;
  const buildId = `${now()
    .toISOString()
    .replace(/[-:.TZ]/g, '')}-${randomBytes(4).toString('hex')}`;
  const segments: SegmentInfo[] = [];
  let lines: string[] = [];
  let lineBytes = 0;
  let current: Pick<SegmentInfo, 'ids' | 'etags' | 'sizes'> = { ids: [], etags: [], sizes: [] };
  let bytes = 0;

  const flush = async () => {
    if (current.ids.length === 0) return;
    const key = snapshotSegmentKey(resource, buildId, segments.length);
    const body = encodeSegment(lines);
    requests++;
    await store.put(key, body, {}, { contentType: 'application/gzip' });
    segments.push({ key, bytes: body.length, ...current });
    bytes += body.length;
    lines = [];
    lineBytes = 0;
    current = { ids: [], etags: [], sizes: [] };
  };

  try {
    const onPage = () => {
      throwIfCancelled(options.signal);
      requests++;
    };
    for await (const page of listPages(store, dataPrefix(resource), { onPage })) {
      const objects = await mapLimit(page.objects, concurrency, async (listed) => {
        const id = idOfDataKey(resource, listed.key);
        if (id === null) return null;
        throwIfCancelled(options.signal);
        requests++;
        const obj = await store.get(listed.key);
        return obj ? { id, obj } : null;
      });
      for (const found of objects) {
        if (!found) continue; // deleted since the LIST: not in the snapshot, exactly as a scan would skip it
        const { id, obj } = found;
        const line = encodeLine({ id, etag: obj.etag, size: obj.size, metadata: obj.metadata, body: obj.body });
        lines.push(line);
        lineBytes += line.length;
        current.ids.push(id);
        current.etags.push(obj.etag);
        current.sizes.push(obj.size);
        if (lineBytes >= segmentBytes) await flush();
      }
    }
    await flush();
    throwIfCancelled(options.signal); // not committed: the previous snapshot stays
  } catch (e) {
    await removeKeys(
      store,
      segments.map((s) => s.key),
    ).catch(() => {});
    throw e;
  }

  const graceMs = options.graceMs ?? DEFAULT_SNAPSHOT_GRACE_MS;
  const at = now();
  const retired = [
    ...(previous.manifest?.retired ?? []).filter((r) => Date.parse(r.at) + graceMs > at.getTime()),
    ...(previous.manifest?.segments ?? []).map((s) => ({ key: s.key, at: at.toISOString() })),
  ];
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    resource,
    buildId,
    builtAt: at.toISOString(),
    documents: segments.reduce((n, s) => n + s.ids.length, 0),
    segments,
    retired,
  };
  const report = { resource, buildId, documents: manifest.documents, segments: segments.length, bytes };
  try {
    requests++;
    await store.put(
      snapshotManifestKey(resource),
      encodeManifest(manifest),
      {},
      previous.etag === undefined
        ? { ifNoneMatch: '*', contentType: 'application/gzip' }
        : { ifMatch: previous.etag, contentType: 'application/gzip' },
    );
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    requests += await removeKeys(
      store,
      segments.map((s) => s.key),
    );
    return { ...report, committed: false, requests, removed: 0 };
  }
  const gc = await collectGarbage(store, manifest, graceMs, at);
  return { ...report, committed: true, requests: requests + gc.requests, removed: gc.removed };
}

async function removeKeys(store: ObjectStore, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  await store.deleteMany(keys);
  return Math.ceil(keys.length / 1000);
}

/**
 * Removes segments the committed manifest no longer needs: retired ones past the grace period, and orphans of
 * crashed or losing builds last written before the grace period (a build still running writes newer ones).
 */
async function collectGarbage(
  store: ObjectStore,
  manifest: Manifest,
  graceMs: number,
  at: Date,
): Promise<{ removed: number; requests: number }> {
  const live = new Set(manifest.segments.map((s) => s.key));
  const retired = new Map(manifest.retired.map((r) => [r.key, Date.parse(r.at)]));
  const doomed: string[] = [];
  let requests = 0;
  for await (const obj of listAll(store, snapshotSegmentsPrefix(manifest.resource), { onPage: () => requests++ })) {
    if (live.has(obj.key)) continue;
    const since = retired.get(obj.key) ?? obj.lastModified.getTime();
    if (since + graceMs <= at.getTime()) doomed.push(obj.key);
  }
  requests += await removeKeys(store, doomed);
  return { removed: doomed.length, requests };
}

/** Deletes a resource's snapshot (manifest first, so no reader starts on segments that are going away). */
export async function dropSnapshot(store: ObjectStore, resource: string): Promise<number> {
  await store.delete(snapshotManifestKey(resource));
  const keys: string[] = [];
  for await (const obj of listAll(store, snapshotSegmentsPrefix(resource))) keys.push(obj.key);
  await removeKeys(store, keys);
  return keys.length;
}
