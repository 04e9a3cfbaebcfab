// One stored s3db.js value (after the metadata escapes) → the value it stood for, by the kind of its attribute.
// Where s3db.js's own reader changes what it stored (a quoted `date`, JSON-looking text in a string field), this
// returns what was stored; a value that does not parse under its kind is returned as stored.
import { isPlainObject } from '../../util/index.js';
import type { FieldSpec } from './schema.js';
import {
  fromBase62,
  fromBase62Decimal,
  fromFixedPoint,
  fromFixedPointBatch,
  fromGeo,
  ip6FromBytes,
  isoDuration,
  splitEscaped,
} from './values.js';

/** `{0: 31, 1: 231, …}` (a Buffer after s3db.js's sanitizeDeep) → base64 of those bytes. */
export function bytesToBase64(obj: Record<string, unknown>): string {
  const bytes: number[] = [];
  for (let i = 0; Object.hasOwn(obj, String(i)); i++) bytes.push(Number(obj[String(i)]));
  return Buffer.from(bytes).toString('base64');
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const finite = (n: number, raw: string): number | string => (Number.isFinite(n) ? n : raw);

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function decodeText(spec: FieldSpec, raw: string): unknown {
  switch (spec.kind) {
    case 'embedding':
      if (raw === '') return [];
      return fromFixedPointBatch(raw, spec.precision) ?? splitEscaped(raw).map((p) => fromFixedPoint(p, 6));
    case 'array-string':
      return raw === '' ? [] : splitEscaped(raw);
    case 'array-integer':
      return raw === '' ? [] : splitEscaped(raw).map(fromBase62);
    case 'array-decimal':
      return raw === '' ? [] : splitEscaped(raw).map(fromBase62Decimal);
    case 'ip4': {
      const b = Buffer.from(raw, 'base64');
      return b.length === 4 ? [...b].join('.') : raw;
    }
    case 'ip6': {
      const b = Buffer.from(raw, 'base64');
      return raw.length === 24 && b.length === 16 ? ip6FromBytes(b) : raw;
    }
    case 'buffer':
      return raw;
    case 'money':
      return raw.startsWith('$') ? finite(fromBase62(raw.slice(1)) / 10 ** spec.precision, raw) : raw;
    case 'decimal':
      return finite(fromFixedPoint(raw, spec.precision), raw);
    case 'geo-lat':
      return finite(fromGeo(raw, 90, spec.precision), raw);
    case 'geo-lon':
      return finite(fromGeo(raw, 180, spec.precision), raw);
    case 'geo-point': {
      const parts = raw.split('~').filter((p) => p !== '');
      if (parts.length !== 2) return raw;
      return {
        latitude: fromGeo(`~${parts[0]}`, 90, spec.precision),
        longitude: fromGeo(`~${parts[1]}`, 180, spec.precision),
      };
    }
    case 'integer':
      return raw === '' ? raw : finite(fromBase62(raw), raw);
    case 'number':
      return raw === '' ? raw : finite(fromBase62Decimal(raw), raw);
    case 'boolean':
      return ['true', '1', 'yes', 'y'].includes(raw);
    case 'json':
      return raw === '' ? raw : parseJson(raw);
    case 'uuid': {
      if (raw.length !== 24 || raw.includes('-')) return raw;
      const hex = [0, 6, 12, 18]
        .map((i) =>
          fromBase62(raw.slice(i, i + 6))
            .toString(16)
            .padStart(8, '0'),
        )
        .join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    case 'datetime': {
      const ms = fromBase62(raw);
      return raw === '' || !Number.isFinite(ms) ? raw : new Date(ms).toISOString();
    }
    case 'dateonly': {
      const days = fromBase62(raw);
      return raw === '' || !Number.isFinite(days) ? raw : new Date(days * 86_400_000).toISOString().slice(0, 10);
    }
    case 'timeonly': {
      const ms = fromBase62(raw);
      if (raw === '' || !Number.isFinite(ms)) return raw;
      const secs = Math.floor(ms / 1000);
      return `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}.${pad(ms % 1000, 3)}`;
    }
    case 'mac':
      if (raw.length !== 9 || raw.includes(':')) return raw;
      return fromBase62(raw).toString(16).padStart(12, '0').match(/.{2}/g)!.join(':');
    case 'cidr': {
      if (raw.length !== 7 || raw.includes('.')) return raw;
      const ip = fromBase62(raw.slice(0, 6));
      return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}/${fromBase62(raw.slice(6))}`;
    }
    case 'semver': {
      if (raw === '' || raw.includes('.')) return raw;
      const p = fromBase62(raw);
      return `${Math.floor(p / 1_000_000)}.${Math.floor((p % 1_000_000) / 1000)}.${p % 1000}`;
    }
    case 'phone':
      return raw === '' || raw.startsWith('+') ? raw : `+${fromBase62(raw)}`;
    case 'color':
      return raw.length === 5 && !raw.startsWith('#') ? `#${fromBase62(raw).toString(16).padStart(6, '0')}` : raw;
    case 'duration':
      return raw === '' || raw.startsWith('P') ? raw : isoDuration(fromBase62(raw));
    case 'ean': {
      const len = ({ '0': 8, '1': 13, '2': 12, '3': 14 } as Record<string, number>)[raw[0] ?? ''];
      if (len === undefined || /^\d{8,14}$/.test(raw)) return raw;
      return String(fromBase62(raw.slice(1))).padStart(len, '0');
    }
    case 'quoted-date':
      // s3db.js stored JSON.stringify(Date): the quoted ISO string; the stored value is the string inside.
      return raw.startsWith('"') ? parseJson(raw) : raw;
    case 'any':
      return raw.startsWith('{') || raw.startsWith('[') ? parseJson(raw) : raw;
    default:
      // string, secret (decrypted later), password (compact hash): as stored.
      return raw;
  }
}

/** The value a stored s3db.js field stands for; `null` and non-strings (body JSON numbers) pass through. */
export function decodeField(spec: FieldSpec, stored: unknown): unknown {
  // update() of an enforce-limits record wrote the Buffer (as a plain object of bytes) into a JSON body.
  if (spec.kind === 'buffer' && isPlainObject(stored)) return bytesToBase64(stored);
  if (typeof stored !== 'string') return stored;
  return decodeText(spec, stored);
}
