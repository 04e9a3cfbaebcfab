// One JSON value ⇄ one header-safe ASCII string. The first character is a type tag, so decoding never guesses:
// s raw string · p percent-encoded string · b base64url UTF-8 string · ~ dictionary · i base62 integer ·
// n other number · d ISO date as base62 epoch ms · U uuid bytes · h/H lower/upper hex bytes · j/q/J JSON text.
import { CorruptedValueError } from './errors.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Common values stored as `~` + one character (order is part of the format: append only). */
const DICTIONARY: readonly unknown[] = [
  true,
  false,
  null,
  'active',
  'inactive',
  'pending',
  'yes',
  'no',
  'true',
  'false',
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'none',
  'null',
  'enabled',
  'disabled',
  'draft',
  'published',
  'archived',
  'open',
  'closed',
  'done',
  'todo',
  'success',
  'error',
  'failed',
  'completed',
  'cancelled',
  'admin',
  'user',
  'ok',
  'on',
  'off',
];

const DICT_INDEX = new Map<unknown, number>(DICTIONARY.map((v, i) => [v, i]));

export function toBase62(n: number): string {
  if (n === 0) return '0';
  let out = '';
  let v = Math.abs(n);
  while (v > 0) {
    out = BASE62[v % 62]! + out;
    v = Math.floor(v / 62);
  }
  return (n < 0 ? '-' : '') + out;
}

export function fromBase62(s: string): number {
  const neg = s.startsWith('-');
  let v = 0;
  for (const ch of neg ? s.slice(1) : s) {
    const d = BASE62.indexOf(ch);
    if (d < 0) throw new CorruptedValueError(`bad base62 digit "${ch}"`);
    v = v * 62 + d;
  }
  return neg ? -v : v;
}

/** Printable ASCII that does not end in a space: survives an HTTP header (which trims) exactly. */
const RAW_SAFE = /^(?:[\x20-\x7e]*[\x21-\x7e])?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX_LOWER = /^(?:[0-9a-f]{2}){8,}$/;
const HEX_UPPER = /^(?:[0-9A-F]{2}){8,}$/;
const ISO = /^[+-]?\d{4,6}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function percentEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += c >= 0x20 && c <= 0x7e && ch !== '%' ? ch : encodeURIComponent(ch);
  }
  // HTTP trims trailing white space: escape a final space.
  if (out.endsWith(' ')) out = `${out.slice(0, -1)}%20`;
  return out;
}

/** Encodes text with the shortest exact form; tags are [raw, percent, base64]. */
function encodeText(s: string, tags: readonly [string, string, string]): string {
  if (RAW_SAFE.test(s)) return tags[0] + s;
  const pct = percentEncode(s);
  const b64 = Buffer.from(s, 'utf8').toString('base64url');
  return pct.length <= b64.length ? tags[1] + pct : tags[2] + b64;
}

function encodeString(s: string): string {
  const dict = DICT_INDEX.get(s);
  if (dict !== undefined) return `~${BASE62[dict]!}`;
  if (ISO.test(s)) {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms) && new Date(ms).toISOString() === s) return `d${toBase62(ms)}`;
  }
  if (UUID.test(s)) return `U${Buffer.from(s.replaceAll('-', ''), 'hex').toString('base64url')}`;
  if (HEX_LOWER.test(s)) return `h${Buffer.from(s, 'hex').toString('base64url')}`;
  if (HEX_UPPER.test(s)) return `H${Buffer.from(s, 'hex').toString('base64url')}`;
  return encodeText(s, ['s', 'p', 'b']);
}

/** Encodes one JSON value as a self-describing, header-safe ASCII string. */
export function encodeValue(value: unknown): string {
  const dict = typeof value === 'string' ? undefined : DICT_INDEX.get(value);
  if (dict !== undefined) return `~${BASE62[dict]!}`;
  if (typeof value === 'string') return encodeString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CorruptedValueError('numbers must be finite');
    if (Number.isSafeInteger(value)) return `i${toBase62(value)}`;
    return `n${String(value)}`;
  }
  const json = JSON.stringify(value);
  if (json === undefined) throw new CorruptedValueError(`cannot encode a ${typeof value}`);
  return encodeText(json, ['j', 'q', 'J']);
}

/** Decodes what `encodeValue` produced; throws CorruptedValueError on anything else. */
export function decodeValue(encoded: string): unknown {
  const tag = encoded[0];
  const rest = encoded.slice(1);
  switch (tag) {
    case 's':
      return rest;
    case 'p':
      return decodeURIComponent(rest);
    case 'b':
      return Buffer.from(rest, 'base64url').toString('utf8');
    case '~': {
      const i = BASE62.indexOf(rest);
      if (rest.length !== 1 || i < 0 || i >= DICTIONARY.length)
        throw new CorruptedValueError(`unknown dictionary code`);
      return DICTIONARY[i];
    }
    case 'i':
      return fromBase62(rest);
    case 'n': {
      const n = Number(rest);
      if (rest === '' || Number.isNaN(n)) throw new CorruptedValueError('bad number');
      return n;
    }
    case 'd':
      return new Date(fromBase62(rest)).toISOString();
    case 'U': {
      const hex = Buffer.from(rest, 'base64url').toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    case 'h':
      return Buffer.from(rest, 'base64url').toString('hex');
    case 'H':
      return Buffer.from(rest, 'base64url').toString('hex').toUpperCase();
    case 'j':
      return JSON.parse(rest);
    case 'q':
      return JSON.parse(decodeURIComponent(rest));
    case 'J':
      return JSON.parse(Buffer.from(rest, 'base64url').toString('utf8'));
    default:
      throw new CorruptedValueError(`unknown type tag "${tag ?? ''}"`);
  }
}

/** Encodes a string in a text form only (no dictionary/date/uuid), so that any prefix of it is also text. */
export function encodeTextValue(s: string): string {
  return encodeText(s, ['s', 'p', 'b']);
}
