// An s3db.js catalog in this engine's terms, so a Resource can be opened over it (query, count, describe) and
// the migration can create the same resources here. Types this engine has no equivalent for (ip4, mac, money,
// geo, …) become the type of the value s3db.js returns for them (string, number, json), and every attribute is
// optional: records of older versions lack fields that later ones require.
import { definitionHash, type CatalogFile, type CatalogVersion } from '../../catalog/definition.js';
import { BEHAVIORS, type Attributes, type Behavior, type PartitionDefinition } from '../../types.js';
import { isPlainObject } from '../../util/index.js';
import type { S3dbjsCatalog, S3dbjsResource, S3dbjsVersion } from './catalog.js';
import { fieldSpec, type ValueKind } from './schema.js';
import { keyOfIndex } from './values.js';

const TIMESTAMP_FIELDS = new Set(['createdAt', 'updatedAt']);

const RULE_OF_KIND: Partial<Record<ValueKind, string>> = {
  secret: 'secret',
  integer: 'number|integer',
  number: 'number',
  money: 'number',
  decimal: 'number',
  'geo-lat': 'number',
  'geo-lon': 'number',
  boolean: 'boolean',
  json: 'json',
  'geo-point': 'json',
  any: 'any',
  embedding: 'array|items:number',
  'array-decimal': 'array|items:number',
  'array-integer': 'array|items:number',
  'array-string': 'array|items:string',
};

/** The rule of one s3db.js leaf definition here (string for everything s3db.js returns as text). */
export function ruleFor(definition: unknown): string {
  return RULE_OF_KIND[fieldSpec(definition).kind] ?? 'string';
}

function isGroup(v: unknown): v is Record<string, unknown> {
  return isPlainObject(v) && (typeof v.type !== 'string' || '$$type' in v);
}

function translateAttributes(attrs: Record<string, unknown>, top: boolean): Attributes {
  const out: Attributes = {};
  for (const [name, def] of Object.entries(attrs)) {
    if (name.includes('$$') || (top && TIMESTAMP_FIELDS.has(name))) continue;
    if (isGroup(def)) out[name] = translateAttributes(def, false);
    else if (isPlainObject(def) && def.type === 'object' && isPlainObject(def.props))
      out[name] = translateAttributes(def.props, false);
    else out[name] = ruleFor(def);
  }
  return out;
}

/** Every attribute of every version (a later version's definition wins), so no stored field is undeclared. */
export function unionAttributes(resource: S3dbjsResource): Attributes {
  const order = Object.keys(resource.versions).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  const merged: Attributes = {};
  for (const v of [...order.filter((v) => v !== resource.currentVersion), resource.currentVersion]) {
    Object.assign(merged, translateAttributes(resource.versions[v]!.attributes, true));
  }
  return merged;
}

export function usesTimestamps(version: S3dbjsVersion): boolean {
  return version.timestamps || Object.keys(version.attributes).some((n) => TIMESTAMP_FIELDS.has(n));
}

function behaviorOf(v: S3dbjsVersion): Behavior {
  return (BEHAVIORS as readonly string[]).includes(v.behavior) ? (v.behavior as Behavior) : 'user-managed';
}

function versionHere(v: S3dbjsVersion, withPartitions: boolean): CatalogVersion {
  const def = {
    attributes: translateAttributes(v.attributes, true),
    behavior: behaviorOf(v),
    // s3db.js partition keys are not escaped and lack the trailing `/`: read paths scan instead of trusting them.
    partitions: withPartitions ? (v.partitions as Record<string, PartitionDefinition>) : {},
    timestamps: usesTimestamps(v),
    paranoid: v.paranoid,
    hooks: {},
  };
  return { ...def, hash: definitionHash(def), createdAt: v.createdAt ?? new Date(0).toISOString() };
}

/** The catalog a Database keeps in memory over an s3db.js bucket (never written back). */
export function catalogView(foreign: S3dbjsCatalog, now = new Date()): CatalogFile {
  const resources: CatalogFile['resources'] = {};
  for (const [name, r] of Object.entries(foreign.resources)) {
    const versions: Record<string, CatalogVersion> = {};
    for (const [v, def] of Object.entries(r.versions)) versions[v] = versionHere(def, false);
    const keyMap: Record<string, string> = {};
    for (const [path, index] of Object.entries(r.schemaRegistry?.mapping ?? {})) keyMap[path] = keyOfIndex(index);
    resources[name] = { currentVersion: r.currentVersion, createdBy: r.createdBy, versions, keyMap };
  }
  return { version: '1', s3dbVersion: foreign.writerVersion, lastUpdated: now.toISOString(), resources };
}

/** The definition the migration creates here: union of the versions' attributes, the current options. */
export function migratedDefinition(
  name: string,
  r: S3dbjsResource,
  extraFields: readonly string[],
): {
  name: string;
  attributes: Attributes;
  behavior: Behavior;
  partitions: Record<string, PartitionDefinition>;
  timestamps: boolean;
  paranoid: boolean;
  createdBy: string;
} {
  const current = r.versions[r.currentVersion]!;
  const attributes = unionAttributes(r);
  // s3db.js adds byCreatedDate/byUpdatedDate on its own with timestamps; timestamps are no attributes here.
  const partitions = Object.fromEntries(
    Object.entries(current.partitions).filter(([, p]) => !Object.keys(p.fields).some((f) => TIMESTAMP_FIELDS.has(f))),
  ) as Record<string, PartitionDefinition>;
  for (const field of extraFields) if (!Object.hasOwn(attributes, field)) attributes[field] = 'any';
  return {
    name,
    attributes,
    behavior: behaviorOf(current),
    partitions,
    timestamps: usesTimestamps(current),
    paranoid: current.paranoid,
    createdBy: r.createdBy,
  };
}
