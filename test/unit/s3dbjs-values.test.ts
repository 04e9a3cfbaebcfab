// The s3db.js value decoders on their own: escapes, packings and the cipher layout, property-tested where the
// input space is large (every other case is pinned by the 21.6.2 fixture in test/compat).
import { createCipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectS3dbjsCatalog } from '../../engine/compat/s3dbjs/catalog.js';
import { decryptS3dbjsSecret } from '../../engine/compat/s3dbjs/cipher.js';
import { decodeField } from '../../engine/compat/s3dbjs/field.js';
import { fieldSpec } from '../../engine/compat/s3dbjs/schema.js';
import {
  fromBase62,
  fromBase62Decimal,
  ip6FromBytes,
  isoDuration,
  metadataDecode,
  splitEscaped,
} from '../../engine/compat/s3dbjs/values.js';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const toBase62 = (n: number): string => {
  if (n === 0) return '0';
  let s = '';
  for (let v = Math.abs(n); v > 0; v = Math.floor(v / 62)) s = ALPHABET[v % 62]! + s;
  return (n < 0 ? '-' : '') + s;
};

describe('s3db.js values', () => {
  it('base62 (digits, a-z, A-Z) reads every safe integer back', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => fromBase62(toBase62(n)) === n));
    expect(fromBase62('FfGNdXsE7')).toBe(Number.MAX_SAFE_INTEGER);
    expect(fromBase62('!')).toBeNaN();
    expect(fromBase62Decimal('-r.106')).toBe(-27.106);
    expect(fromBase62Decimal('?.1')).toBeNaN();
  });

  it('metadata escapes: literals, dictionary, percent, base64, and anything else as stored', () => {
    expect(metadataDecode('null')).toBeNull();
    expect(metadataDecode('undefined')).toBeUndefined();
    expect(metadataDecode('d:j')).toBe('application/json');
    expect(metadataDecode('d:f')).toBe('failed');
    expect(metadataDecode('d:@L8080/')).toBe('http://localhost:8080/');
    expect(metadataDecode('d:@?x')).toBe('d:@?x');
    expect(metadataDecode('u:S%C3%A3o')).toBe('São');
    expect(metadataDecode('u:%E0%A4%A')).toBe('u:%E0%A4%A');
    expect(metadataDecode('b:OTMyNCDpioDluqfpgJrjgoo=')).toBe('9324 銀座通り');
    expect(metadataDecode('x:y')).toBe('x:y');
    expect(metadataDecode('u:')).toBe('u:');
  });

  it('arrays split on unescaped `|` and keep escaped ones', () => {
    expect(splitEscaped('a|b\\|c|d\\\\')).toEqual(['a', 'b|c', 'd\\']);
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1 }), (items) => {
        const joined = items.map((s) => s.replaceAll('\\', '\\\\').replaceAll('|', '\\|')).join('|');
        expect(splitEscaped(joined)).toEqual(items);
      }),
    );
  });

  it('ip6 comes back in the canonical compressed form (as URL parsing prints it)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 0, 0, 1, 0xabcd, 0xffff), { minLength: 8, maxLength: 8 }), (groups) => {
        const bytes = Buffer.alloc(16);
        groups.forEach((g, i) => bytes.writeUInt16BE(g, i * 2));
        const full = groups.map((g) => g.toString(16)).join(':');
        expect(ip6FromBytes(bytes)).toBe(new URL(`http://[${full}]/`).hostname.slice(1, -1));
      }),
    );
  });

  it('durations print as ISO 8601 the way s3db.js does', () => {
    expect(isoDuration(0)).toBe('PT0S');
    expect(isoDuration(500)).toBe('PT0.500S');
    expect(isoDuration(93_784_005)).toBe('P1DT2H3M4.005S');
    expect(isoDuration(86_400_000)).toBe('P1D');
  });

  it('a value that does not parse under its type is returned as stored', () => {
    const cases: [string, string][] = [
      ['ip4|optional', 'not-base64!'],
      ['ip6', 'short'],
      ['money', 'no-dollar'],
      ['uuid', 'not-a-packed-uuid'],
      ['mac', '01:23'],
      ['cidr', '1.2.3.4/5'],
      ['semver', '1.2.3'],
      ['phone', '+55'],
      ['color', '#fff'],
      ['duration', 'PT1H'],
      ['ean', '12345678'],
      ['geo:point', 'nope'],
      ['json', '{broken'],
      ['datetime', ''],
      ['timeonly', ''],
      ['dateonly', ''],
      ['number|integer:true', ''],
    ];
    for (const [def, raw] of cases) expect(decodeField(fieldSpec(def), raw), def).toBe(raw);
    expect(decodeField(fieldSpec('embedding:4'), '')).toEqual([]);
    expect(decodeField(fieldSpec('array|items:number|length:300'), '^[0,1,-1]')).toEqual([0, 1e-6, -1e-6]);
    expect(decodeField(fieldSpec('array|items:number|integer:true'), '')).toEqual([]);
    expect(decodeField(fieldSpec('any'), '[1,2]')).toEqual([1, 2]);
    expect(decodeField(fieldSpec('boolean'), 'yes')).toBe(true);
    expect(decodeField(fieldSpec('string'), null)).toBeNull();
  });

  it('secrets: salt ‖ iv ‖ ciphertext ‖ tag under PBKDF2-SHA256; a wrong passphrase is an EncryptionError', async () => {
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const key = pbkdf2Sync('pass', salt, 100_000, 32, 'sha256');
    const seal = (text: string) => {
      const c = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([c.update(text, 'utf8'), c.final()]);
      return Buffer.concat([salt, iv, ct, c.getAuthTag()]).toString('base64');
    };
    const keyFor = async () => key;
    expect(await decryptS3dbjsSecret(seal('sk_ünï 🔑'), 'k', keyFor)).toBe('sk_ünï 🔑');
    expect(await decryptS3dbjsSecret(seal('null'), 'k', keyFor)).toBeNull();
    expect(await decryptS3dbjsSecret(seal('undefined'), 'k', keyFor)).toBeUndefined();
    const wrong = async () => pbkdf2Sync('other', salt, 1, 32, 'sha256');
    await expect(decryptS3dbjsSecret(seal('x'), 'k', wrong)).rejects.toMatchObject({ code: 'ENCRYPTION' });
    await expect(decryptS3dbjsSecret('c2hvcnQ=', 'k', keyFor)).rejects.toMatchObject({ code: 'ENCRYPTION' });
  });
});

describe('s3db.js catalog detection', () => {
  const own = '0.1.0';
  it('recognizes s3db.js by its schemaRegistry, or by resources without a keyMap from another writer', () => {
    const v1 = { attributes: { a: 'string' } };
    const registry = { resources: { r: { versions: { v1 }, schemaRegistry: { mapping: { a: 0 } } } } };
    expect(detectS3dbjsCatalog({ s3dbVersion: '21.6.2', ...registry }, own)?.resources.r?.currentVersion).toBe('v1');
    expect(detectS3dbjsCatalog({ s3dbVersion: '19.0.0', resources: { r: { versions: { v1 } } } }, own)).not.toBeNull();
  });
  it("never takes this engine's catalogs (or an empty one) for s3db.js", () => {
    expect(detectS3dbjsCatalog({ s3dbVersion: '0.2.0', resources: {} }, own)).toBeNull();
    expect(detectS3dbjsCatalog({ s3dbVersion: own, resources: { r: { versions: {} } } }, own)).toBeNull();
    const ours = { s3dbVersion: '0.9.0', resources: { r: { versions: { v0: { attributes: {} } }, keyMap: {} } } };
    expect(detectS3dbjsCatalog(ours, own)).toBeNull();
    expect(detectS3dbjsCatalog([], own)).toBeNull();
  });
});
