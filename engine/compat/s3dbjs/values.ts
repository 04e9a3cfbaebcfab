// s3db.js 21 value encodings, read side only: its base62 (lower case first, unlike ours), the S3 client's
// metadata escapes (`u:` percent, `b:` base64, `d:` dictionary) and the per-type packings its Schema applies.
// Written from the stored bytes of test/fixtures/s3dbjs-21.6.2; a value that does not parse is returned as
// stored, never guessed at.

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGIT = new Map([...ALPHABET].map((c, i) => [c, i]));

/** s3db.js base62 (digits, a-z, A-Z); NaN on a character outside the alphabet. */
export function fromBase62(s: string): number {
  const neg = s.startsWith('-');
  let v = 0;
  for (const ch of neg ? s.slice(1) : s) {
    const d = DIGIT.get(ch);
    if (d === undefined) return NaN;
    v = v * 62 + d;
  }
  return neg ? -v : v;
}

/** Base36 metadata key of a schemaRegistry index. */
export function keyOfIndex(index: number): string {
  return index.toString(36);
}

/** `int.frac` with the integer part in base62 (s3db.js `number` that is not an integer). */
export function fromBase62Decimal(s: string): number {
  const neg = s.startsWith('-');
  const [int = '', frac] = (neg ? s.slice(1) : s).split('.');
  const i = fromBase62(int);
  if (Number.isNaN(i)) return NaN;
  const n = frac === undefined ? i : Number(`${i}.${frac}`);
  return neg ? -n : n;
}

const CONTENT_TYPES: Record<string, string> = {
  j: 'application/json',
  X: 'application/xml',
  J: 'application/ld+json',
  H: 'text/html',
  T: 'text/plain',
  C: 'text/css',
  V: 'text/javascript',
  v: 'text/csv',
  P: 'image/png',
  I: 'image/jpeg',
  G: 'image/gif',
  S: 'image/svg+xml',
  W: 'image/webp',
  Q: 'application/pdf',
  z: 'application/zip',
  o: 'application/octet-stream',
  u: 'application/x-www-form-urlencoded',
  F: 'multipart/form-data',
  w: 'font/woff',
  // status words share the one-letter table
  p: 'processing',
  c: 'completed',
  s: 'succeeded',
  x: 'cancelled',
  t: 'timeout',
  r: 'retrying',
  a: 'authorized',
  K: 'captured',
  R: 'refunded',
  d: 'declined',
  h: 'shipped',
  D: 'delivered',
  e: 'returned',
  i: 'in_transit',
  n: 'initialized',
  m: 'terminated',
  // `f` is both font/woff2 and failed in s3db.js; its reverse table keeps the later entry.
  f: 'failed',
};

const URL_PREFIXES: Record<string, string> = {
  '@1': '/api/v1/',
  '@2': '/api/v2/',
  '@3': '/api/v3/',
  '@a': '/api/',
  '@A': 'https://api.example.com/',
  '@H': 'https://api.',
  '@W': 'https://www.',
  '@h': 'https://',
  '@t': 'http://',
  '@s': 'https://s3.amazonaws.com/',
  '@S': 'https://s3-',
  '@L': 'http://localhost:',
  '@l': 'http://localhost',
  '@v': '/v1/',
  '@u': '/users/',
  '@p': '/products/',
};

/**
 * A metadata value as s3db.js's S3 client sent it → the mapped value: `null`/`undefined` literals, `d:`
 * dictionary codes, `u:` percent-encoding, `b:` base64; anything else is as stored.
 */
export function metadataDecode(value: string): string | null | undefined {
  if (value === 'null') return null;
  if (value === 'undefined') return undefined;
  if (value.length <= 2 || value[1] !== ':') return value;
  const payload = value.slice(2);
  switch (value[0]) {
    case 'd': {
      if (payload.length === 1 && Object.hasOwn(CONTENT_TYPES, payload)) return CONTENT_TYPES[payload];
      const prefix = URL_PREFIXES[payload.slice(0, 2)];
      return prefix === undefined ? value : prefix + payload.slice(2);
    }
    case 'u':
      try {
        return decodeURIComponent(payload);
      } catch {
        return value;
      }
    case 'b':
      return Buffer.from(payload, 'base64').toString('utf8');
    default:
      return value;
  }
}

/** Splits `a|b\|c` on unescaped separators (s3db.js arrays of strings and numbers). */
export function splitEscaped(s: string, sep = '|'): string[] {
  const items: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && i + 1 < s.length) {
      cur += s[++i];
    } else if (ch === sep) {
      items.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  items.push(cur);
  return items;
}

/** `^<base62>` scaled by 10^precision, or `^[a,b,…]` for a vector. */
export function fromFixedPoint(s: string, precision: number): number {
  if (!s.startsWith('^')) return NaN;
  return fromBase62(s.slice(1)) / 10 ** precision;
}

export function fromFixedPointBatch(s: string, precision: number): number[] | null {
  if (!s.startsWith('^[') || !s.endsWith(']')) return null;
  const inner = s.slice(2, -1);
  if (inner === '') return [];
  return inner.split(',').map((p) => fromBase62(p) / 10 ** precision);
}

/** `~<base62>` latitude/longitude shifted by +90/+180 and scaled by 10^precision. */
export function fromGeo(s: string, offset: number, precision: number): number {
  if (!s.startsWith('~')) return NaN;
  return fromBase62(s.slice(1)) / 10 ** precision - offset;
}

export function ip6FromBytes(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  // Compress the longest run (≥ 2) of zero groups, the first one on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** ISO 8601 duration of `ms` as s3db.js prints it (`P1DT2H`, `PT0.5S`, `PT0S`). */
export function isoDuration(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor((ms % 86_400_000) / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  const millis = ms % 1000;
  let out = 'P';
  if (days) out += `${days}D`;
  if (hours || minutes || seconds || millis) {
    out += 'T';
    if (hours) out += `${hours}H`;
    if (minutes) out += `${minutes}M`;
    if (seconds && millis) out += `${seconds}.${String(millis).padStart(3, '0')}S`;
    else if (seconds) out += `${seconds}S`;
    else if (millis) out += `0.${String(millis).padStart(3, '0')}S`;
  }
  return out === 'P' ? 'PT0S' : out;
}
