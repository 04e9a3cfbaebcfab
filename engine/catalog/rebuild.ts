// Rebuilding catalog entries from what is in the bucket: every `resource=NAME/` prefix with documents but no
// entry in s3db.json gets one, from the records' metadata keys, body keys and `-v`. Names come from whatever
// keyMap could be salvaged from the damaged file; other fields are named `field_<key>`. Every attribute is typed
// 'any' so that every stored value still validates: nothing is guessed, nothing is lost.
import { BODY_MARKER, CREATED_FIELD, VERSION_FIELD } from '../behaviors/index.js';
import { SYSTEM_KEY_PREFIX, type KeyMap } from '../codec/index.js';
import { dataPrefix, isResourceName, RESOURCES_PREFIX, resourceOfRoot } from '../keys.js';
import { listCommonPrefixes, listKeys, type ObjectStore } from '../storage/index.js';
import type { Attributes, HealProblem } from '../types.js';
import { mapLimit } from '../util/index.js';
import { definitionHash, keysFor, versionNumber, type CatalogResource, type VersionDefinition } from './definition.js';

const ATTRIBUTE_NAME = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** The names under `resource=…/` in the bucket (one LIST per 1000 resources). */
export async function resourcePrefixes(store: ObjectStore): Promise<string[]> {
  return (await listCommonPrefixes(store, RESOURCES_PREFIX)).map(resourceOfRoot).sort();
}

function salvagedKeyMap(salvage: unknown): KeyMap {
  const map: KeyMap = {};
  if (typeof salvage !== 'object' || salvage === null) return map;
  const raw = (salvage as { keyMap?: unknown }).keyMap;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return map;
  for (const [path, key] of Object.entries(raw)) if (typeof key === 'string') map[path] = key;
  return map;
}

/**
 * Entries for every resource that has documents in the bucket but none in `known`; one problem
 * (`resource-rebuilt`) per entry. Reads every document of those resources once.
 */
export async function rebuildResources(
  store: ObjectStore,
  known: ReadonlySet<string>,
  salvage: Record<string, unknown>,
  concurrency = 10,
): Promise<{ resources: Record<string, CatalogResource>; problems: HealProblem[] }> {
  const resources: Record<string, CatalogResource> = {};
  const problems: HealProblem[] = [];
  for (const name of await resourcePrefixes(store)) {
    if (known.has(name) || !isResourceName(name)) continue;
    const keys = await listKeys(store, dataPrefix(name));
    if (keys.length === 0) continue;
    const shortKeys = new Set<string>();
    const versions = new Set<string>();
    let timestamps = false;
    await mapLimit(keys, concurrency, async (key) => {
      const obj = await store.get(key);
      if (!obj) return;
      for (const k of Object.keys(obj.metadata)) if (!k.startsWith(SYSTEM_KEY_PREFIX)) shortKeys.add(k);
      const v = obj.metadata[VERSION_FIELD];
      versions.add(v !== undefined && /^v\d+$/.test(v) ? v : 'v0');
      if (obj.metadata[CREATED_FIELD] !== undefined) timestamps = true;
      if (obj.metadata[BODY_MARKER] === undefined || obj.body.length === 0) return;
      try {
        const body = JSON.parse(obj.body.toString('utf8')) as unknown;
        if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
          for (const k of Object.keys(body)) if (!k.startsWith('_')) shortKeys.add(k);
        }
      } catch {
        // an undecodable body is heal's to quarantine; its metadata keys still count
      }
    });
    const salvaged = salvagedKeyMap(salvage[name]);
    const reverse = new Map(Object.entries(salvaged).map(([path, key]) => [key, path]));
    let keyMap: KeyMap = { ...salvaged };
    const attributes: Attributes = {};
    for (const key of [...shortKeys].sort()) {
      const top = reverse.get(key)?.split('.')[0];
      if (top !== undefined && ATTRIBUTE_NAME.test(top)) attributes[top] = 'any';
      else {
        attributes[`field_${key}`] = 'any';
        keyMap[`field_${key}`] = key;
      }
    }
    keyMap = keysFor(keyMap, attributes);
    const def: VersionDefinition = {
      attributes,
      behavior: 'body-overflow',
      partitions: {},
      timestamps,
      paranoid: false,
      hooks: {},
    };
    const hash = definitionHash(def);
    const createdAt = new Date().toISOString();
    const names = [...versions].sort((a, b) => versionNumber(a) - versionNumber(b));
    resources[name] = {
      currentVersion: names[names.length - 1]!,
      createdBy:
        typeof (salvage[name] as { createdBy?: unknown } | undefined)?.createdBy === 'string'
          ? (salvage[name] as { createdBy: string }).createdBy
          : 'user',
      versions: Object.fromEntries(names.map((v) => [v, { ...def, hash, createdAt }])),
      keyMap,
    };
    problems.push({
      kind: 'resource-rebuilt',
      resource: name,
      message:
        `"${name}" has ${keys.length} document(s) but no catalog entry: rebuilt with version(s) ${names.join(', ')} ` +
        `and attributes ${Object.keys(attributes).sort().join(', ') || '(none)'} typed 'any'; partitions, hooks ` +
        'and validation rules could not be recovered (see the s3db.json backup) — redefine them with createResource',
      repaired: false,
    });
  }
  return { resources, problems };
}
