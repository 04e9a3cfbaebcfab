// How a resource's snapshot compares with the live data, for heal: one manifest GET, the LISTs of the data prefix
// and of the segments prefix, no document read. Heal decides from it whether to build, rebuild or leave it.
import { dataPrefix, idOfDataKey, snapshotSegmentsPrefix } from '../keys.js';
import { listAll, type ObjectStore } from '../storage/index.js';
import { readManifest } from './manifest.js';

export interface SnapshotInspection {
  /** `none`: no manifest; `damaged`: a manifest that cannot be read, or one naming a segment that is gone. */
  state: 'none' | 'damaged' | 'current';
  /** Documents the data prefix lists now. */
  documents: number;
  /** Documents the manifest packs (0 without a readable manifest). */
  packed: number;
  /** Listed documents not packed as they are now (changed or new since the build): each costs a scan a read. */
  changed: number;
  /** Packed documents no longer listed (deleted since the build). */
  removed: number;
  /** Segments the manifest names that are gone. */
  missingSegments: number;
  builtAt?: string;
  requests: number;
}

export async function inspectSnapshot(store: ObjectStore, resource: string): Promise<SnapshotInspection> {
  const read = await readManifest(store, resource);
  let requests = read.requests;
  const onPage = () => requests++;
  const packed = new Map<string, string>();
  for (const segment of read.manifest?.segments ?? []) {
    segment.ids.forEach((id, i) => packed.set(id, `${segment.etags[i]}/${segment.sizes[i]}`));
  }
  let documents = 0;
  let changed = 0;
  const seen = new Set<string>();
  for await (const obj of listAll(store, dataPrefix(resource), { onPage })) {
    const id = idOfDataKey(resource, obj.key);
    if (id === null) continue;
    documents++;
    seen.add(id);
    if (packed.get(id) !== `${obj.etag}/${obj.size}`) changed++;
  }
  let removed = 0;
  for (const id of packed.keys()) if (!seen.has(id)) removed++;
  let missingSegments = 0;
  if (read.manifest && read.manifest.segments.length > 0) {
    const stored = new Set<string>();
    for await (const obj of listAll(store, snapshotSegmentsPrefix(resource), { onPage })) stored.add(obj.key);
    missingSegments = read.manifest.segments.filter((s) => !stored.has(s.key)).length;
  }
  const damaged = (read.manifest === null && read.etag !== undefined) || missingSegments > 0;
  return {
    state: damaged ? 'damaged' : read.manifest ? 'current' : 'none',
    documents,
    packed: packed.size,
    changed,
    removed,
    missingSegments,
    ...(read.manifest ? { builtAt: read.manifest.builtAt } : {}),
    requests,
  };
}
