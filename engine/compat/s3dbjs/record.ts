// One object s3db.js 21 wrote at resource=NAME/data/id=ID → a document (secret fields still encrypted).
// Metadata names are read with `-` and `_` alike, because radosgw returns `_v` as `-v`; the body is merged under
// the metadata as s3db.js's behaviors do; keys resolve through the version's key map (or the record's `_map`).
import type { Document } from '../../types.js';
import { setPath } from '../../util/index.js';
import type { S3dbjsResource } from './catalog.js';
import { decodeField } from './field.js';
import { attributePaths, definitionAt, fieldSpec, keyMapFor, valuePaths } from './schema.js';
import { metadataDecode } from './values.js';

export interface S3dbjsRecord {
  doc: Document;
  /** The s3db.js version the record was written under (`v1`…). */
  version: string;
}

/** s3db.js's own system keys (and get()'s fields that its update() wrote back as metadata). */
function isSystemKey(key: string): boolean {
  return key.startsWith('_') || key.startsWith('$');
}

function parseBody(body: Buffer | null): Record<string, unknown> {
  if (!body || body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    // Binary content attached with setContent(): s3db.js ignores it on get() as well.
    return {};
  }
}

/** Metadata names as s3db.js sent them: radosgw turned every `_` into `-`, and attribute keys never hold either. */
export function normalizeMetadata(metadata: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata)) {
    const key = name.replaceAll('-', '_');
    // s3db.js sometimes sent both spellings (its update() re-sends leaked keys): the `_` one is its own.
    if (!Object.hasOwn(out, key) || name === key) out[key] = value;
  }
  return out;
}

/** Attribute name as s3db.js wrote an unmapped key (lower case, other characters replaced by `_`). */
function sanitized(path: string): string {
  return path.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
}

function parseGroup(stored: string): unknown {
  try {
    return JSON.parse(stored);
  } catch {
    return stored;
  }
}

export function decodeRecord(
  resource: S3dbjsResource,
  id: string,
  rawMetadata: Record<string, string>,
  body: Buffer | null,
): S3dbjsRecord {
  const metadata = normalizeMetadata(rawMetadata);
  const bodyData = parseBody(body);
  const version = metadata._v ?? (typeof bodyData._v === 'string' ? bodyData._v : undefined) ?? resource.currentVersion;
  const def = resource.versions[version] ?? resource.versions[resource.currentVersion]!;
  const attributes = def.attributes;
  const keyMap = keyMapFor(attributes, resource.schemaRegistry?.mapping ?? {});
  if (metadata._map !== undefined) {
    try {
      for (const [path, key] of Object.entries(JSON.parse(metadata._map) as Record<string, string>)) {
        keyMap.set(key, path);
      }
    } catch {
      // A damaged `_map` leaves the version's map in place.
    }
  }
  const merged = new Map<string, unknown>();
  // Body keys leaked from radosgw reads (`-v`, `blob-0`) are spelled back like the metadata names.
  for (const [key, value] of Object.entries(bodyData)) merged.set(key.replaceAll('-', '_'), value);
  for (const [key, value] of Object.entries(metadata)) merged.set(key, metadataDecode(value));

  const declared = new Set(valuePaths(attributes));
  const groups = new Set(attributePaths(attributes).groups);
  const values = new Map<string, unknown>();
  const extras = new Map<string, unknown>();
  for (const [key, stored] of merged) {
    if (isSystemKey(key)) continue;
    const path = keyMap.get(key) ?? key;
    if (!declared.has(path)) {
      // A group's own key holds `{}` when the group was empty.
      extras.set(path, groups.has(path) && typeof stored === 'string' ? parseGroup(stored) : stored);
      continue;
    }
    // A mapped key wins over the same field under its own name (an update() body of the unmapped record).
    if (values.has(path) && keyMap.get(key) === undefined) continue;
    values.set(path, decodeField(fieldSpec(definitionAt(attributes, path)), stored));
  }
  // Buffers were stored one byte per key (`blob_0`, `blob_1`, …): put the bytes back together, as base64.
  for (const path of declared) {
    if (values.has(path) || fieldSpec(definitionAt(attributes, path)).kind !== 'buffer') continue;
    // Metadata has `blob_0` (sanitized); an update() body has `blob.0` (flattened).
    const bytes: number[] = [];
    for (const prefix of [`${sanitized(path)}_`, `${path}.`]) {
      for (let i = 0; extras.has(prefix + i); i++) {
        if (bytes.length === i) bytes.push(Number(extras.get(prefix + i)));
        extras.delete(prefix + i);
      }
    }
    if (bytes.length > 0) values.set(path, Buffer.from(bytes).toString('base64'));
  }
  const doc: Document = { id };
  for (const [path, value] of values) if (value !== undefined) setPath(doc, path, value);
  for (const [key, value] of extras) {
    if (value === undefined || Object.hasOwn(doc, key)) continue;
    // `{type: 'object', props}` values were stored under their literal dotted names (spec.width).
    if (key.includes('.')) setPath(doc, key, value);
    else doc[key] = value;
  }
  return { doc, version };
}
