// A document ⇄ flat entries (dotted path → JSON value) and short metadata keys from a per-resource registry
// that only ever grows, so a key is never reused and records written under any schema version still decode.
import type { CompiledSchema, FieldNode } from '../schema/index.js';
import { getPath, isPlainObject, setPath } from '../util/index.js';
import { decodeValue, encodeValue } from './values.js';

/** System metadata keys (`-v`, `-b`, …) start with this; attribute short keys are base36 and never do. */
export const SYSTEM_KEY_PREFIX = '-';

/** Attribute path → short metadata key. Append-only: never delete or renumber an entry. */
export type KeyMap = Record<string, string>;

/** Returns the map with keys for every path that lacks one (the same object when nothing was added). */
export function assignKeys(map: KeyMap, paths: readonly string[]): KeyMap {
  const missing = paths.filter((p) => !Object.hasOwn(map, p));
  if (missing.length === 0) return map;
  const out = { ...map };
  // Dense maps (the normal case) continue at their size; a map rebuilt by heal may have gaps, so skip used keys.
  const used = new Set(Object.values(map));
  let next = Object.keys(map).length;
  for (const p of missing) {
    while (used.has(next.toString(36))) next++;
    out[p] = (next++).toString(36);
  }
  return out;
}

export function reverseKeyMap(map: KeyMap): Map<string, string> {
  return new Map(Object.entries(map).map(([path, key]) => [key, path]));
}

export interface FlatEntry {
  path: string;
  value: unknown;
}

export interface EncodedEntry extends FlatEntry {
  key: string;
  encoded: string;
  /** UTF-8 bytes of key + encoded value, as S3 counts them. */
  bytes: number;
}

function flattenInto(fields: Record<string, FieldNode>, obj: Record<string, unknown>, out: FlatEntry[]): void {
  for (const [name, node] of Object.entries(fields)) {
    const value = obj[name];
    if (value === undefined) continue;
    if (node.children && isPlainObject(value)) {
      const before = out.length;
      flattenInto(node.children, value, out);
      // An empty object still exists: keep a marker so decode gives back `{}`.
      if (out.length === before) out.push({ path: node.path, value: {} });
    } else {
      out.push({ path: node.path, value });
    }
  }
}

/** Declared attributes of `doc` as flat entries (declared nested objects become `a.b` leaves). */
export function flattenDocument(schema: CompiledSchema, doc: Record<string, unknown>): FlatEntry[] {
  const out: FlatEntry[] = [];
  flattenInto(schema.fields, doc, out);
  return out;
}

export function unflattenEntries(entries: readonly FlatEntry[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Leaves before container markers so a marker never hides a leaf.
  const sorted = [...entries].sort((a, b) => b.path.split('.').length - a.path.split('.').length);
  for (const e of sorted) {
    // An empty-object marker never replaces the object its leaves already built.
    if (isPlainObject(e.value) && isPlainObject(getPath(out, e.path))) continue;
    setPath(out, e.path, e.value);
  }
  return out;
}

/** Encodes flat entries with their short keys. */
export function encodeEntries(entries: readonly FlatEntry[], map: KeyMap): EncodedEntry[] {
  return entries.map((e) => {
    const key = map[e.path];
    if (key === undefined) throw new Error(`no metadata key registered for "${e.path}"`);
    const encoded = encodeValue(e.value);
    return { ...e, key, encoded, bytes: key.length + encoded.length };
  });
}

/**
 * Flat entries from stored metadata (system `-` keys skipped) and a parsed body (short key → JSON value).
 * A key missing from the registry is kept under its short key so nothing is silently lost.
 */
export function readEntries(
  metadata: Record<string, string>,
  body: Record<string, unknown> | null,
  reverse: Map<string, string>,
): FlatEntry[] {
  const out: FlatEntry[] = [];
  for (const [key, encoded] of Object.entries(metadata)) {
    if (key.startsWith(SYSTEM_KEY_PREFIX)) continue;
    out.push({ path: reverse.get(key) ?? key, value: decodeValue(encoded) });
  }
  for (const [key, value] of Object.entries(body ?? {})) {
    if (!key.startsWith('_')) out.push({ path: reverse.get(key) ?? key, value });
  }
  return out;
}
