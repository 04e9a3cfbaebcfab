// What an s3db.js attribute definition says about how its value was stored: the kind of packing, its
// precision, and the key map of a version (the persisted schemaRegistry, or the positional map s3db.js used
// without persisting it after an in-process redefinition).
import { isPlainObject } from '../../util/index.js';
import { keyOfIndex } from './values.js';

export type S3dbjsAttributes = Record<string, unknown>;

export type ValueKind =
  | 'string'
  | 'secret'
  | 'password'
  | 'embedding'
  | 'array-string'
  | 'array-integer'
  | 'array-decimal'
  | 'ip4'
  | 'ip6'
  | 'buffer'
  | 'money'
  | 'decimal'
  | 'geo-lat'
  | 'geo-lon'
  | 'geo-point'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'json'
  | 'uuid'
  | 'datetime'
  | 'dateonly'
  | 'timeonly'
  | 'mac'
  | 'cidr'
  | 'semver'
  | 'phone'
  | 'color'
  | 'duration'
  | 'ean'
  | 'quoted-date'
  | 'any';

export interface FieldSpec {
  kind: ValueKind;
  /** Digits after the point (money, crypto, decimal, geo, embedding). */
  precision: number;
}

function num(def: string, re: RegExp, fallback: number): number {
  const m = re.exec(def);
  return m ? Number(m[1]) : fallback;
}

/** The stored kind of one attribute definition, in the order s3db.js 21 tests them. */
export function fieldSpec(definition: unknown): FieldSpec {
  const def = typeof definition === 'string' ? definition : '';
  const type = isPlainObject(definition) && typeof definition.type === 'string' ? definition.type : '';
  const has = (word: string): boolean => def.includes(word) || type === word;
  const spec = (kind: ValueKind, precision = 0): FieldSpec => ({ kind, precision });
  if (has('embedding')) return spec('embedding', 6);
  if (has('array')) {
    if (def.includes('items:string')) return spec('array-string');
    if (def.includes('items:number')) {
      if (def.includes('integer')) return spec('array-integer');
      return num(def, /length:(\d+)/, 0) >= 256 ? spec('embedding', 6) : spec('array-decimal');
    }
    return spec('any');
  }
  if (has('secret')) return spec('secret');
  if (has('password')) return spec('password');
  if (has('ip4')) return spec('ip4');
  if (has('ip6')) return spec('ip6');
  if (has('buffer') || has('bits')) return spec('buffer');
  if (has('crypto')) return spec('money', num(def, /crypto:(\d+)/, 8));
  if (has('money')) return spec('money', num(def, /money:(\d+)/, 2));
  if (has('decimal')) return spec('decimal', num(def, /decimal:(\d+)/, 2));
  if (def.includes('geo:lat')) return spec('geo-lat', num(def, /geo:lat:(\d+)/, 6));
  if (def.includes('geo:lon')) return spec('geo-lon', num(def, /geo:lon:(\d+)/, 6));
  if (has('geo:point')) return spec('geo-point', num(def, /geo:point:(\d+)/, 6));
  if (has('number')) return spec(/\|integer/.test(def) ? 'integer' : 'number');
  if (has('boolean') || has('bool')) return spec('boolean');
  if (has('json') || has('object')) return spec('json');
  const base = def.split('|')[0] || type;
  switch (base) {
    case 'uuid':
    case 'timeonly':
    case 'mac':
    case 'cidr':
    case 'semver':
    case 'phone':
    case 'color':
    case 'duration':
    case 'ean':
      return spec(base);
    case 'any':
      return spec('any');
  }
  if (def.includes('datetime')) return spec('datetime');
  if (def.includes('dateonly')) return spec('dateonly');
  if (base === 'date') return spec('quoted-date');
  return spec('string');
}

/** Nested plain objects that s3db.js treats as attribute groups (not `{type: …}` definitions). */
function isGroup(v: unknown): v is Record<string, unknown> {
  return isPlainObject(v) && !(typeof v.type === 'string' && !('$$type' in v));
}

/** Leaf paths in declaration order (s3db.js flattens every object, `{type}` forms included), then groups. */
export function attributePaths(attributes: S3dbjsAttributes): { leaves: string[]; groups: string[] } {
  const leaves: string[] = [];
  const groups: string[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string, top: boolean): void => {
    for (const [name, v] of Object.entries(obj)) {
      if (name.includes('$$')) continue;
      const path = prefix + name;
      if (isPlainObject(v)) {
        walk(v, `${path}.`, false);
        if (top || isGroup(v)) groups.push(path);
      } else {
        leaves.push(path);
      }
    }
  };
  walk(attributes, '', true);
  return { leaves, groups };
}

/** The definition at a dotted path (`undefined` when the path is not an attribute). */
export function definitionAt(attributes: S3dbjsAttributes, path: string): unknown {
  let def: unknown = attributes;
  for (const part of path.split('.')) {
    if (!isPlainObject(def) || !Object.hasOwn(def, part)) return undefined;
    def = def[part];
  }
  return def;
}

/** Declared attribute paths whose value is stored as one value (groups excluded). */
export function valuePaths(attributes: S3dbjsAttributes): string[] {
  const out: string[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string): void => {
    for (const [name, v] of Object.entries(obj)) {
      if (name.includes('$$')) continue;
      if (isGroup(v)) walk(v, `${prefix}${name}.`);
      else out.push(prefix + name);
    }
  };
  walk(attributes, '');
  return out;
}

/**
 * Metadata key → attribute path for one version: the persisted registry when it names every path of the
 * version, else the positional map s3db.js built in memory (leaves then groups, base36 of the position).
 */
export function keyMapFor(attributes: S3dbjsAttributes, registry: Record<string, number>): Map<string, string> {
  const { leaves, groups } = attributePaths(attributes);
  const paths = [...leaves, ...groups];
  const complete = valuePaths(attributes).every((p) => Object.hasOwn(registry, p));
  const out = new Map<string, string>();
  if (complete) {
    for (const [path, index] of Object.entries(registry)) out.set(keyOfIndex(index), path);
  } else {
    paths.forEach((path, i) => out.set(keyOfIndex(i), path));
  }
  return out;
}
