// Reading s3db.json as it is found: parse (repairing the text if needed), then check every resource, version,
// attribute, partition and hook, filling or dropping what is invalid and listing each fix as a heal problem.
import type { KeyMap } from '../codec/index.js';
import { normalizePartitions } from '../partitions/index.js';
import { compileSchema } from '../schema/index.js';
import {
  BEHAVIORS,
  HOOK_EVENTS,
  type Attributes,
  type Behavior,
  type HealProblem,
  type HookEvent,
  type PartitionDefinition,
} from '../types.js';
import {
  definitionHash,
  emptyCatalog,
  keysFor,
  versionNumber,
  type CatalogFile,
  type CatalogResource,
  type CatalogVersion,
  type VersionDefinition,
} from './definition.js';
import { repairWithTruncation } from './repair-json.js';

export function problem(kind: string, message: string, resource?: string): HealProblem {
  return { kind, message, repaired: false, ...(resource === undefined ? {} : { resource }) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface ParsedCatalog {
  catalog: CatalogFile;
  problems: HealProblem[];
  /** True when the text could not be read even after repair: the catalog must be rebuilt from the bucket. */
  unreadable: boolean;
  /** True when the file was cut short: entries after the cut are unknown, so the bucket must be scanned. */
  truncated: boolean;
  /** What could be read of each resource entry (for example its keyMap), to name rebuilt attributes. */
  salvage: Record<string, unknown>;
}

/** Parses (repairing if needed) and fills missing fields; lists what it had to fix. */
export function parseCatalog(text: string): ParsedCatalog {
  const problems: HealProblem[] = [];
  let raw: unknown;
  let unreadable = false;
  let truncated = false;
  try {
    raw = JSON.parse(text);
  } catch {
    try {
      const repaired = repairWithTruncation(text);
      truncated = repaired.truncated;
      raw = JSON.parse(repaired.text);
      problems.push(problem('catalog-invalid-json', 's3db.json was not valid JSON and was repaired'));
    } catch {
      raw = {};
      unreadable = true;
      problems.push(
        problem('catalog-unreadable', 's3db.json could not be parsed; the catalog is rebuilt from the bucket'),
      );
    }
  }
  if (!isObject(raw)) {
    problems.push(problem('catalog-not-object', 's3db.json is not a JSON object'));
    raw = {};
    unreadable = true;
  }
  const obj = raw as Record<string, unknown>;
  const catalog = emptyCatalog();
  if (typeof obj.lastUpdated === 'string') catalog.lastUpdated = obj.lastUpdated;
  if (typeof obj.s3dbVersion === 'string') catalog.s3dbVersion = obj.s3dbVersion;
  if (
    !unreadable &&
    (obj.version !== '1' || typeof obj.s3dbVersion !== 'string' || typeof obj.lastUpdated !== 'string')
  ) {
    problems.push(problem('catalog-missing-field', 's3db.json lacked version, s3dbVersion or lastUpdated'));
  }
  if (!unreadable && !isObject(obj.resources)) {
    // Whatever the resources were, they are unknown now: the bucket must be scanned, never trusted to be empty.
    truncated = true;
    if (obj.resources !== undefined) problems.push(problem('catalog-missing-field', 'resources is not an object'));
    else problems.push(problem('catalog-missing-field', 's3db.json lacked resources'));
  }
  const salvage = isObject(obj.resources) ? obj.resources : {};
  for (const [name, value] of Object.entries(salvage)) {
    const fixed = normalizeResource(name, value, problems);
    if (fixed) catalog.resources[name] = fixed;
  }
  return { catalog, problems, unreadable, truncated, salvage };
}

/** Top-level attributes that do not compile are widened to 'any' (values are kept, only checks are lost). */
function fixAttributes(name: string, v: string, attributes: Attributes, problems: HealProblem[]): Attributes {
  try {
    compileSchema(attributes);
    return attributes;
  } catch {
    const out: Attributes = {};
    for (const [field, spec] of Object.entries(attributes)) {
      try {
        compileSchema({ [field]: spec } as Attributes);
        out[field] = spec;
      } catch (e) {
        out[field] = 'any';
        problems.push(
          problem(
            'attribute-invalid',
            `"${name}" ${v}: attribute "${field}" did not compile (${(e as Error).message}); widened to 'any'`,
            name,
          ),
        );
      }
    }
    return out;
  }
}

function fixPartitions(
  name: string,
  v: string,
  raw: unknown,
  attributes: Attributes,
  timestamps: boolean,
  problems: HealProblem[],
): Record<string, PartitionDefinition> {
  if (raw === undefined) return {};
  if (!isObject(raw)) {
    problems.push(problem('partition-invalid', `"${name}" ${v}: partitions was not an object; removed`, name));
    return {};
  }
  let fieldTypes: Record<string, string> = {};
  let secretPaths: string[] = [];
  try {
    ({ fieldTypes, secretPaths } = compileSchema(attributes, { timestamps }));
  } catch {
    // attributes were fixed first; an empty schema only makes every partition invalid
  }
  const out: Record<string, PartitionDefinition> = {};
  for (const [pname, def] of Object.entries(raw)) {
    try {
      normalizePartitions(fieldTypes, { [pname]: def as PartitionDefinition });
      const secret = Object.keys((def as PartitionDefinition).fields).find((f) => secretPaths.includes(f));
      if (secret !== undefined) throw new Error(`uses secret field "${secret}"`);
      out[pname] = def as PartitionDefinition;
    } catch (e) {
      problems.push(
        problem('partition-invalid', `"${name}" ${v}: partition "${pname}" removed (${(e as Error).message})`, name),
      );
    }
  }
  return out;
}

function fixHooks(
  name: string,
  v: string,
  raw: unknown,
  problems: HealProblem[],
): Partial<Record<HookEvent, string[]>> {
  if (raw === undefined) return {};
  if (!isObject(raw)) {
    problems.push(problem('hook-invalid', `"${name}" ${v}: hooks was not an object; removed`, name));
    return {};
  }
  const out: Partial<Record<HookEvent, string[]>> = {};
  for (const [event, names] of Object.entries(raw)) {
    if (!(HOOK_EVENTS as readonly string[]).includes(event)) {
      problems.push(problem('hook-invalid', `"${name}" ${v}: unknown hook event "${event}" removed`, name));
      continue;
    }
    const list = Array.isArray(names) ? names : [];
    const valid = list.filter((n): n is string => typeof n === 'string' && n !== '');
    if (!Array.isArray(names) || valid.length !== list.length) {
      problems.push(problem('hook-invalid', `"${name}" ${v}: invalid ${event} hook entries removed`, name));
    }
    if (valid.length > 0) out[event as HookEvent] = valid;
  }
  return out;
}

function normalizeResource(name: string, value: unknown, problems: HealProblem[]): CatalogResource | null {
  if (!isObject(value) || !isObject(value.versions) || Object.keys(value.versions).length === 0) {
    problems.push(problem('resource-unreadable', `resource "${name}" has no readable versions and was dropped`, name));
    return null;
  }
  const versions: Record<string, CatalogVersion> = {};
  for (const [v, def] of Object.entries(value.versions).sort(([a], [b]) => versionNumber(a) - versionNumber(b))) {
    if (!/^v\d+$/.test(v) || !isObject(def) || !isObject(def.attributes)) {
      problems.push(problem('version-unreadable', `version ${v} of "${name}" has no attributes and was dropped`, name));
      continue;
    }
    const behavior = (BEHAVIORS as readonly string[]).includes(def.behavior as string)
      ? (def.behavior as Behavior)
      : 'body-overflow';
    const before = problems.length;
    const timestamps = def.timestamps === true;
    const attributes = fixAttributes(name, v, def.attributes as Attributes, problems);
    const base: VersionDefinition = {
      attributes,
      behavior,
      partitions: fixPartitions(name, v, def.partitions, attributes, timestamps, problems),
      timestamps,
      paranoid: def.paranoid === true,
      hooks: fixHooks(name, v, def.hooks, problems),
    };
    const changed = problems.length > before;
    if (
      typeof def.hash !== 'string' ||
      typeof def.createdAt !== 'string' ||
      def.behavior !== behavior ||
      typeof def.timestamps !== 'boolean' ||
      typeof def.paranoid !== 'boolean'
    ) {
      problems.push(problem('version-missing-field', `version ${v} of "${name}" lacked fields that were filled`, name));
    }
    versions[v] = {
      ...base,
      // A definition heal changed gets the hash of what it now is.
      hash: typeof def.hash === 'string' && !changed ? def.hash : definitionHash(base),
      createdAt: typeof def.createdAt === 'string' ? def.createdAt : new Date(0).toISOString(),
    };
  }
  const names = Object.keys(versions);
  if (names.length === 0) {
    problems.push(problem('resource-unreadable', `resource "${name}" has no readable versions and was dropped`, name));
    return null;
  }
  let current = typeof value.currentVersion === 'string' ? value.currentVersion : '';
  if (!(current in versions)) {
    current = names[names.length - 1]!;
    problems.push(problem('current-version-missing', `"${name}" currentVersion was reset to ${current}`, name));
  }
  let keyMap: KeyMap = {};
  if (!isObject(value.keyMap)) {
    problems.push(problem('keymap-missing', `"${name}" keyMap was rebuilt from its versions`, name));
  } else {
    for (const [path, key] of Object.entries(value.keyMap)) {
      if (typeof key === 'string' && /^[0-9a-z]+$/.test(key)) keyMap[path] = key;
      else problems.push(problem('keymap-invalid', `"${name}" keyMap entry "${path}" was not a key; removed`, name));
    }
  }
  const filled = Object.keys(keyMap).length;
  for (const def of Object.values(versions)) {
    try {
      keyMap = keysFor(keyMap, def.attributes);
    } catch {
      // fixAttributes made every version compile
    }
  }
  if (isObject(value.keyMap) && Object.keys(keyMap).length > filled) {
    problems.push(problem('keymap-incomplete', `"${name}" keyMap lacked keys for some attributes; added`, name));
  }
  const createdBy = typeof value.createdBy === 'string' ? value.createdBy : 'user';
  if (typeof value.createdBy !== 'string') {
    problems.push(problem('resource-missing-field', `"${name}" lacked createdBy; set to "user"`, name));
  }
  return {
    currentVersion: current,
    createdBy,
    versions,
    keyMap,
    ...(value.asyncPartitions === true ? { asyncPartitions: true } : {}),
  };
}
