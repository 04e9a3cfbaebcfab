// Small rules about document values shared by the resource's operations.
import { ValidationError } from '../errors.js';
import { isPlainObject } from '../util/index.js';

/** Plain objects merge key by key; anything else (arrays included) replaces. */
export function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    const current = Object.hasOwn(out, k) ? out[k] : undefined;
    out[k] = isPlainObject(v) && isPlainObject(current) ? deepMerge(current, v) : v;
  }
  return out;
}

/** Read-only fields a caller may send back from a read; they are never stored as attributes. */
export function stripReadOnly(data: Record<string, unknown>): Record<string, unknown> {
  const { _truncated: _t, ...rest } = data;
  return rest;
}

/** `data` as an object of attribute values, or a ValidationError naming `what`. */
export function asRecord(data: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(data)) {
    throw new ValidationError(`${what} must be an object`, { hint: 'Pass a JSON object of attribute values.' });
  }
  return data;
}

/** The id a bulk item brings with it, if any. */
export function suppliedId(item: unknown): string | undefined {
  return isPlainObject(item) && typeof item.id === 'string' ? item.id : undefined;
}
