// s3db.json: the catalog of resources and their versions. Read in one GET, created with ifNoneMatch, written
// with ifMatch and re-applied on conflict so concurrent writers never lose each other's changes.
import { createHash } from 'node:crypto';
import stableStringify from 'json-stable-stringify';
import { assignKeys, type KeyMap } from '../codec/index.js';
import { ConflictError, S3dbError } from '../errors.js';
import { normalizePartitions } from '../partitions/index.js';
import { compileSchema } from '../schema/index.js';
import type { ObjectStore } from '../storage/index.js';
import { rebuildResources, resourcePrefixes } from './rebuild.js';
import {
  BEHAVIORS,
  HOOK_EVENTS,
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

const IDENT = /[A-Za-z0-9_$-]/;

/** Layers 1-4: BOM, single-quoted strings, unquoted keys, trailing commas; all outside double-quoted strings. */
function normalizeSyntax(text: string): string {
  const s = text.replace(/^\uFEFF/, '');
  let out = '';
  let i = 0;
  /** Last significant character written outside a string. */
  let last = '';
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      out += s.slice(i, j + 1);
      i = j + 1;
      last = '"';
      continue;
    }
    if (ch === "'") {
      let j = i + 1;
      let inner = '';
      while (j < s.length && s[j] !== "'") {
        if (s[j] === '\\' && s[j + 1] === "'") {
          inner += "'";
          j += 2;
        } else if (s[j] === '\\') {
          inner += s.slice(j, j + 2);
          j += 2;
        } else {
          inner += s[j] === '"' ? '\\"' : s[j];
          j++;
        }
      }
      out += `"${inner}${j < s.length ? '"' : ''}`;
      i = j + 1;
      last = '"';
      continue;
    }
    if (ch === ',') {
      let j = i + 1;
      while (j < s.length && /\s/.test(s[j]!)) j++;
      if (s[j] === '}' || s[j] === ']') {
        i++;
        continue; // trailing comma
      }
    }
    if ((last === '{' || last === ',') && /[A-Za-z_$]/.test(ch)) {
      let j = i;
      while (j < s.length && IDENT.test(s[j]!)) j++;
      let k = j;
      while (k < s.length && /\s/.test(s[k]!)) k++;
      if (s[k] === ':') {
        out += `"${s.slice(i, j)}"`;
        i = j;
        last = '"';
        continue;
      }
    }
    out += ch;
    if (!/\s/.test(ch)) last = ch;
    i++;
  }
  return out;
}

interface Scan {
  /** Closing brackets still open at the end, innermost last. */
  stack: string[];
  inString: boolean;
  /** Positions of `,`, `{` and `[` outside strings with the stack at that point. */
  cuts: { at: number; ch: string; stack: string[] }[];
}

function scan(s: string): Scan {
  const stack: string[] = [];
  const cuts: Scan['cuts'] = [];
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      stack.push(ch === '{' ? '}' : ']');
      cuts.push({ at: i, ch, stack: [...stack] });
    } else if (ch === '}' || ch === ']') stack.pop();
    else if (ch === ',') cuts.push({ at: i, ch, stack: [...stack] });
  }
  return { stack, inString, cuts };
}

function close(s: string, stack: readonly string[]): string {
  return s.replace(/[\s,]*$/, '') + [...stack].reverse().join('');
}

/** Where JSON.parse gave up: the text's length when it simply ended too early (a truncated file). */
function errorPosition(s: string): number {
  try {
    JSON.parse(s);
    return -1;
  } catch (e) {
    const m = /at position (\d+)/.exec((e as Error).message);
    return m ? Number(m[1]) : s.length;
  }
}

function parses(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * Best-effort repair of damaged JSON, applied in layers and only where the meaning is unambiguous: a byte-order
 * mark, single-quoted strings, unquoted keys, trailing commas, then missing closing brackets. A truncated file is
 * cut back to its last complete member (a half-written string or value is dropped, never completed with guesses).
 * Returns text that may still not parse: the caller then rebuilds from the bucket.
 */
export function repairJson(text: string): string {
  return repair(text).text;
}

/** repairJson, also saying whether the text was truncated (so what followed the cut is unknown). */
function repair(text: string): { text: string; truncated: boolean } {
  const s = normalizeSyntax(text);
  const failedAt = errorPosition(s);
  // Only a file that is fine up to where it ends is truncated; an error in the middle is not guessed at.
  if (failedAt < 0 || failedAt < s.trimEnd().length) return { text: s, truncated: false };
  return { text: closeTruncated(s), truncated: true };
}

function closeTruncated(s: string): string {
  const { stack, inString, cuts } = scan(s);
  // Closing as-is is safe only when the text ends on a complete value (not a half number or word).
  const tail = s.trimEnd().slice(-1);
  if (!inString && stack.length > 0 && '}]",'.includes(tail) && parses(close(s, stack))) return close(s, stack);
  for (let n = cuts.length - 1, tries = 0; n >= 0 && tries < 500; n--, tries++) {
    const cut = cuts[n]!;
    const head = cut.ch === ',' ? s.slice(0, cut.at) : s.slice(0, cut.at + 1);
    const candidate = close(head, cut.stack);
    if (parses(candidate)) return candidate;
  }
  return s;
}

function problem(kind: string, message: string, resource?: string): HealProblem {
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
      const repaired = repair(text);
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
    if (obj.resources !== undefined) problems.push(problem('catalog-missing-field', 'resources is not an object'));
    else if (text.trim() !== '') problems.push(problem('catalog-missing-field', 's3db.json lacked resources'));
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

/** `s3db.json.corrupted.<timestamp>.backup`: where a damaged catalog is copied before it is rewritten. */
export function catalogBackupKey(now = new Date()): string {
  return `${CATALOG_KEY}.corrupted.${now.toISOString().replace(/[:.]/g, '-')}.backup`;
}

/** The catalog object in memory plus the ETag it was read at. */
export class Catalog {
  data: CatalogFile = emptyCatalog();
  etag: string | undefined;
  /** What the last load had to repair. */
  problems: HealProblem[] = [];
  /** The last load could not read the file at all, or dropped a resource: the bucket must be scanned. */
  needsScan = false;
  private salvage: Record<string, unknown> = {};

  constructor(private readonly store: ObjectStore) {}

  /** One GET on an existing catalog; GET + LIST + PUT (ifNoneMatch) on an empty store. */
  async load(): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const obj = await this.store.get(CATALOG_KEY);
      if (obj) {
        const { catalog, problems, unreadable, truncated, salvage } = parseCatalog(obj.body.toString('utf8'));
        this.data = catalog;
        this.etag = obj.etag;
        this.problems = problems;
        this.salvage = salvage;
        this.needsScan = unreadable || truncated || problems.some((p) => p.kind === 'resource-unreadable');
        return;
      }
      const fresh = emptyCatalog();
      if ((await resourcePrefixes(this.store)).length > 0) {
        // Documents without a catalog (s3db.json deleted): never start empty over them; rebuild instead.
        this.data = fresh;
        this.etag = undefined;
        this.problems = [problem('catalog-missing', 's3db.json is missing but the bucket holds resources')];
        this.needsScan = true;
        this.salvage = {};
        return;
      }
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
        this.needsScan = false;
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
        // Damaged or deleted under us: never write a catalog that forgets resources with data.
        if (this.needsScan) await this.completeFromBucket();
      }
    }
    throw new ConflictError('s3db.json kept changing under this write', {
      hint: 'Another process is writing the catalog continuously; retry later.',
      retryable: true,
    });
  }

  /** Adds an entry for every resource with documents in the bucket but none in the catalog (LIST + GETs). */
  async completeFromBucket(concurrency = 10): Promise<void> {
    const known = new Set(Object.keys(this.data.resources));
    const { resources, problems } = await rebuildResources(this.store, known, this.salvage, concurrency);
    Object.assign(this.data.resources, resources);
    this.problems.push(...problems);
  }

  /**
   * Loads, and when the file needed repair: rebuilds what only the bucket can tell (if `scan` is 'always', or
   * 'when-needed' and the file was unreadable or lost a resource), then — unless `dryRun` — copies the damaged
   * file to `s3db.json.corrupted.<timestamp>.backup` and writes the repaired catalog with ifMatch. A concurrent
   * writer wins the race: the catalog is then re-read and re-checked. Never touches a data object.
   */
  async loadAndRepair(options: {
    scan: 'always' | 'when-needed';
    dryRun: boolean;
    concurrency?: number;
  }): Promise<{ problems: HealProblem[]; backups: string[] }> {
    for (let attempt = 0; ; attempt++) {
      await this.load();
      if (options.scan === 'always' || this.needsScan) await this.completeFromBucket(options.concurrency);
      const problems = this.problems;
      if (problems.length === 0 || options.dryRun) return { problems, backups: [] };
      try {
        const backup = await this.backup();
        await this.writeRepaired();
        this.problems = [];
        return { problems: problems.map((p) => ({ ...p, repaired: true })), backups: backup ? [backup] : [] };
      } catch (e) {
        if (!(e instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw e;
      }
    }
  }

  /**
   * Declares short keys found on documents but missing from the keyMap as `field_<key>` attributes typed 'any'
   * of the current version (its hash recomputed), so their values are reachable and survive updates.
   */
  async declareFields(name: string, keys: readonly string[]): Promise<void> {
    await this.mutate((cat) => {
      const entry = cat.resources[name];
      if (!entry) return false;
      const version = entry.versions[entry.currentVersion]!;
      const known = new Set(Object.values(entry.keyMap));
      const missing = keys.filter((k) => !known.has(k));
      if (missing.length === 0) return false;
      for (const key of missing) {
        let path = `field_${key}`;
        while (path in entry.keyMap || path in version.attributes) path = `${path}_`;
        entry.keyMap[path] = key;
        version.attributes[path] = 'any';
      }
      version.hash = definitionHash(version);
      return true;
    });
  }

  /** Copies the current catalog object aside (before a repair), returning the backup key. */
  async backup(): Promise<string | null> {
    const obj = await this.store.get(CATALOG_KEY);
    if (!obj) return null;
    const key = catalogBackupKey();
    await this.store.put(key, obj.body, {}, { contentType: 'application/json' });
    return key;
  }

  /** Writes the in-memory catalog (after a repair) over the version it was read at (ifMatch). */
  async writeRepaired(): Promise<void> {
    const { etag } = await this.store.put(
      CATALOG_KEY,
      JSON.stringify(this.data, null, 2),
      {},
      {
        ...(this.etag === undefined ? { ifNoneMatch: '*' as const } : { ifMatch: this.etag }),
        contentType: 'application/json',
      },
    );
    this.etag = etag;
  }
}
