// The audit log's tamper evidence. Each writer (one AuditPlugin instance, i.e. one server process) keeps its own
// hash chain: record n of chain C stores `chain` C, `seq` n, `prev` (the hash of record n-1, GENESIS for n=0) and
// `hash`, an HMAC-SHA256 (keyed when the plugin has a key) of the record's stable JSON. Per-writer chains never
// fork: servers sharing a bucket each extend their own, and within a process `seq`/`prev` are assigned
// synchronously before the write, so concurrent operations still form one line. Verification (heal) recomputes
// every hash and walks each chain: an edited record, a removed one (a gap or a broken link) and a forged one (a
// wrong hash, a duplicate position, or no chain at all) are reported, never "repaired". docs/plugins.md "Audit".
import { createHash, createHmac } from 'node:crypto';
import stringify from 'json-stable-stringify';
import type { HealProblem } from '../../types.js';

/** `prev` of the first record of a chain. */
export const GENESIS = '0'.repeat(64);

/** The chain fields an audit record carries. */
export interface ChainLink {
  chain: string;
  seq: number;
  prev: string;
  hash: string;
}

/** Fields that are not part of the hashed content: the hash itself and what the engine adds on its own. */
const UNHASHED = new Set(['hash', 'createdAt', 'updatedAt']);

/** The hash of an audit record's content (every field but `hash`), keyed when `key` is given. */
export function recordHash(record: Record<string, unknown>, key: string | undefined): string {
  const content = Object.fromEntries(Object.entries(record).filter(([k, v]) => !UNHASHED.has(k) && v !== undefined));
  const text = stringify(content) ?? '';
  return key === undefined
    ? createHash('sha256').update(text).digest('hex')
    : createHmac('sha256', key).update(text).digest('hex');
}

/** One writer's position in its chain: hands out links in call order (synchronously, so no two share a seq). */
export class ChainWriter {
  private seq = 0;
  private prev = GENESIS;

  constructor(
    readonly chain: string,
    private readonly key: string | undefined,
  ) {}

  /** How many links this writer handed out. */
  get length(): number {
    return this.seq;
  }

  /** Adds chain, seq, prev and hash to `entry` (which must not change afterwards). */
  link(entry: Record<string, unknown>): Record<string, unknown> {
    const linked = { ...entry, chain: this.chain, seq: this.seq, prev: this.prev };
    const hash = recordHash(linked, this.key);
    this.seq++;
    this.prev = hash;
    return { ...linked, hash };
  }
}

function isLink(record: Record<string, unknown>): record is Record<string, unknown> & ChainLink {
  return (
    typeof record.chain === 'string' &&
    typeof record.seq === 'number' &&
    Number.isInteger(record.seq) &&
    record.seq >= 0 &&
    typeof record.prev === 'string' &&
    typeof record.hash === 'string'
  );
}

export interface VerifyOptions {
  resource: string;
  key: string | undefined;
  /** The live writer of this process: its chain must reach `length` records (a removed tail is caught here). */
  live?: { chain: string; length: number; failed: number };
}

/** Every break in the chains of `records` (any order), as heal problems; empty when the log is intact. */
export function verifyChains(records: Record<string, unknown>[], options: VerifyOptions): HealProblem[] {
  const problems: HealProblem[] = [];
  const problem = (kind: string, message: string, id?: string) =>
    problems.push({ kind, resource: options.resource, ...(id === undefined ? {} : { id }), message, repaired: false });
  const chains = new Map<string, (Record<string, unknown> & ChainLink)[]>();
  const unchained: string[] = [];
  for (const record of records) {
    if (!isLink(record)) {
      unchained.push(String(record.id));
      continue;
    }
    if (recordHash(record, options.key) !== record.hash) {
      problem(
        'audit-record-tampered',
        `Audit record of chain ${record.chain} at position ${record.seq} does not match its hash: it was edited or forged`,
        String(record.id),
      );
    }
    const list = chains.get(record.chain) ?? [];
    list.push(record);
    chains.set(record.chain, list);
  }
  if (unchained.length > 0) {
    problem(
      'audit-record-unchained',
      `${unchained.length} audit record(s) carry no hash chain (written before chaining, or forged): ` +
        unchained.slice(0, 10).join(', ') +
        (unchained.length > 10 ? ', …' : ''),
    );
  }
  for (const [chain, list] of chains) {
    list.sort((a, b) => a.seq - b.seq);
    let expected = 0;
    let prevHash: string | undefined = GENESIS;
    for (const record of list) {
      const id = String(record.id);
      if (record.seq < expected) {
        problem('audit-record-forged', `Two audit records claim position ${record.seq} of chain ${chain}`, id);
        continue;
      }
      if (record.seq > expected) {
        const range = record.seq - 1 === expected ? `${expected}` : `${expected}-${record.seq - 1}`;
        problem('audit-record-missing', `Audit record(s) ${range} of chain ${chain} are missing (removed)`);
        prevHash = undefined; // the link across a gap cannot be checked
      }
      if (prevHash !== undefined && record.prev !== prevHash) {
        problem(
          'audit-chain-broken',
          `Audit record ${record.seq} of chain ${chain} does not link to the record before it (removed, replaced or forged)`,
          id,
        );
      }
      prevHash = record.hash;
      expected = record.seq + 1;
    }
    const live = options.live;
    if (live !== undefined && live.chain === chain && expected < live.length) {
      problem(
        'audit-record-missing',
        `Chain ${chain} (this server) ends at ${expected} record(s) but this server wrote ${live.length}` +
          (live.failed > 0 ? ` (${live.failed} write(s) failed and were reported then)` : '') +
          ': the newest records were removed',
      );
    }
  }
  const live = options.live;
  if (live !== undefined && live.length > 0 && !chains.has(live.chain)) {
    problem('audit-record-missing', `Every record of chain ${live.chain} (this server wrote ${live.length}) is gone`);
  }
  return problems;
}
