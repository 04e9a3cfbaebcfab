// The attribute DSL (`'string|required|max:100'`, nested objects) compiled once into a field tree and a zod
// schema, so definitions are checked at createResource and documents at every write.
import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../errors.js';
import type { AttributeSpec, Attributes } from '../types.js';
import { impossibleDate } from './dates.js';
import { checkJsonInput, isReservedName } from './json-input.js';

export const FIELD_TYPES = [
  'string',
  'number',
  'boolean',
  'date',
  'array',
  'object',
  'secret',
  'json',
  'any',
  'enum',
  'uuid',
  'url',
  'email',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const FIELD_RULES = [
  'required',
  'optional',
  'min',
  'max',
  'minlength',
  'maxlength',
  'integer',
  'positive',
  'email',
  'url',
  'uuid',
  'items',
  'values',
  'default',
] as const;
export type FieldRule = (typeof FIELD_RULES)[number];

/** Fields every document may carry besides its attributes. */
export const SYSTEM_FIELDS = ['id', 'createdAt', 'updatedAt'] as const;

export interface FieldNode {
  path: string;
  type: FieldType;
  required: boolean;
  rules: Partial<Record<FieldRule, string | true>>;
  default?: unknown;
  /** Declared nested object (flattened in metadata). */
  children?: Record<string, FieldNode>;
}

export interface CompiledSchema {
  fields: Record<string, FieldNode>;
  /** Dotted path → base type, containers included. */
  fieldTypes: Record<string, string>;
  /** Dotted paths of secret fields. */
  secretPaths: string[];
  /** Dotted paths whose values are stored as one value (every non-container field). */
  leafPaths: string[];
  /** Dotted paths of declared nested objects. */
  containerPaths: string[];
  zod: z.ZodType;
}

const NAME = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
const ITEM_TYPES: readonly FieldType[] = ['string', 'number', 'boolean', 'date', 'json', 'any', 'uuid', 'url', 'email'];

function defError(path: string, message: string, hint: string): ValidationError {
  return new ValidationError(`Attribute "${path}": ${message}`, {
    details: { attribute: path },
    hint,
    issues: [{ path, message }],
  });
}

function isObjectSpec(
  spec: object,
): spec is { type: 'object'; props: Record<string, AttributeSpec>; required?: boolean } {
  const s = spec as Record<string, unknown>;
  return s.type === 'object' && typeof s.props === 'object' && s.props !== null && !Array.isArray(s.props);
}

function parseDefault(path: string, type: FieldType, raw: string): unknown {
  const bad = () =>
    defError(
      path,
      `default "${raw}" is not a valid ${type}`,
      `Give a default of type ${type}, e.g. 'number|default:0'.`,
    );
  switch (type) {
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw bad();
      return n;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw bad();
      return raw === 'true';
    case 'array':
    case 'object':
    case 'json':
    case 'any':
      try {
        return JSON.parse(raw);
      } catch {
        if (type === 'json' || type === 'any') return raw;
        throw bad();
      }
    case 'date': {
      const d = new Date(raw);
      if (Number.isNaN(d.getTime()) || impossibleDate(raw) !== undefined) throw bad();
      return d.toISOString();
    }
    default:
      return raw;
  }
}

function parseRuleString(path: string, spec: string): FieldNode {
  const tokens = spec
    .split('|')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const typeName = tokens.shift() ?? '';
  if (!(FIELD_TYPES as readonly string[]).includes(typeName)) {
    throw defError(
      path,
      `unknown type "${typeName}"`,
      `Start the rule with one of the types: ${FIELD_TYPES.join(', ')}; then rules: ${FIELD_RULES.join(', ')}.`,
    );
  }
  const type = typeName as FieldType;
  const rules: FieldNode['rules'] = {};
  for (const token of tokens) {
    const colon = token.indexOf(':');
    const name = colon < 0 ? token : token.slice(0, colon);
    const arg = colon < 0 ? true : token.slice(colon + 1);
    if (!(FIELD_RULES as readonly string[]).includes(name)) {
      throw defError(path, `unknown rule "${name}"`, `Known rules: ${FIELD_RULES.join(', ')}.`);
    }
    rules[name as FieldRule] = arg;
  }
  for (const numeric of ['min', 'max', 'minlength', 'maxlength'] as const) {
    const v = rules[numeric];
    if (v !== undefined && (v === true || !Number.isFinite(Number(v)))) {
      throw defError(path, `rule "${numeric}" needs a number, e.g. ${numeric}:10`, `Write ${numeric}:N.`);
    }
  }
  if (type === 'enum' && (typeof rules.values !== 'string' || rules.values === '')) {
    throw defError(path, 'enum needs values, e.g. enum|values:a,b,c', "Write 'enum|values:a,b,c'.");
  }
  if (rules.items !== undefined && (type !== 'array' || !ITEM_TYPES.includes(rules.items as FieldType))) {
    throw defError(
      path,
      `items:${String(rules.items)} is not valid here`,
      `Use items on arrays with one of: ${ITEM_TYPES.join(', ')}.`,
    );
  }
  const node: FieldNode = { path, type, required: rules.required === true, rules };
  if (rules.default !== undefined) node.default = parseDefault(path, type, rules.default === true ? '' : rules.default);
  return node;
}

function compileNode(path: string, spec: AttributeSpec): FieldNode {
  if (typeof spec === 'string') return parseRuleString(path, spec);
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw defError(path, 'must be a rule string or an object of attributes', "Write e.g. 'string|required'.");
  }
  if (isObjectSpec(spec)) {
    return {
      path,
      type: 'object',
      required: spec.required === true,
      rules: {},
      children: compileFields(spec.props, path),
    };
  }
  return { path, type: 'object', required: false, rules: {}, children: compileFields(spec as Attributes, path) };
}

function compileFields(attributes: Attributes, prefix: string): Record<string, FieldNode> {
  const out: Record<string, FieldNode> = {};
  for (const [name, spec] of Object.entries(attributes)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (!NAME.test(name) || isReservedName(name)) {
      throw defError(
        path,
        'attribute names must start with a letter or _ and use letters, digits, _ $ - (and not be __proto__)',
        'Rename it.',
      );
    }
    if (!prefix && (SYSTEM_FIELDS as readonly string[]).includes(name)) {
      throw defError(path, `"${name}" is a system field`, 'Remove it: id and timestamps are managed by the engine.');
    }
    out[name] = compileNode(path, spec);
  }
  return out;
}

const wellFormed = (s: string) => s.isWellFormed();
const WELL_FORMED_MSG = 'must be well-formed Unicode (no lone surrogates)';

function stringSchema(node: FieldNode): z.ZodType {
  const r = node.rules;
  let s: z.ZodString | z.ZodEmail | z.ZodURL | z.ZodUUID;
  if (node.type === 'email' || r.email) s = z.email();
  else if (node.type === 'url' || r.url) s = z.url();
  else if (node.type === 'uuid' || r.uuid) s = z.uuid();
  else s = z.string();
  const min = r.minlength ?? r.min;
  const max = r.maxlength ?? r.max;
  if (min !== undefined) s = s.min(Number(min));
  if (max !== undefined) s = s.max(Number(max));
  return s.refine(wellFormed, WELL_FORMED_MSG);
}

function itemSchema(type: FieldType): z.ZodType {
  return baseSchema({ path: '', type, required: true, rules: {} });
}

/**
 * Why a value would not read back exactly as given (JSON turns NaN/Infinity into null; a `__proto__` key is
 * dropped or re-parents the object on the way through plain-object code), or undefined when it would.
 */
function inexactJson(value: unknown): string | undefined {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number' && !Number.isFinite(v)) return `holds ${String(v)}, which JSON cannot store`;
    if (typeof v === 'string' && !wellFormed(v)) return `holds text that ${WELL_FORMED_MSG}`;
    if (typeof v !== 'object' || v === null) continue;
    if (Object.keys(v).some((k) => !wellFormed(k))) return `holds a key that ${WELL_FORMED_MSG}`;
    if (!Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, '__proto__')) {
      return 'holds a "__proto__" key, which is not allowed';
    }
    stack.push(...Object.values(v));
  }
  return undefined;
}

function jsonValue(): z.ZodType {
  return z.unknown().superRefine((v, ctx) => {
    try {
      if (v !== undefined && JSON.stringify(v) === undefined) throw new Error('not JSON');
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON-serialisable' });
      return;
    }
    const why = inexactJson(v);
    if (why !== undefined) ctx.addIssue({ code: 'custom', message: why });
  });
}

function baseSchema(node: FieldNode): z.ZodType {
  const r = node.rules;
  switch (node.type) {
    case 'string':
    case 'email':
    case 'url':
    case 'uuid':
    case 'secret':
      return stringSchema(node);
    case 'number': {
      // -0 is stored as 0: JSON cannot carry it, and no agent means it.
      let n = z.number();
      if (r.integer) n = n.int();
      if (r.positive) n = n.positive();
      if (r.min !== undefined) n = n.min(Number(r.min));
      if (r.max !== undefined) n = n.max(Number(r.max));
      return n.transform((v) => (Object.is(v, -0) ? 0 : v));
    }
    case 'boolean':
      return z.boolean();
    case 'date':
      return z.union([z.string(), z.date()]).transform((v, ctx) => {
        const d = typeof v === 'string' ? new Date(v) : v;
        if (Number.isNaN(d.getTime())) {
          ctx.addIssue({ code: 'custom', message: 'must be an ISO date string or a Date' });
          return z.NEVER;
        }
        const impossible = typeof v === 'string' ? impossibleDate(v) : undefined;
        if (impossible !== undefined) {
          ctx.addIssue({ code: 'custom', message: `is not a real date: ${impossible}` });
          return z.NEVER;
        }
        return d.toISOString();
      });
    case 'enum':
      return z.enum(String(r.values).split(',') as [string, ...string[]]);
    case 'array': {
      let a = z.array(r.items ? itemSchema(r.items as FieldType) : jsonValue());
      const min = r.minlength ?? r.min;
      const max = r.maxlength ?? r.max;
      if (min !== undefined) a = a.min(Number(min));
      if (max !== undefined) a = a.max(Number(max));
      return a;
    }
    case 'object':
      if (node.children) return objectSchema(node.children);
      return z.record(z.string(), jsonValue());
    case 'json':
    case 'any':
      return jsonValue();
  }
}

function fieldSchema(node: FieldNode): z.ZodType {
  const base = baseSchema(node);
  if (node.required) return base;
  if (node.default !== undefined) return base.nullable().default(node.default as never);
  return base.nullable().optional();
}

function objectSchema(fields: Record<string, FieldNode>): z.ZodType {
  return z.strictObject(Object.fromEntries(Object.entries(fields).map(([k, n]) => [k, fieldSchema(n)])));
}

function walk(fields: Record<string, FieldNode>, visit: (node: FieldNode) => void): void {
  for (const node of Object.values(fields)) {
    visit(node);
    if (node.children) walk(node.children, visit);
  }
}

/** Compiles attributes; throws a ValidationError naming the attribute's dotted path on any unknown type or rule. */
export function compileSchema(attributes: Attributes, options: { timestamps?: boolean } = {}): CompiledSchema {
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw new ValidationError('attributes must be an object of attribute rules', {
      hint: "Write e.g. { name: 'string|required', age: 'number' }.",
    });
  }
  checkJsonInput(attributes, 'The attributes');
  const fields = compileFields(attributes, '');
  const fieldTypes: Record<string, string> = {};
  const secretPaths: string[] = [];
  const leafPaths: string[] = [];
  const containerPaths: string[] = [];
  walk(fields, (node) => {
    fieldTypes[node.path] = node.type;
    if (node.type === 'secret') secretPaths.push(node.path);
    if (node.children) containerPaths.push(node.path);
    else leafPaths.push(node.path);
  });
  const shape: Record<string, z.ZodType> = { id: z.string() };
  for (const [k, n] of Object.entries(fields)) shape[k] = fieldSchema(n);
  if (options.timestamps) {
    shape.createdAt = z.string().optional();
    shape.updatedAt = z.string().optional();
  }
  return { fields, fieldTypes, secretPaths, leafPaths, containerPaths, zod: z.strictObject(shape) };
}

/** Dotted path → base type for every attribute (nested objects and their fields). */
export function fieldTypes(attributes: Attributes): Record<string, string> {
  return compileSchema(attributes).fieldTypes;
}

/** Dotted paths of the secret attributes. */
export function secretPaths(attributes: Attributes): string[] {
  return compileSchema(attributes).secretPaths;
}

function issuesOf(error: z.ZodError, knownAttributes: string[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = base ? `${base}.${key}` : key;
        issues.push({ path, message: `unknown field; known attributes: ${knownAttributes.join(', ')}` });
      }
    } else {
      issues.push({ path: base || '(document)', message: issue.message });
    }
  }
  return issues;
}

/** JSON semantics: a key whose value is `undefined` is absent. */
export function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    // A plain assignment of "__proto__" would re-parent `out` instead of copying the key: keep it as an own
    // property so that validation sees (and refuses) it.
    Object.defineProperty(out, k, { value: dropUndefined(v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Validates a whole document (defaults applied, dates normalised to ISO strings). Unknown fields are rejected:
 * an agent's typo should fail loudly, not be stored where no query finds it.
 */
export function validateDocument(
  schema: CompiledSchema,
  doc: unknown,
  context: { resource: string },
): Record<string, unknown> {
  checkJsonInput(doc, `The document for "${context.resource}"`);
  const result = schema.zod.safeParse(dropUndefined(doc));
  if (result.success) return result.data as Record<string, unknown>;
  const known = Object.keys(schema.fieldTypes);
  const issues = issuesOf(result.error, known);
  const list = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new ValidationError(`Invalid document for "${context.resource}": ${list}`, {
    details: { resource: context.resource, fields: issues.map((i) => i.path) },
    hint: 'Fix the named fields and retry; describe the resource to see its attributes.',
    issues,
  });
}
