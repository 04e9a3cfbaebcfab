// Opaque page cursors: base64url JSON of where the last page stopped plus a fingerprint of the query, so a
// cursor can only resume the query it came from.
import { createHash } from 'node:crypto';
import stringify from 'json-stable-stringify';
import { ValidationError } from '../errors.js';
import { jsonInputProblem } from '../schema/index.js';

export interface CursorState {
  /** Unsorted: the last LIST key (data key or reference key) consumed. */
  k?: string;
  /** Sorted: the sort tuple and id of the last record returned. */
  t?: unknown[];
  id?: string;
}

interface CursorPayload extends CursorState {
  v: 1;
  fp: string;
}

export function fingerprint(parts: unknown): string {
  return createHash('sha256')
    .update(stringify(parts) ?? '')
    .digest('base64url')
    .slice(0, 16);
}

export function encodeCursor(fp: string, state: CursorState): string {
  const payload: CursorPayload = { v: 1, fp, ...state };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

function invalid(reason: string): ValidationError {
  return new ValidationError(`Invalid cursor: ${reason}`, {
    hint: 'Pass back the nextCursor of the previous page of the same query (same filter, sort and partition), or omit cursor to start over.',
  });
}

export function decodeCursor(cursor: string, fp: string): CursorState {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a cursor this server issued');
  }
  if (!payload || typeof payload !== 'object' || (payload as CursorPayload).v !== 1) {
    throw invalid('not a cursor this server issued');
  }
  const p = payload as CursorPayload;
  if (p.fp !== fp) throw invalid('it belongs to a different query');
  // The fingerprint is not a secret (anyone can compute it), so every field is checked before it reaches a LIST
  // (k is a startAfter key) or a comparison (t and id): a forged cursor is a VALIDATION error, never INTERNAL.
  if (p.k !== undefined && (typeof p.k !== 'string' || !p.k.isWellFormed())) throw invalid('its position is not a key');
  if (p.t !== undefined) {
    if (!Array.isArray(p.t) || jsonInputProblem(p.t) !== undefined) throw invalid('its sort position is malformed');
    if (typeof p.id !== 'string') throw invalid('its sort position has no id');
  }
  return { ...(p.k !== undefined ? { k: p.k } : {}), ...(p.t !== undefined ? { t: p.t, id: p.id } : {}) };
}
