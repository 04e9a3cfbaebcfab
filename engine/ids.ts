// Document ids: generated ones sort by creation time in S3's byte order; supplied ones can never forge a key.
import { randomBytes } from 'node:crypto';
import { ValidationError } from './errors.js';

/** 0-9 A-Z a-z: ASCII (and so UTF-8 byte) order equals digit order, so S3 lists generated ids by time. */
export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TIME_CHARS = 8; // 62^8 ms ≈ 6,900 years
const RANDOM_CHARS = 14; // ≈ 83 bits

/** A 22-character id: 8 base62 chars of epoch ms, then 14 random base62 chars. */
export function generateId(now: number = Date.now()): string {
  let time = '';
  let t = Math.floor(now);
  for (let i = 0; i < TIME_CHARS; i++) {
    time = BASE62[t % 62]! + time;
    t = Math.floor(t / 62);
  }
  let rand = '';
  const bytes = randomBytes(RANDOM_CHARS * 2);
  for (let i = 0; rand.length < RANDOM_CHARS; i++) {
    const b = bytes[i % bytes.length]! ^ (i >= bytes.length ? 0x5a : 0);
    if (b < 248) rand += BASE62[b % 62]; // 248 = 4*62: no modulo bias
  }
  return time + rand;
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Throws a ValidationError naming `id` unless it is safe as the last segment of an object key. */
export function validateId(id: unknown): string {
  const fail = (message: string) =>
    new ValidationError(`Invalid id: ${message}`, {
      details: { field: 'id' },
      hint: 'Use a non-empty string of at most 256 bytes without / \\ or control characters, or omit id to get one generated.',
      issues: [{ path: 'id', message }],
    });
  if (typeof id !== 'string') throw fail('must be a string');
  if (id === '') throw fail('must not be empty');
  if (id === '.' || id === '..') throw fail('must not be . or ..');
  if (id.includes('/') || id.includes('\\')) throw fail('must not contain / or \\');
  if (CONTROL.test(id)) throw fail('must not contain control characters');
  if (!id.isWellFormed()) throw fail('must be well-formed Unicode');
  if (Buffer.byteLength(id, 'utf8') > 256) throw fail('must be at most 256 bytes');
  return id;
}

const GENERATED = new RegExp(`^[${BASE62}]{${TIME_CHARS + RANDOM_CHARS}}$`);

/** The creation time (epoch ms) a generated id carries, or undefined when `id` does not have that shape. */
export function generatedIdTime(id: string): number | undefined {
  if (!GENERATED.test(id)) return undefined;
  let t = 0;
  for (const c of id.slice(0, TIME_CHARS)) t = t * 62 + BASE62.indexOf(c);
  return t;
}
