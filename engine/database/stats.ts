// Object count and bytes per resource, from LISTs of each data prefix (no document is read).
import { dataPrefix } from '../keys.js';
import { listAll, type ObjectStore } from '../storage/index.js';

export interface ResourceStats {
  name: string;
  count: number;
  bytes: number;
}

export async function resourceStats(store: ObjectStore, names: readonly string[]): Promise<ResourceStats[]> {
  const out: ResourceStats[] = [];
  for (const name of [...names].sort()) {
    let count = 0;
    let bytes = 0;
    for await (const obj of listAll(store, dataPrefix(name))) {
      if (obj.size === 0) continue; // a delete's tombstone
      count++;
      bytes += obj.size;
    }
    out.push({ name, count, bytes });
  }
  return out;
}
