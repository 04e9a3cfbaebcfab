// Counter transactions: what one add/sub/set is, how a batch folds into a value, and how the plugin finds a
// document's transactions by LIST alone. Each transaction is a document of a plugin-owned resource (one per
// counted field) whose id carries the whole transaction — `<doc>~<time-ordered id>~<op>~<value>` — so a
// consolidation LISTs `resource=R/data/id=<doc>~` and reads no document. A LISTed data key is a stored (acknowledged)
// transaction: nothing is counted that was not written.
import { createHash } from 'node:crypto';
import { ValidationError } from '../../errors.js';
import { BASE62, generateId } from '../../ids.js';

export const COUNTER_OPERATIONS = ['add', 'sub', 'set'] as const;
export type CounterOperation = (typeof COUNTER_OPERATIONS)[number];

export interface Transaction {
  /** The transaction document's id (time-ordered after the document part). */
  id: string;
  op: CounterOperation;
  value: number;
}

/** The attributes of a transaction resource (the id carries the same facts, for LIST-only reads). */
export const TRANSACTION_ATTRIBUTES = {
  doc: 'string|required',
  op: 'string|required',
  value: 'number|required',
  at: 'string|required',
  source: 'string|optional',
} as const;

const SEPARATOR = '~';
const MAX_DOC_PART = 150;

/** The document part of a transaction id: escaped so it never holds `~`; long ids are hashed. */
export function docPart(docId: string): string {
  const escaped = encodeURIComponent(docId).replace(/~/g, '%7E');
  if (escaped.length <= MAX_DOC_PART) return escaped;
  return `%h${createHash('sha256').update(docId, 'utf8').digest('base64url')}`;
}

/** The id prefix every transaction of `docId` starts with. */
export function transactionPrefix(docId: string): string {
  return `${docPart(docId)}${SEPARATOR}`;
}

let lastMs = 0;
let sequence = 0;

/**
 * A time-ordered id part that also orders the transactions one process writes within one millisecond (and
 * never goes back with the clock): epoch ms, a per-process sequence, then randomness (generateId's).
 */
function orderedPart(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else sequence++;
  let seq = '';
  for (let n = sequence, i = 0; i < 4; i++, n = Math.floor(n / 62)) seq = BASE62[n % 62]! + seq;
  const id = generateId(lastMs);
  return `${id.slice(0, 8)}${seq}${id.slice(8)}`;
}

export function newTransactionId(docId: string, op: CounterOperation, value: number): string {
  return `${transactionPrefix(docId)}${orderedPart()}${SEPARATOR}${op}${SEPARATOR}${String(value)}`;
}

/** The transaction a data key's id describes, or null when it is not one. */
export function transactionOfId(id: string): Transaction | null {
  const parts = id.split(SEPARATOR);
  if (parts.length !== 4) return null;
  const op = parts[2] as CounterOperation;
  const value = Number(parts[3]);
  if (!COUNTER_OPERATIONS.includes(op) || parts[3] === '' || !Number.isFinite(value)) return null;
  return { id, op, value };
}

/** A finite number, or a ValidationError naming `what`. */
export function checkAmount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(`${what} must be a finite number`, {
      issues: [{ path: 'value', message: 'must be a finite number' }],
      hint: 'Pass a number such as 5 or -2.5.',
    });
  }
  return value;
}

/** The time-ordered part of a transaction id (ids of one document sort by it). */
function timePart(id: string): string {
  return id.split(SEPARATOR)[1] ?? id;
}

/** `base` with the transactions applied in time order (a `set` replaces what came before it). */
export function fold(base: number, transactions: readonly Transaction[]): number {
  let value = base;
  const ordered = [...transactions].sort((a, b) => (timePart(a.id) < timePart(b.id) ? -1 : 1));
  for (const tx of ordered) {
    if (tx.op === 'set') value = tx.value;
    else if (tx.op === 'add') value += tx.value;
    else value -= tx.value;
  }
  return value;
}
