// Object count and bytes per resource, from LISTs of each data prefix (no document is read).
import { listsAsTombstone } from '../behaviors/index.js';
import { dataPrefix } from '../keys.js';
import { listAll, type ObjectStore } from '../storage/index.js';

export interface ResourceStats {
  name: string;
  count: number;
  bytes: number;
}

/** `emptyIsTombstone`: false for a foreign (s3db.js) bucket, whose records may be empty objects. */
export async function resourceStats(
  store: ObjectStore,
  names: readonly string[],
  emptyIsTombstone = true,
): Promise<ResourceStats[]> {
  const out: ResourceStats[] = [];
  for (const name of [...names].sort()) {
    let count = 0;
    let bytes = 0;
    for await (const obj of listAll(store, dataPrefix(name))) {
      if (listsAsTombstone(obj, emptyIsTombstone)) continue;
      count++;
      bytes += obj.size;
    }
    out.push({ name, count, bytes });
  }
  return out;
}
