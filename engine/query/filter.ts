// The filter language, sort and projection: validated against the resource's field types, evaluated in memory.
//
// `{ field: value }` is equality (an array field matches when one element equals the value); operator objects
// use $eq $ne $gt $gte $lt $lte $in $nin $exists $contains $startsWith; $and/$or take arrays of filters, $not
// one filter. Fields are dotted paths; `id` is a field. Fields typed `date` compare as instants. `$exists: true`
// means present and not null. Range operators between values of different kinds (number vs string) are false.
import { ValidationError } from '../errors.js';
import { FILTER_OPERATORS, type Document, type Filter, type FilterOperator, type SortSpec } from '../types.js';
import { checkJsonInput } from '../schema/index.js';
import { getPath, isPlainObject, setPath } from '../util/index.js';

export interface FieldContext {
  readonly fieldTypes: Record<string, string>;
  readonly secretPaths: readonly string[];
}

const LOGICAL = ['$and', '$or', '$not'] as const;
/** Timestamps the engine adds (`timestamps: true`); typed as dates even when the schema does not list them. */
const SYSTEM_DATE_FIELDS = ['createdAt', 'updatedAt'];

/** The type a path compares as. */
function typeOf(fieldTypes: Record<string, string>, path: string): string | undefined {
  return fieldTypes[path] ?? (SYSTEM_DATE_FIELDS.includes(path) ? 'date' : undefined);
}

/** Types whose inside is free-form: any dotted path below them is accepted. */
const OPEN_TYPES = ['json', 'any', 'object', 'array'];

function knownFields(ctx: FieldContext): string[] {
  const secret = new Set(ctx.secretPaths);
  return ['id', ...Object.keys(ctx.fieldTypes).filter((f) => !secret.has(f) && f !== 'id'), ...SYSTEM_DATE_FIELDS];
}

function isSecretPath(ctx: FieldContext, path: string): boolean {
  return ctx.secretPaths.some((s) => path === s || path.startsWith(`${s}.`) || s.startsWith(`${path}.`));
}

/** Throws a ValidationError unless `path` names a field of the resource (or lies inside a free-form one). */
export function checkFieldPath(ctx: FieldContext, path: string, use: 'filter' | 'sort' | 'fields'): void {
  if (typeof path !== 'string' || path === '') {
    throw new ValidationError(`Empty field name in ${use}`, { hint: 'Name fields by their (dotted) path.' });
  }
  if (use !== 'fields' && isSecretPath(ctx, path)) {
    throw new ValidationError(`Cannot ${use === 'filter' ? 'filter' : 'sort'} on secret field "${path}"`, {
      details: { field: path, secretFields: [...ctx.secretPaths] },
      hint: 'Secret fields are stored encrypted and cannot be compared; filter on another field, or read the documents and compare them yourself.',
    });
  }
  if (path === 'id' || Object.hasOwn(ctx.fieldTypes, path) || SYSTEM_DATE_FIELDS.includes(path)) return;
  const parts = path.split('.');
  for (let i = parts.length - 1; i >= 1; i--) {
    const parent = parts.slice(0, i).join('.');
    const type = ctx.fieldTypes[parent];
    if (type === undefined || !OPEN_TYPES.includes(type)) continue;
    // An object with declared children is closed: `address.cty` is a typo, not a free-form path.
    const declared = type === 'object' && Object.keys(ctx.fieldTypes).some((f) => f.startsWith(`${parent}.`));
    if (!declared) return;
  }
  const known = knownFields(ctx);
  throw new ValidationError(`Unknown field "${path}" in ${use}`, {
    details: { field: path, knownFields: known },
    hint: `Known fields: ${known.join(', ')}.`,
  });
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'));
}

function operatorError(message: string, details: Record<string, unknown>): ValidationError {
  return new ValidationError(message, {
    details,
    hint: `Operators: ${FILTER_OPERATORS.join(' ')} (on a field), ${LOGICAL.join(' ')} (combining filters). Example: { "age": { "$gte": 18 }, "$or": [{ "tier": "gold" }, { "vip": true }] }.`,
  });
}

/** Validates a filter: fields must exist and not be secret, operators must be known and well-formed. */
export function validateFilter(ctx: FieldContext, filter: unknown): void {
  // Before the recursive walk: a 10,000-deep filter must be a VALIDATION error, not a stack overflow.
  checkJsonInput(filter, 'The filter');
  validateFilterNode(ctx, filter, 'filter');
}

function validateFilterNode(ctx: FieldContext, filter: unknown, where: string): void {
  if (!isPlainObject(filter)) {
    throw operatorError(`The ${where} must be an object`, { where });
  }
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0) {
        throw operatorError(`${key} takes a non-empty array of filters`, { operator: key });
      }
      value.forEach((sub, i) => validateFilterNode(ctx, sub, `${key}[${i}]`));
    } else if (key === '$not') {
      validateFilterNode(ctx, value, '$not');
    } else if (key.startsWith('$')) {
      throw operatorError(`Unknown operator "${key}" at the top of the ${where}`, { operator: key });
    } else {
      checkFieldPath(ctx, key, 'filter');
      if (isOperatorObject(value)) validateOperators(key, value);
      checkValueTypes(ctx, key, value);
    }
  }
}

/** The JSON kind a filter value must have to compare with a field of each scalar type (null: "missing"). */
const VALUE_KINDS: Record<string, { kind: string; fits: (v: unknown) => boolean; example: string }> = {
  number: { kind: 'a number', fits: (v) => typeof v === 'number', example: '500' },
  boolean: { kind: 'true or false', fits: (v) => typeof v === 'boolean', example: 'true' },
  string: { kind: 'a string', fits: (v) => typeof v === 'string', example: '"text"' },
  date: {
    kind: 'a date (ISO string or epoch milliseconds)',
    fits: (v) =>
      v instanceof Date ||
      (typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' && !Number.isNaN(Date.parse(v))),
    example: '"2026-01-31"',
  },
};
for (const alias of ['email', 'url', 'uuid', 'enum']) VALUE_KINDS[alias] = VALUE_KINDS.string!;

/** Operators whose argument is compared with the field's value (a scalar, or a list of them for $in/$nin). */
const COMPARED = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin']);

/**
 * A value whose type cannot match the field (`{"total": "914.94"}` on a number) would silently match nothing:
 * it is refused, naming the field and the type it takes. Free-form fields (json, any, object, array) take anything.
 */
function checkValueTypes(ctx: FieldContext, field: string, condition: unknown): void {
  const type = field === 'id' ? 'string' : typeOf(ctx.fieldTypes, field);
  const rule = type === undefined ? undefined : VALUE_KINDS[type];
  if (rule === undefined) return;
  const values: [string, unknown][] = [];
  if (isOperatorObject(condition)) {
    for (const [op, arg] of Object.entries(condition)) {
      if (!COMPARED.has(op)) continue;
      if (op === '$in' || op === '$nin') for (const v of arg as unknown[]) values.push([op, v]);
      else values.push([op, arg]);
    }
  } else values.push(['equality', condition]);
  for (const [op, value] of values) {
    // null asks for a missing value (equality, $ne, $in): it fits every type; ordering needs a real value.
    if (value === null && !['$gt', '$gte', '$lt', '$lte'].includes(op)) continue;
    if (rule.fits(value)) continue;
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new ValidationError(
      `Filter on "${field}" (${type}) needs ${rule.kind}, got ${got} ${JSON.stringify(value)?.slice(0, 40) ?? ''}`.trim(),
      {
        details: { field, expected: type, got, operator: op },
        hint: `Give "${field}" ${rule.kind}, e.g. {"${field}":{"$gte":${rule.example}}}${type === 'number' ? ' (no quotes around numbers)' : ''}.`,
      },
    );
  }
}

function validateOperators(field: string, ops: Record<string, unknown>): void {
  for (const [op, arg] of Object.entries(ops)) {
    if (!(FILTER_OPERATORS as readonly string[]).includes(op)) {
      throw operatorError(
        op.startsWith('$')
          ? `Unknown operator "${op}" on field "${field}"`
          : `Field "${field}" mixes operators with the plain key "${op}"`,
        { field, operator: op },
      );
    }
    const operator = op as FilterOperator;
    if ((operator === '$in' || operator === '$nin') && !Array.isArray(arg)) {
      throw operatorError(`${op} on "${field}" takes an array`, { field, operator: op });
    }
    if (operator === '$exists' && typeof arg !== 'boolean') {
      throw operatorError(`$exists on "${field}" takes true or false`, { field, operator: op });
    }
    if (operator === '$startsWith' && typeof arg !== 'string') {
      throw operatorError(`$startsWith on "${field}" takes a string`, { field, operator: op });
    }
    if (
      ['$gt', '$gte', '$lt', '$lte'].includes(operator) &&
      (arg === null || typeof arg === 'object') &&
      !(arg instanceof Date)
    ) {
      throw operatorError(`${op} on "${field}" takes a number, string or date`, { field, operator: op });
    }
  }
}

/** Every field path a filter reads. */
export function filterFields(filter: Filter | undefined, out = new Set<string>()): Set<string> {
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (key === '$and' || key === '$or') for (const sub of value as Filter[]) filterFields(sub, out);
    else if (key === '$not') filterFields(value as Filter, out);
    else out.add(key);
  }
  return out;
}

function toTime(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' || typeof value === 'number') {
    const t = typeof value === 'number' ? value : Date.parse(value);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

function normalize(value: unknown, isDate: boolean): unknown {
  if (isDate) return toTime(value) ?? value;
  if (value instanceof Date) return value.toISOString();
  return value;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function equals(docValue: unknown, query: unknown, isDate: boolean): boolean {
  const q = normalize(query, isDate);
  if (Array.isArray(docValue) && !Array.isArray(query)) {
    return docValue.some((el) => deepEqual(normalize(el, isDate), q));
  }
  if (query === null) return docValue === null || docValue === undefined;
  return deepEqual(normalize(docValue, isDate), q);
}

/** -1/0/1 for comparable values of the same kind, undefined otherwise. */
function compareScalar(a: unknown, b: unknown, isDate: boolean): number | undefined {
  const x = normalize(a, isDate);
  const y = normalize(b, isDate);
  if ((typeof x === 'number' && typeof y === 'number') || (typeof x === 'string' && typeof y === 'string')) {
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof x === 'boolean' && typeof y === 'boolean') return Number(x) - Number(y);
  return undefined;
}

function applyOperator(op: FilterOperator, docValue: unknown, arg: unknown, isDate: boolean): boolean {
  switch (op) {
    case '$eq':
      return equals(docValue, arg, isDate);
    case '$ne':
      return !equals(docValue, arg, isDate);
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      const c = compareScalar(docValue, arg, isDate);
      if (c === undefined) return false;
      return op === '$gt' ? c > 0 : op === '$gte' ? c >= 0 : op === '$lt' ? c < 0 : c <= 0;
    }
    case '$in':
      return (arg as unknown[]).some((v) => equals(docValue, v, isDate));
    case '$nin':
      return !(arg as unknown[]).some((v) => equals(docValue, v, isDate));
    case '$exists':
      return (docValue !== undefined && docValue !== null) === arg;
    case '$contains':
      if (typeof docValue === 'string') return typeof arg === 'string' && docValue.includes(arg);
      if (Array.isArray(docValue))
        return docValue.some((el) => deepEqual(normalize(el, isDate), normalize(arg, isDate)));
      return false;
    case '$startsWith':
      return typeof docValue === 'string' && docValue.startsWith(arg as string);
  }
}

/** True when `doc` matches the (validated) filter. */
export function matchesFilter(doc: Document, filter: Filter | undefined, fieldTypes: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (key === '$and') {
      if (!(value as Filter[]).every((sub) => matchesFilter(doc, sub, fieldTypes))) return false;
    } else if (key === '$or') {
      if (!(value as Filter[]).some((sub) => matchesFilter(doc, sub, fieldTypes))) return false;
    } else if (key === '$not') {
      if (matchesFilter(doc, value as Filter, fieldTypes)) return false;
    } else {
      const docValue = getPath(doc, key);
      const isDate = typeOf(fieldTypes, key) === 'date';
      if (isOperatorObject(value)) {
        for (const [op, arg] of Object.entries(value)) {
          if (!applyOperator(op as FilterOperator, docValue, arg, isDate)) return false;
        }
      } else if (!equals(docValue, value, isDate)) return false;
    }
  }
  return true;
}

/** Top-level equality terms (plain values or $eq, also inside a top-level $and): field → value. */
export function equalityTerms(filter: Filter | undefined): Map<string, unknown> {
  const terms = new Map<string, unknown>();
  const visit = (f: Filter) => {
    for (const [key, value] of Object.entries(f)) {
      if (key === '$and') for (const sub of value as Filter[]) visit(sub);
      else if (key.startsWith('$')) continue;
      else if (isOperatorObject(value)) {
        if ('$eq' in value) terms.set(key, value.$eq);
      } else terms.set(key, value);
    }
  };
  visit(filter ?? {});
  return terms;
}

/** The ids a filter pins with `id: x`, `id: {$eq: x}` or `id: {$in: [...]}` (top level or in a top-level $and). */
export function pinnedIds(filter: Filter | undefined): string[] | undefined {
  let ids: string[] | undefined;
  const intersect = (next: string[]) => {
    ids = ids === undefined ? [...new Set(next)] : ids.filter((id) => next.includes(id));
  };
  const visit = (f: Filter) => {
    for (const [key, value] of Object.entries(f)) {
      if (key === '$and') for (const sub of value as Filter[]) visit(sub);
      if (key !== 'id') continue;
      if (typeof value === 'string') intersect([value]);
      else if (isOperatorObject(value)) {
        if (typeof value.$eq === 'string') intersect([value.$eq]);
        if (Array.isArray(value.$in)) intersect(value.$in.filter((v): v is string => typeof v === 'string'));
      }
    }
  };
  visit(filter ?? {});
  return ids;
}

// ---- sort ---------------------------------------------------------------------------------------------------

export type SortKey = { field: string; direction: 1 | -1 };

export function normalizeSort(ctx: FieldContext, sort: SortSpec | undefined): SortKey[] {
  if (sort === undefined) return [];
  if (!isPlainObject(sort)) {
    throw new ValidationError('sort must be an object like { "createdAt": -1, "name": "asc" }', {
      hint: 'Map each field to 1, -1, "asc" or "desc"; earlier keys sort first.',
    });
  }
  return Object.entries(sort).map(([field, dir]) => {
    checkFieldPath(ctx, field, 'sort');
    const word = typeof dir === 'string' ? dir.toLowerCase() : dir;
    const direction = word === 1 || word === 'asc' ? 1 : word === -1 || word === 'desc' ? -1 : undefined;
    if (direction === undefined) {
      throw new ValidationError(`Sort direction for "${field}" must be 1, -1, "asc" or "desc" (any case)`, {
        details: { field, direction: dir },
        hint: 'Use 1 or "asc" for ascending, -1 or "desc" for descending.',
      });
    }
    return { field, direction };
  });
}

const TYPE_RANK: Record<string, number> = { number: 0, string: 1, boolean: 2 };

function compareSortValues(a: unknown, b: unknown, isDate: boolean): number {
  const c = compareScalar(a, b, isDate);
  if (c !== undefined) return c;
  const x = normalize(a, isDate);
  const y = normalize(b, isDate);
  const rx = TYPE_RANK[typeof x] ?? 3;
  const ry = TYPE_RANK[typeof y] ?? 3;
  if (rx !== ry) return rx - ry;
  const sx = JSON.stringify(x) ?? '';
  const sy = JSON.stringify(y) ?? '';
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null;
}

/** Compares two sort-value tuples; missing values sort last whatever the direction. */
export function compareSortTuples(
  a: unknown[],
  b: unknown[],
  keys: SortKey[],
  fieldTypes: Record<string, string>,
): number {
  for (let i = 0; i < keys.length; i++) {
    const { field, direction } = keys[i]!;
    const x = a[i];
    const y = b[i];
    if (isMissing(x) || isMissing(y)) {
      if (isMissing(x) && isMissing(y)) continue;
      return isMissing(x) ? 1 : -1;
    }
    const c = compareSortValues(x, y, typeOf(fieldTypes, field) === 'date');
    if (c !== 0) return c * direction;
  }
  return 0;
}

export function sortTuple(doc: Document, keys: SortKey[]): unknown[] {
  return keys.map((k) => {
    const v = getPath(doc, k.field);
    return v instanceof Date ? v.toISOString() : v;
  });
}

/** Stable multi-key sort (Array.prototype.sort is stable). */
export function sortDocuments(docs: Document[], keys: SortKey[], fieldTypes: Record<string, string>): Document[] {
  if (keys.length === 0) return docs;
  return docs
    .map((doc) => ({ doc, tuple: sortTuple(doc, keys) }))
    .sort((a, b) => compareSortTuples(a.tuple, b.tuple, keys, fieldTypes))
    .map((x) => x.doc);
}

// ---- projection ---------------------------------------------------------------------------------------------

export function validateProjection(ctx: FieldContext, fields: unknown): string[] | undefined {
  if (fields === undefined) return undefined;
  if (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string')) {
    throw new ValidationError('fields must be an array of (dotted) field names', {
      hint: 'Example: ["name", "address.city"]; id is always included.',
    });
  }
  for (const f of fields as string[]) checkFieldPath(ctx, f, 'fields');
  return fields as string[];
}

/** Keeps only `fields` (dotted) and `id`. */
export function projectDocument(doc: Document, fields: string[] | undefined): Document {
  if (!fields) return doc;
  const out: Record<string, unknown> = { id: doc.id };
  for (const path of fields) {
    const value = getPath(doc, path);
    if (value !== undefined) setPath(out, path, value);
  }
  return out as Document;
}
