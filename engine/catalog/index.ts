// s3db.json: the catalog of resources and their versions. Read in one GET, created with ifNoneMatch, written
// with ifMatch and re-applied on conflict so concurrent writers never lose each other's changes.
import { createHash } from 'node:crypto';
import stableStringify from 'json-stable-stringify';
import { assignKeys, type KeyMap } from '../codec/index.js';
import { ConflictError, S3dbError } from '../errors.js';
import { compileSchema } from '../schema/index.js';
import type { ObjectStore } from '../storage/index.js';
import {
  BEHAVIORS,
  type Attributes,
  type Behavior,
  type HealProblem,
  type HookEvent,
  type PartitionDefinition,
} from '../types.js';

export const CATALOG_KEY = 's3db.json';
export const S3DB_VERSION = '0.1.0';
const MAX_ATTEMPTS = 20;

export interface CatalogVersion {
  hash: string;
  attributes: Attributes;
  behavior: Behavior;
  partitions: Record<string, PartitionDefinition>;
  timestamps: boolean;
  paranoid: boolean;
  hooks: Partial<Record<HookEvent, string[]>>;
  createdAt: string;
}

export interface CatalogResource {
  currentVersion: string;
  createdBy: string;
  versions: Record<string, CatalogVersion>;
  /** Attribute path → metadata key, shared by all versions; append-only. */
  keyMap: KeyMap;
  asyncPartitions?: boolean;
}

export interface CatalogFile {
  version: '1';
  s3dbVersion: string;
  lastUpdated: string;
  resources: Record<string, CatalogResource>;
}

export type VersionDefinition = Omit<CatalogVersion, 'hash' | 'createdAt'>;

/**
 * sha256 of the stable-stringified definition: attributes, behavior, partitions, and also timestamps, paranoid
 * and hooks, because each changes how records are written or read (everything in a version except createdAt).
 */
export function definitionHash(def: VersionDefinition): string {
  const { attributes, behavior, partitions, timestamps, paranoid, hooks } = def;
  const text = stableStringify({ attributes, behavior, partitions, timestamps, paranoid, hooks }) ?? '';
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

export function emptyCatalog(now = new Date()): CatalogFile {
  return { version: '1', s3dbVersion: S3DB_VERSION, lastUpdated: now.toISOString(), resources: {} };
}

export function versionNumber(v: string): number {
  return Number(v.replace(/^v/, ''));
}

/** Keys of every attribute (leaves, then containers) in the order createResource assigns them. */
export function keysFor(map: KeyMap, attributes: Attributes): KeyMap {
  const schema = compileSchema(attributes);
  return assignKeys(map, [...schema.leafPaths, ...schema.containerPaths]);
}

/** Best-effort repair of hand-damaged JSON: trailing commas, unquoted keys, missing closing brackets. */
export function repairJson(text: string): string {
  let s = text.replace(/^\uFEFF/, '');
  s = s.replace(/,(\s*[}\]])/g, '$1');
  s = s.replace(/([{,]\s*)([A-Za-z_$][\w$-]*)(\s*:)/g, '$1"$2"$3');
  const stack: string[] = [];
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') stack.push('}');
    else if (ch === '[') stack.push(']');
    else if (ch === '}' || ch === ']') stack.pop();
  }
  if (inString) s += '"';
  s = s.replace(/,\s*$/, '');
  while (stack.length > 0) s += stack.pop();
  return s;
}

function problem(kind: string, message: string, resource?: string): HealProblem {
  return { kind, message, repaired: false, ...(resource === undefined ? {} : { resource }) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses (repairing if needed) and fills missing fields; lists what it had to fix. */
export function parseCatalog(text: string): { catalog: CatalogFile; problems: HealProblem[] } {
  const problems: HealProblem[] = [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    try {
      raw = JSON.parse(repairJson(text));
      problems.push(problem('catalog-invalid-json', 's3db.json was not valid JSON and was repaired'));
    } catch {
      raw = {};
      problems.push(problem('catalog-unreadable', 's3db.json could not be parsed; starting from an empty catalog'));
    }
  }
  if (!isObject(raw)) {
    problems.push(problem('catalog-not-object', 's3db.json is not a JSON object'));
    raw = {};
  }
  const obj = raw as Record<string, unknown>;
  const catalog = emptyCatalog();
  if (typeof obj.lastUpdated === 'string') catalog.lastUpdated = obj.lastUpdated;
  if (typeof obj.s3dbVersion === 'string') catalog.s3dbVersion = obj.s3dbVersion;
  if (obj.version !== '1' || typeof obj.s3dbVersion !== 'string' || typeof obj.lastUpdated !== 'string') {
    problems.push(problem('catalog-missing-field', 's3db.json lacked version, s3dbVersion or lastUpdated'));
  }
  if (!isObject(obj.resources)) {
    if (obj.resources !== undefined) problems.push(problem('catalog-missing-field', 'resources is not an object'));
    else if (text.trim() !== '') problems.push(problem('catalog-missing-field', 's3db.json lacked resources'));
  }
  for (const [name, value] of Object.entries(isObject(obj.resources) ? obj.resources : {})) {
    const fixed = normalizeResource(name, value, problems);
    if (fixed) catalog.resources[name] = fixed;
  }
  return { catalog, problems };
}

function normalizeResource(name: string, value: unknown, problems: HealProblem[]): CatalogResource | null {
  if (!isObject(value) || !isObject(value.versions) || Object.keys(value.versions).length === 0) {
    problems.push(problem('resource-unreadable', `resource "${name}" has no readable versions and was dropped`, name));
    return null;
  }
  const versions: Record<string, CatalogVersion> = {};
  for (const [v, def] of Object.entries(value.versions).sort(([a], [b]) => versionNumber(a) - versionNumber(b))) {
    if (!isObject(def) || !isObject(def.attributes)) {
      problems.push(problem('version-unreadable', `version ${v} of "${name}" has no attributes and was dropped`, name));
      continue;
    }
    const behavior = (BEHAVIORS as readonly string[]).includes(def.behavior as string)
      ? (def.behavior as Behavior)
      : 'body-overflow';
    const base: VersionDefinition = {
      attributes: def.attributes as Attributes,
      behavior,
      partitions: isObject(def.partitions) ? (def.partitions as Record<string, PartitionDefinition>) : {},
      timestamps: def.timestamps === true,
      paranoid: def.paranoid === true,
      hooks: isObject(def.hooks) ? (def.hooks as Partial<Record<HookEvent, string[]>>) : {},
    };
    if (typeof def.hash !== 'string' || typeof def.createdAt !== 'string' || def.behavior !== behavior) {
      problems.push(problem('version-missing-field', `version ${v} of "${name}" lacked fields that were filled`, name));
    }
    versions[v] = {
      ...base,
      hash: typeof def.hash === 'string' ? def.hash : definitionHash(base),
      createdAt: typeof def.createdAt === 'string' ? def.createdAt : new Date(0).toISOString(),
    };
  }
  const names = Object.keys(versions);
  if (names.length === 0) return null;
  let current = typeof value.currentVersion === 'string' ? value.currentVersion : '';
  if (!(current in versions)) {
    current = names[names.length - 1]!;
    problems.push(problem('current-version-missing', `"${name}" currentVersion was reset to ${current}`, name));
  }
  let keyMap: KeyMap = isObject(value.keyMap) ? (value.keyMap as KeyMap) : {};
  if (!isObject(value.keyMap)) {
    problems.push(problem('keymap-missing', `"${name}" keyMap was rebuilt from its versions`, name));
  }
  try {
    for (const def of Object.values(versions)) keyMap = keysFor(keyMap, def.attributes);
  } catch {
    problems.push(problem('attributes-invalid', `"${name}" has attributes that no longer compile`, name));
  }
  return {
    currentVersion: current,
    createdBy: typeof value.createdBy === 'string' ? value.createdBy : 'user',
    versions,
    keyMap,
    ...(value.asyncPartitions === true ? { asyncPartitions: true } : {}),
  };
}

/** The catalog object in memory plus the ETag it was read at. */
export class Catalog {
  data: CatalogFile = emptyCatalog();
  etag: string | undefined;
  /** What the last load had to repair. */
  problems: HealProblem[] = [];

  constructor(private readonly store: ObjectStore) {}

  /** One GET on an existing catalog; GET + PUT (ifNoneMatch) on an empty store. */
  async load(): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const obj = await this.store.get(CATALOG_KEY);
      if (obj) {
        const { catalog, problems } = parseCatalog(obj.body.toString('utf8'));
        this.data = catalog;
        this.etag = obj.etag;
        this.problems = problems;
        return;
      }
      const fresh = emptyCatalog();
      try {
        const { etag } = await this.store.put(
          CATALOG_KEY,
          JSON.stringify(fresh, null, 2),
          {},
          {
            ifNoneMatch: '*',
            contentType: 'application/json',
          },
        );
        this.data = fresh;
        this.etag = etag;
        this.problems = [];
        return;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
    }
    throw new S3dbError('INTERNAL', 'Could not read or create s3db.json', { retryable: true });
  }

  /**
   * Applies `change` to the catalog and writes it with ifMatch; on a conflict re-reads and re-applies.
   * `change` returns false when nothing needs writing.
   */
  async mutate(change: (catalog: CatalogFile) => boolean): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const draft = structuredClone(this.data);
      if (!change(draft)) return;
      draft.lastUpdated = new Date().toISOString();
      try {
        const { etag } = await this.store.put(
          CATALOG_KEY,
          JSON.stringify(draft, null, 2),
          {},
          this.etag === undefined
            ? { ifNoneMatch: '*', contentType: 'application/json' }
            : { ifMatch: this.etag, contentType: 'application/json' },
        );
        this.data = draft;
        this.etag = etag;
        return;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** attempt)));
        await this.load();
      }
    }
    throw new ConflictError('s3db.json kept changing under this write', {
      hint: 'Another process is writing the catalog continuously; retry later.',
      retryable: true,
    });
  }

  /** Copies the current catalog object aside (before a repair), returning the backup key. */
  async backup(): Promise<string | null> {
    const obj = await this.store.get(CATALOG_KEY);
    if (!obj) return null;
    const key = `${CATALOG_KEY}.backup-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await this.store.put(key, obj.body, {}, { contentType: 'application/json' });
    return key;
  }

  /** Writes the in-memory catalog (after a repair) over whatever is stored. */
  async writeRepaired(): Promise<void> {
    const { etag } = await this.store.put(
      CATALOG_KEY,
      JSON.stringify(this.data, null, 2),
      {},
      {
        ...(this.etag === undefined ? {} : { ifMatch: this.etag }),
        contentType: 'application/json',
      },
    );
    this.etag = etag;
  }
}
