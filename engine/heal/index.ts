// Heal of the data objects of one resource: records whose `-v` names no version of the catalog are re-stamped
// with the current version (their fields are untouched: keys are shared by all versions), and objects that
// cannot be decoded (metadata values, body JSON) or are not `id=…` keys are reported with the format they look
// like and left in place; only with `quarantine: true` are they moved to a quarantine prefix — copied first,
// deleted after, so nothing is ever deleted without a copy. Partition references are
// engine/partitions' healPartitions (called after this, with the quarantined ids treated as gone).
import {
  BODY_MARKER,
  CREATED_FIELD,
  TOMBSTONE_FIELD,
  TOMBSTONE_SETTLE_MS,
  UPDATED_FIELD,
  VERSION_FIELD,
} from '../behaviors/index.js';
import type { CatalogResource } from '../catalog/index.js';
import { decodeValue, SYSTEM_KEY_PREFIX } from '../codec/index.js';
import { ConflictError, throwIfCancelled } from '../errors.js';
import { dataPrefix, idOfDataKey, QUARANTINE_PREFIX, quarantineKey } from '../keys.js';
import { listKeys, type ObjectStore } from '../storage/index.js';
import type { HealProblem } from '../types.js';
import { mapLimit } from '../util/index.js';

/** A timestamp usable in a key (no `:` or `.`). */
export function keyStamp(now = new Date()): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

export interface HealRecordsOptions {
  dryRun: boolean;
  /** Stops before the next LIST and before the next object is checked (see CallControls). */
  signal?: AbortSignal | undefined;
  concurrency?: number;
  /** Timestamp of this heal run, for quarantine keys. */
  stamp?: string;
  /**
   * Move undecodable objects to the quarantine prefix. Off by default: an object this engine cannot read may
   * be another tool's data, which a database must never move just because it does not understand it.
   */
  quarantine?: boolean;
}

export interface HealRecordsResult {
  problems: HealProblem[];
  backups: string[];
  /** Ids whose object was (or in a dry run would be) quarantined: partition heal treats them as gone. */
  quarantined: Set<string>;
  /** Short keys found on documents but absent from the keyMap (the catalog lost those attributes), sorted. */
  unmapped: string[];
}

/** Why an object's metadata or body cannot be decoded, or null when it can. */
function undecodable(metadata: Record<string, string>, body: Buffer): string | null {
  for (const [key, value] of Object.entries(metadata)) {
    if (key.startsWith(SYSTEM_KEY_PREFIX) && key !== CREATED_FIELD && key !== UPDATED_FIELD) continue;
    try {
      decodeValue(value);
    } catch (e) {
      return `metadata "${key}" cannot be decoded (${(e as Error).message})`;
    }
  }
  if (metadata[BODY_MARKER] !== undefined && body.length > 0) {
    try {
      const parsed = JSON.parse(body.toString('utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'the body is not an object';
    } catch {
      return 'the body is not valid JSON';
    }
  }
  return null;
}

/**
 * What wrote an object this engine cannot decode, as far as its metadata tells: s3db.js keeps `_v` (`-v` on
 * radosgw, like this engine) and untagged values, so none of its attribute values decodes here.
 */
function formatOf(metadata: Record<string, string>): string {
  const values = Object.entries(metadata).filter(([k]) => !k.startsWith(SYSTEM_KEY_PREFIX) && !k.startsWith('_'));
  const decodes = (v: string) => {
    try {
      decodeValue(v);
      return true;
    } catch {
      return false;
    }
  };
  const versioned = Object.hasOwn(metadata, '_v') || Object.hasOwn(metadata, VERSION_FIELD);
  if (versioned && values.length > 0 && !values.some(([, v]) => decodes(v))) {
    return 's3db.js, by its look (migrate with `s3db migrate --from-s3dbjs`)';
  }
  return 'unknown';
}

/** Checks (and unless dryRun repairs) every data object of `name`; reads each once. */
export async function healRecords(
  store: ObjectStore,
  name: string,
  entry: CatalogResource,
  options: HealRecordsOptions,
): Promise<HealRecordsResult> {
  const stamp = options.stamp ?? keyStamp();
  const problems: HealProblem[] = [];
  const backups: string[] = [];
  const quarantined = new Set<string>();
  const known = new Set(Object.values(entry.keyMap));
  const unmapped = new Map<string, number>();
  const noteUnmapped = (keys: Iterable<string>) => {
    for (const k of keys) if (!known.has(k)) unmapped.set(k, (unmapped.get(k) ?? 0) + 1);
  };
  const keys = await listKeys(store, dataPrefix(name), { onPage: () => throwIfCancelled(options.signal) });
  await mapLimit(
    keys,
    options.concurrency ?? 10,
    async (key) => {
      const obj = await store.get(key);
      if (!obj) return;
      const id = idOfDataKey(name, key) ?? undefined;
      if (obj.metadata[TOMBSTONE_FIELD] !== undefined) {
        // A delete's tombstone: a young one is a delete in progress; an old one a delete that crashed midway.
        if (Date.now() - obj.lastModified.getTime() < TOMBSTONE_SETTLE_MS) return;
        if (id !== undefined) quarantined.add(id); // its references are orphans
        const found: HealProblem = {
          kind: 'leftover-tombstone',
          resource: name,
          key,
          ...(id === undefined ? {} : { id }),
          message: 'A delete stopped before removing its tombstone; the document is deleted, the tombstone removed',
          repaired: false,
        };
        problems.push(found);
        if (options.dryRun) return;
        await store.delete(key);
        found.repaired = true;
        return;
      }
      const isRecord = id !== undefined;
      const reason = isRecord ? undecodable(obj.metadata, obj.body) : 'it is not an `id=` key';
      if (reason !== null) {
        const target = quarantineKey(stamp, key);
        const move = options.quarantine === true;
        const found: HealProblem = {
          kind: isRecord ? 'undecodable-record' : 'stray-object',
          resource: name,
          key,
          ...(id === undefined ? {} : { id }),
          message:
            `Object cannot be read as a document (format: ${formatOf(obj.metadata)}): ${reason}; ` +
            (move
              ? `quarantined to ${QUARANTINE_PREFIX}<timestamp>/`
              : `left in place (heal with quarantine: true moves it to ${QUARANTINE_PREFIX}<timestamp>/)`),
          repaired: false,
        };
        problems.push(found);
        if (!move) return;
        if (id !== undefined) quarantined.add(id);
        if (options.dryRun) return;
        await store.put(target, obj.body, obj.metadata, obj.contentType ? { contentType: obj.contentType } : {});
        backups.push(target);
        // Rewritten since it was read (a writer fixed it): keep it; the copy stays as a backup.
        if ((await store.head(key))?.etag !== obj.etag) return;
        await store.delete(key);
        found.repaired = true;
        return;
      }
      noteUnmapped(Object.keys(obj.metadata).filter((k) => !k.startsWith(SYSTEM_KEY_PREFIX)));
      if (obj.metadata[BODY_MARKER] !== undefined && obj.body.length > 0) {
        noteUnmapped(Object.keys(JSON.parse(obj.body.toString('utf8')) as object).filter((k) => !k.startsWith('_')));
      }
      const version = obj.metadata[VERSION_FIELD];
      if (version !== undefined && Object.hasOwn(entry.versions, version)) return;
      const found: HealProblem = {
        kind: 'record-unknown-version',
        resource: name,
        key,
        ...(id === undefined ? {} : { id }),
        message:
          `Document's version ${version === undefined ? '(none)' : `"${version}"`} is not in the catalog; ` +
          `re-stamped as ${entry.currentVersion} (fields unchanged)`,
        repaired: false,
      };
      problems.push(found);
      if (options.dryRun) return;
      try {
        await store.put(
          key,
          obj.body,
          { ...obj.metadata, [VERSION_FIELD]: entry.currentVersion },
          { ifMatch: obj.etag, ...(obj.contentType ? { contentType: obj.contentType } : {}) },
        );
        found.repaired = true;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e; // changed meanwhile: the writer stamped it; the next heal checks
      }
    },
    options.signal,
  );
  backups.sort();
  const unmappedKeys = [...unmapped.keys()].sort();
  if (unmappedKeys.length > 0) {
    problems.push({
      kind: 'unmapped-field',
      resource: name,
      message:
        `Documents hold fields under metadata keys the catalog does not know (${unmappedKeys
          .map((k) => `${k}: ${unmapped.get(k)} document(s)`)
          .join(', ')}); ` + `declared as ${unmappedKeys.map((k) => `field_${k}`).join(', ')} typed 'any'`,
      repaired: false,
    });
  }
  return { problems, backups, quarantined, unmapped: unmappedKeys };
}
