// Partition definitions and reference keys: `resource=NAME/partition=PART/FIELD=VALUE[/FIELD=VALUE…]/id=ID`.
//
// Escaping: a value is percent-encoded for `%`, `/`, `=`, C0/C1 control characters and DEL (as `%XX` of its
// UTF-8 bytes), and a lone UTF-16 surrogate as `%uXXXX`. Everything else (emoji, accents, `.`) is kept as is,
// so keys stay readable and `decodePartitionValue(encodePartitionValue(v)).value === v` for every string. Because every segment is
// `FIELD=VALUE`, no value can produce a `/`, a bare `=`, or a `..` segment.
//
// Long values: an encoded value over MAX_ENCODED_VALUE_BYTES is stored as a readable prefix, the marker `%~`
// and the base64url SHA-256 of the full value (`%~` never occurs in an encoded value since `%` is encoded).
// The key then identifies the value only up to the hash, so the planner always re-checks the document, and
// listPartitions reports such values with `truncated: true`.
import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { partitionsRoot, partitionValuesPrefix, referenceKey, splitReference } from '../keys.js';
import type { Document, PartitionDefinition } from '../types.js';
import { isReservedName } from '../schema/index.js';
import { getPath } from '../util/index.js';

const MAX_ENCODED_VALUE_BYTES = 160;
const HASHED_PREFIX_BYTES = 96;
const HASH_MARKER = '%~';
const MAX_KEY_BYTES = 1024;

/** Base types a partition field rule may name. */
export const PARTITION_RULE_TYPES = [
  'string',
  'number',
  'integer',
  'boolean',
  'date',
  'enum',
  'uuid',
  'email',
  'url',
  'any',
] as const;
export type PartitionRuleType = (typeof PARTITION_RULE_TYPES)[number];

/** Attribute types that cannot be partitioned on (no single scalar value). */
const UNPARTITIONABLE_TYPES = ['object', 'array', 'json', 'secret'] as const;

export interface PartitionRule {
  type: PartitionRuleType;
  /** Keep only the first N characters (code points) of the value: `'string|maxlength:2'`, `'date|maxlength:10'`. */
  maxLength?: number;
}

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function parsePartitionRule(partition: string, field: string, rule: string): PartitionRule {
  const [type, ...modifiers] = rule.split('|').map((part) => part.trim());
  if (!PARTITION_RULE_TYPES.includes(type as PartitionRuleType)) {
    throw new ValidationError(`Partition "${partition}" field "${field}" has an unknown rule "${rule}"`, {
      details: { partition, field, rule },
      hint: `A partition rule starts with one of ${PARTITION_RULE_TYPES.join(', ')}, optionally followed by |maxlength:N (e.g. 'string|maxlength:2', 'date|maxlength:10').`,
    });
  }
  const out: PartitionRule = { type: type as PartitionRuleType };
  for (const modifier of modifiers) {
    const match = /^maxlength:(\d+)$/.exec(modifier);
    if (!match || Number(match[1]) < 1) {
      throw new ValidationError(
        `Partition "${partition}" field "${field}" has an unknown rule modifier "${modifier}"`,
        {
          details: { partition, field, rule },
          hint: 'The only modifier is maxlength:N with N ≥ 1 (e.g. "string|maxlength:2").',
        },
      );
    }
    out.maxLength = Number(match[1]);
  }
  return out;
}

/**
 * Validates partition definitions against the attribute types and sorts each partition's fields alphabetically.
 * Unknown attributes, secret/object/array fields, unknown rules and unsafe partition names are errors.
 */
export function normalizePartitions(
  fieldTypes: Record<string, string>,
  partitions: Record<string, PartitionDefinition> | undefined,
): Record<string, PartitionDefinition> {
  const out: Record<string, PartitionDefinition> = {};
  for (const [name, def] of Object.entries(partitions ?? {})) {
    if (!NAME_PATTERN.test(name) || isReservedName(name)) {
      throw new ValidationError(`Partition name "${name}" is not allowed`, {
        details: { partition: name },
        hint: 'Partition names use 1 to 64 letters, digits, _ or - (and are not __proto__).',
      });
    }
    const fields = def?.fields;
    if (!fields || typeof fields !== 'object' || Object.keys(fields).length === 0) {
      throw new ValidationError(`Partition "${name}" has no fields`, {
        details: { partition: name },
        hint: "Define it as { fields: { region: 'string' } }.",
      });
    }
    for (const [field, rule] of Object.entries(fields)) {
      const type = Object.hasOwn(fieldTypes, field) ? fieldTypes[field] : undefined;
      if (type === undefined) {
        throw new ValidationError(`Partition "${name}" uses unknown attribute "${field}"`, {
          details: { partition: name, field, attributes: Object.keys(fieldTypes) },
          hint: `Partition fields must be attributes of the resource: ${Object.keys(fieldTypes).join(', ')}`,
        });
      }
      if ((UNPARTITIONABLE_TYPES as readonly string[]).includes(type)) {
        throw new ValidationError(`Partition "${name}" cannot use ${type} field "${field}"`, {
          details: { partition: name, field, type },
          hint:
            type === 'secret'
              ? 'Secret fields are encrypted and cannot appear in object keys; partition on a non-secret field.'
              : 'Partition on a scalar field (string, number, boolean, date, enum…).',
        });
      }
      if (typeof rule !== 'string') {
        throw new ValidationError(`Partition "${name}" field "${field}" needs a rule string`, {
          details: { partition: name, field },
          hint: "Use a rule such as 'string', 'number' or 'date|maxlength:10'.",
        });
      }
      parsePartitionRule(name, field, rule);
    }
    out[name] = { fields: Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
  }
  return out;
}

/**
 * The string a value is stored under in a partition key, after its rule's bucketing; `undefined` when the value
 * cannot be partitioned (missing, null, object, array).
 */
export function partitionValueString(rule: PartitionRule, value: unknown): string | undefined {
  let text: string;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return undefined;
    text = value.toISOString();
  } else if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
    text = String(value);
  } else if (typeof value === 'boolean') text = String(value);
  else return undefined;
  if (rule.maxLength !== undefined) {
    const chars = Array.from(text);
    if (chars.length > rule.maxLength) text = chars.slice(0, rule.maxLength).join('');
  }
  return text;
}

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

function percentBytes(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/** Escapes one key segment component exactly (see the file comment). */
function escapeSegment(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += value[i]! + value[i + 1]!;
        i++;
      } else out += `%u${code.toString(16).toUpperCase()}`;
    } else if (code >= 0xdc00 && code <= 0xdfff) out += `%u${code.toString(16).toUpperCase()}`;
    else if (code === 0x25 || code === 0x2f || code === 0x3d || isControl(code)) out += percentBytes(value[i]!);
    else out += value[i]!;
  }
  return out;
}

/** Reverses escapeSegment. Throws on a malformed escape (a key not written by this module). */
function unescapeSegment(text: string): string {
  let out = '';
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length) out += Buffer.from(bytes).toString('utf8');
    bytes = [];
  };
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '%') {
      flush();
      out += text[i]!;
      continue;
    }
    if (text[i + 1] === 'u') {
      flush();
      const hex = text.slice(i + 2, i + 6);
      if (!/^[0-9A-F]{4}$/.test(hex)) throw malformed(text);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 5;
      continue;
    }
    const hex = text.slice(i + 1, i + 3);
    if (!/^[0-9A-F]{2}$/.test(hex)) throw malformed(text);
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  flush();
  return out;
}

function malformed(text: string): ValidationError {
  return new ValidationError('Malformed partition key segment', {
    details: { segment: text.slice(0, 200) },
    hint: 'This key was not written by s3db-mcp; run heal to find stray objects under the partition prefix.',
  });
}

function truncateUtf8(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** The encoded form of a partition value in a key: escaped, or prefix + `%~` + hash when too long. */
export function encodePartitionValue(value: string): string {
  const escaped = escapeSegment(value);
  if (Buffer.byteLength(escaped, 'utf8') <= MAX_ENCODED_VALUE_BYTES) return escaped;
  // Cut the escaped text on a whole escape (never in the middle of `%XX`).
  let prefix = truncateUtf8(escaped, HASHED_PREFIX_BYTES);
  const lastPercent = prefix.lastIndexOf('%');
  if (lastPercent >= 0) {
    const tail = prefix.slice(lastPercent);
    const complete = tail[1] === 'u' ? tail.length >= 6 : tail.length >= 3;
    if (!complete) prefix = prefix.slice(0, lastPercent);
  }
  const hash = createHash('sha256').update(value, 'utf8').digest('base64url');
  return `${prefix}${HASH_MARKER}${hash}`;
}

/** Decodes an encoded partition value; `truncated` when the key holds only a prefix and a hash of it. */
export function decodePartitionValue(encoded: string): { value: string; truncated: boolean } {
  const marker = encoded.indexOf(HASH_MARKER);
  if (marker >= 0) return { value: unescapeSegment(encoded.slice(0, marker)), truncated: true };
  return { value: unescapeSegment(encoded), truncated: false };
}

/**
 * The exact LIST prefix of one value combination, with a trailing `/` so `region=US` never matches
 * `region=US-East`. `values` are already-bucketed strings (see partitionValueString) for every field.
 */
export function partitionPrefix(resourceName: string, partition: string, values: Record<string, string>): string {
  const fields = Object.keys(values).sort();
  const segments = fields.map((field) => `${escapeSegment(field)}=${encodePartitionValue(values[field]!)}/`);
  return partitionValuesPrefix(resourceName, partition, segments.join(''));
}

/**
 * The bucketed value strings of `doc` for one partition, or null when a field is missing, null or not a scalar
 * (such a document is simply not in that partition: no reference is written).
 */
export function partitionValuesOf(
  partition: string,
  def: PartitionDefinition,
  doc: unknown,
): Record<string, string> | null {
  const values: Record<string, string> = {};
  for (const [field, ruleText] of Object.entries(def.fields)) {
    const text = partitionValueString(parsePartitionRule(partition, field, ruleText), getPath(doc, field));
    if (text === undefined) return null;
    values[field] = text;
  }
  return values;
}

/** The reference key of `doc` in each partition; a partition whose field is missing/null in `doc` has no entry. */
export function partitionReferenceKeys(
  resourceName: string,
  partitions: Record<string, PartitionDefinition>,
  doc: Document,
): Map<string, string> {
  const keys = new Map<string, string>();
  for (const [name, def] of Object.entries(partitions)) {
    const values = partitionValuesOf(name, def, doc);
    if (!values) continue;
    const key = referenceKey(partitionPrefix(resourceName, name, values), doc.id);
    if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
      throw new ValidationError(`Partition reference key for "${name}" would exceed ${MAX_KEY_BYTES} bytes`, {
        details: { resource: resourceName, partition: name, id: doc.id },
        hint: 'Use a shorter id, fewer partition fields, or a maxlength rule on the partition fields.',
      });
    }
    keys.set(name, key);
  }
  return keys;
}

export interface ParsedReference {
  partition: string;
  /** Decoded values (a truncated value holds only its readable prefix). */
  values: Record<string, string>;
  /** The encoded `FIELD=VALUE/…` part, identical for every reference of one value combination. */
  valuesKey: string;
  truncated: boolean;
  id: string;
}

/** Parses a reference key back to its partition, values and id; null when it is not a reference of `resourceName`. */
export function parseReferenceKey(resourceName: string, key: string): ParsedReference | null {
  const root = partitionsRoot(resourceName);
  if (!key.startsWith(root)) return null;
  const split = splitReference(key.slice(root.length));
  if (!split) return null;
  const { partition, valueSegments: valuesKey, id } = split;
  const values: Record<string, string> = {};
  let truncated = false;
  for (const segment of valuesKey.split('/').slice(0, -1)) {
    const eq = segment.indexOf('=');
    if (eq < 0) return null;
    const decoded = decodePartitionValue(segment.slice(eq + 1));
    values[unescapeSegment(segment.slice(0, eq))] = decoded.value;
    truncated ||= decoded.truncated;
  }
  return { partition, values, valuesKey, truncated, id };
}

/**
 * Writes one reference object: an empty body, and the schema version of the document in `-v` when known (the data object's VERSION_FIELD). The
 * writer and heal both use it, so references always have the same form.
 */
export async function writePartitionReference(
  store: { put(key: string, body: string, metadata?: Record<string, string>): Promise<unknown> },
  key: string,
  version?: string,
): Promise<void> {
  await store.put(key, '', version === undefined ? {} : { '-v': version });
}
