// Recognizing an s3db.json that s3db.js wrote, and the parts of it this engine reads. s3db.js 21 keeps a
// `schemaRegistry` (attribute path → integer index) per resource where this engine keeps a `keyMap`; its
// versions carry options (idSize, autoDecrypt, …) this engine does not have.
import { isPlainObject } from '../../util/index.js';
import type { S3dbjsAttributes } from './schema.js';

export const S3DBJS_FORMAT = 's3db.js';

export interface S3dbjsVersion {
  attributes: S3dbjsAttributes;
  behavior: string;
  timestamps: boolean;
  paranoid: boolean;
  partitions: Record<string, { fields: Record<string, string> }>;
  createdAt?: string;
}

export interface S3dbjsResource {
  currentVersion: string;
  createdBy: string;
  versions: Record<string, S3dbjsVersion>;
  schemaRegistry?: { mapping: Record<string, number> };
}

export interface S3dbjsCatalog {
  format: typeof S3DBJS_FORMAT;
  /** The s3db.js release that wrote the file (`s3dbVersion`). */
  writerVersion: string;
  resources: Record<string, S3dbjsResource>;
}

/** A foreign catalog: what wrote it, and how to get the data into this engine's format. */
export interface ForeignFormat {
  format: string;
  writerVersion: string;
  hint: string;
}

export const S3DBJS_MIGRATE_HINT =
  'This bucket was written by s3db.js: it is read as is, never written. Copy it into this format with ' +
  '`s3db migrate --from-s3dbjs` (engine: migrateFromS3dbjs) to write to it.';

function versionOf(raw: unknown): S3dbjsVersion | null {
  if (!isPlainObject(raw) || !isPlainObject(raw.attributes)) return null;
  return {
    attributes: raw.attributes,
    behavior: typeof raw.behavior === 'string' ? raw.behavior : 'user-managed',
    timestamps: raw.timestamps === true,
    paranoid: raw.paranoid !== false,
    partitions: isPlainObject(raw.partitions) ? (raw.partitions as S3dbjsVersion['partitions']) : {},
    ...(typeof raw.createdAt === 'string' ? { createdAt: raw.createdAt } : {}),
  };
}

/**
 * The s3db.js view of a parsed s3db.json, or null when the file is not s3db.js's: a resource keeps a
 * `schemaRegistry`, or there are resources, none with this engine's `keyMap`, and the writer is not this engine.
 */
export function detectS3dbjsCatalog(raw: unknown, ownVersion: string): S3dbjsCatalog | null {
  if (!isPlainObject(raw) || !isPlainObject(raw.resources)) return null;
  const entries = Object.values(raw.resources).filter(isPlainObject);
  const registry = entries.some((e) => isPlainObject(e.schemaRegistry));
  const ours = entries.some((e) => isPlainObject(e.keyMap));
  const writer = typeof raw.s3dbVersion === 'string' ? raw.s3dbVersion : '';
  // An empty catalog is nobody's in particular (and another release of this engine writes another version).
  if (!registry && (ours || entries.length === 0 || writer === '' || writer === ownVersion)) return null;
  const resources: Record<string, S3dbjsResource> = {};
  for (const [name, entry] of Object.entries(raw.resources)) {
    if (!isPlainObject(entry) || !isPlainObject(entry.versions)) continue;
    const versions: Record<string, S3dbjsVersion> = {};
    for (const [v, def] of Object.entries(entry.versions)) {
      const parsed = versionOf(def);
      if (parsed) versions[v] = parsed;
    }
    const names = Object.keys(versions);
    if (names.length === 0) continue;
    const current = typeof entry.currentVersion === 'string' ? entry.currentVersion : '';
    const reg = isPlainObject(entry.schemaRegistry) ? entry.schemaRegistry.mapping : undefined;
    resources[name] = {
      currentVersion: Object.hasOwn(versions, current) ? current : names[names.length - 1]!,
      createdBy: typeof entry.createdBy === 'string' ? entry.createdBy : 'user',
      versions,
      ...(isPlainObject(reg) ? { schemaRegistry: { mapping: reg as Record<string, number> } } : {}),
    };
  }
  return { format: S3DBJS_FORMAT, writerVersion: writer || 'unknown', resources };
}

export function foreignFormatOf(catalog: S3dbjsCatalog): ForeignFormat {
  return { format: S3DBJS_FORMAT, writerVersion: catalog.writerVersion, hint: S3DBJS_MIGRATE_HINT };
}
