// The catalog's data: what s3db.json holds per resource and version, the definition hash, and the key map
// helpers that every catalog writer (createResource, repair, rebuild) shares.
import { createHash } from 'node:crypto';
import stableStringify from 'json-stable-stringify';
import { assignKeys, type KeyMap } from '../codec/index.js';
import { compileSchema } from '../schema/index.js';
import type { Attributes, Behavior, HookEvent, PartitionDefinition } from '../types.js';

export const S3DB_VERSION = '0.1.0';

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
