// The eventual-consistency plugin: numeric fields (balances, counters, stock) changed from many processes
// without a lock and without losing an update. add/sub/set write one transaction document each (one PUT) and
// return at once; consolidate folds a document's pending transactions into its counter state with a
// conditional write, then copies the value into the document's field. Details: docs/plugins.md.
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { generateId } from '../../ids.js';
import { counterStateKey, dataKey, idOfDataKey, isResourceName } from '../../keys.js';
import type { BeforeHooks, OperationArgs, Plugin, PluginHost, PluginResourceInfo } from '../../pipeline/index.js';
import { listKeys } from '../../storage/index.js';
import { deletePath, getPath, isPlainObject, mapLimit, setPath } from '../../util/index.js';
import { readState, writeState, type AnalyticsRow, type CounterState } from './counter-state.js';
import {
  TRANSACTION_ATTRIBUTES,
  checkAmount,
  fold,
  newTransactionId,
  transactionOfId,
  transactionPrefix,
  type CounterOperation,
  type Transaction,
} from './transactions.js';

export const EVENTUAL_CONSISTENCY_PLUGIN = 'EventualConsistencyPlugin';
export const ANALYTICS_PERIODS = ['hour', 'day', 'month'] as const;
export type AnalyticsPeriod = (typeof ANALYTICS_PERIODS)[number];

export interface EventualConsistencyOptions {
  /** Resource name → its counted numeric fields (dotted paths allowed). */
  resources: Record<string, string[]>;
  /** Consolidate every document with pending transactions this often (ms; 0 = only on demand). Default 0. */
  consolidateIntervalMs?: number;
  /** Keep applied transactions this long before deleting them (ms). Default 0: deleted once applied. */
  retentionMs?: number;
  /** Parallel requests while consolidating (default 8). */
  concurrency?: number;
}

export interface ConsolidateReport {
  resource: string;
  field: string;
  id: string;
  value: number;
  applied: number;
  pruned: number;
}

export interface AnalyticsBucket {
  bucket: string;
  count: number;
  sum: number;
  min: number;
  max: number;
}

const MAX_CAS_ATTEMPTS = 50;

function bucketOf(period: AnalyticsPeriod, at: string): string {
  return period === 'hour' ? at.slice(0, 13) : period === 'day' ? at.slice(0, 10) : at.slice(0, 7);
}

/** One consolidation's analytics row per period (count, sum, min, max of the add/sub deltas). */
export function analyticsRows(transactions: readonly Transaction[], at: string): AnalyticsRow[] {
  const deltas = transactions.filter((t) => t.op !== 'set').map((t) => (t.op === 'add' ? t.value : -t.value));
  if (deltas.length === 0) return [];
  // A loop, not Math.min(...deltas): one consolidation can fold more transactions than a call may take arguments.
  const row = { count: deltas.length, sum: 0, min: Infinity, max: -Infinity };
  for (const delta of deltas) {
    row.sum += delta;
    row.min = Math.min(row.min, delta);
    row.max = Math.max(row.max, delta);
  }
  return ANALYTICS_PERIODS.map((period) => ({ period, bucket: bucketOf(period, at), ...row }));
}

export class EventualConsistencyPlugin implements Plugin {
  readonly name = EVENTUAL_CONSISTENCY_PLUGIN;
  readonly before: BeforeHooks;
  private readonly fields: Map<string, string[]>;
  private readonly intervalMs: number;
  private readonly retentionMs: number;
  private readonly concurrency: number;
  private db: PluginHost | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private counters = { transactions: 0, consolidated: 0, applied: 0, conflicts: 0, errors: 0 };

  constructor(options: EventualConsistencyOptions) {
    const entries = Object.entries(options?.resources ?? {});
    if (entries.length === 0 || entries.some(([, f]) => !Array.isArray(f) || f.length === 0)) {
      throw new ValidationError('EventualConsistencyPlugin needs at least one resource with at least one field', {
        hint: "Use e.g. new EventualConsistencyPlugin({ resources: { accounts: ['balance'] } }).",
      });
    }
    this.fields = new Map(entries.map(([r, f]) => [r, [...new Set(f)]]));
    for (const [resource, fields] of this.fields) {
      for (const field of fields) {
        if (!isResourceName(this.transactionResource(resource, field))) {
          throw new ValidationError(`Counter "${resource}.${field}" gives a transaction resource name too long`, {
            hint: 'Use shorter resource or field names (letters, digits, _ and - only).',
          });
        }
      }
    }
    this.intervalMs = options.consolidateIntervalMs ?? 0;
    this.retentionMs = options.retentionMs ?? 0;
    this.concurrency = options.concurrency ?? 8;
    // `update` accepts `{ field: { $inc: n } }` on a counted field: the increment becomes a transaction.
    this.before = { update: (args, ctx) => this.increments(ctx.resourceName, args, ctx.call.actor) };
  }

  /** The plugin-owned resource holding the transactions of one counted field. */
  transactionResource(resource: string, field: string): string {
    return `plg_ec_${resource}_${field.replace(/\./g, '__')}`;
  }

  /** The counted resources and fields. */
  get counted(): Record<string, string[]> {
    return Object.fromEntries(this.fields);
  }

  async setup(db: PluginHost): Promise<void> {
    this.db = db;
    for (const [resource, fields] of this.fields) {
      for (const field of fields) {
        await db.createResource({
          name: this.transactionResource(resource, field),
          createdBy: this.name,
          attributes: { ...TRANSACTION_ATTRIBUTES },
        });
        await db.createResource({
          name: this.analyticsResource(resource, field),
          createdBy: this.name,
          attributes: {
            period: 'string|required',
            bucket: 'string|required',
            count: 'number|required',
            sum: 'number|required',
            min: 'number|required',
            max: 'number|required',
          },
        });
      }
    }
    if (this.intervalMs > 0) {
      this.timer = setInterval(() => {
        if (this.running) return;
        this.running = this.consolidateAll()
          .catch(() => this.counters.errors++)
          .finally(() => (this.running = undefined));
      }, this.intervalMs);
      this.timer.unref();
    }
  }

  async teardown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  appliesTo(resource: PluginResourceInfo): boolean {
    return this.fields.has(resource.name);
  }

  describe(): Record<string, unknown> {
    return {
      resources: this.counted,
      consolidateIntervalMs: this.intervalMs,
      retentionMs: this.retentionMs,
      stats: { ...this.counters },
    };
  }

  private analyticsResource(resource: string, field: string): string {
    return `${this.transactionResource(resource, field)}_analytics`;
  }

  private requireDb(): PluginHost {
    if (!this.db) {
      throw new ValidationError(`${this.name} is not set up`, { hint: 'Register it with db.use() and connect first.' });
    }
    return this.db;
  }

  private checkCounted(resource: string, field: string): void {
    if (!(this.fields.get(resource) ?? []).includes(field)) {
      const known = [...this.fields].flatMap(([r, fs]) => fs.map((f) => `${r}.${f}`));
      throw new ValidationError(`"${resource}.${field}" is not a counted field`, {
        details: { resource, field },
        hint: `Counted fields: ${known.join(', ')}.`,
      });
    }
  }

  /** Writes one transaction (one PUT) and returns its id; the value changes at the next consolidation. */
  async record(
    resource: string,
    id: string,
    field: string,
    op: CounterOperation,
    amount: number,
    source?: string,
  ): Promise<string> {
    this.checkCounted(resource, field);
    const value = checkAmount(amount, `The ${op} amount`);
    const txId = newTransactionId(id, op, value);
    await this.requireDb()
      .withoutPlugins()
      .resource(this.transactionResource(resource, field))
      .insert({ id: txId, doc: id, op, value, at: new Date().toISOString(), ...(source ? { source } : {}) });
    this.counters.transactions++;
    return txId;
  }

  add(resource: string, id: string, field: string, amount: number, source?: string): Promise<string> {
    return this.record(resource, id, field, 'add', amount, source);
  }

  sub(resource: string, id: string, field: string, amount: number, source?: string): Promise<string> {
    return this.record(resource, id, field, 'sub', amount, source);
  }

  set(resource: string, id: string, field: string, value: number, source?: string): Promise<string> {
    return this.record(resource, id, field, 'set', value, source);
  }

  /** The transactions of one counter present in the bucket (one LIST per 1,000). */
  private async transactions(resource: string, field: string, id: string): Promise<Transaction[]> {
    const txResource = this.transactionResource(resource, field);
    const keys = await listKeys(this.requireDb().store, dataKey(txResource, transactionPrefix(id)));
    const out: Transaction[] = [];
    for (const key of keys) {
      const tx = transactionOfId(idOfDataKey(txResource, key) ?? '');
      if (tx) out.push(tx);
    }
    return out;
  }

  /** The consolidated value, or with `pending` also the transactions not yet consolidated. */
  async value(resource: string, id: string, field: string, options: { pending?: boolean } = {}): Promise<number> {
    this.checkCounted(resource, field);
    const { state, etag } = await readState(this.requireDb().store, counterStateKey(resource, field, id));
    if (etag === undefined) state.value = await this.documentValue(resource, id, field);
    if (!options.pending) return state.value;
    const fresh = (await this.transactions(resource, field, id)).filter((t) => !Object.hasOwn(state.applied, t.id));
    return fold(state.value, fresh);
  }

  /**
   * Folds the pending transactions of one counter into its state (conditional write: racing consolidators
   * never apply a transaction twice nor drop one), writes the analytics rows, deletes transactions past the
   * retention window, and copies the value into the document's field when the document exists.
   */
  async consolidate(resource: string, id: string, field: string): Promise<ConsolidateReport> {
    this.checkCounted(resource, field);
    const db = this.requireDb();
    const key = counterStateKey(resource, field, id);
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const { state, etag } = await readState(db.store, key);
      // A counter begins at the document's value of the field (0 without one).
      if (etag === undefined) state.value = await this.documentValue(resource, id, field);
      const present = await this.transactions(resource, field, id);
      const presentIds = new Set(present.map((t) => t.id));
      const fresh = present.filter((t) => !Object.hasOwn(state.applied, t.id));
      const now = Date.now();
      const applied: Record<string, number> = {};
      // Applied transactions stay listed until deleted; once gone from the LIST they leave the state too.
      for (const [txId, at] of Object.entries(state.applied)) if (presentIds.has(txId)) applied[txId] = at;
      for (const t of fresh) applied[t.id] = now;
      const rows = analyticsRows(fresh, new Date(now).toISOString());
      const next: CounterState = {
        value: fold(state.value, fresh),
        applied,
        batches: { ...state.batches, ...(rows.length > 0 ? { [generateId(now)]: rows } : {}) },
        consolidatedAt: new Date(now).toISOString(),
      };
      const changed =
        fresh.length > 0 || Object.keys(applied).length !== Object.keys(state.applied).length || etag === undefined;
      if (changed && !(await writeState(db.store, key, next, etag))) {
        this.counters.conflicts++;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** attempt)));
        continue;
      }
      await this.flushAnalytics(resource, field, key);
      const expired = Object.entries(applied)
        .filter(([, at]) => now - at >= this.retentionMs)
        .map(([txId]) => txId);
      if (expired.length > 0) {
        // Raw multi-object deletes (1 request per 1,000), not the engine's delete (HEAD, tombstone PUT, DELETE per
        // transaction): a transaction is written once and never updated, so no update can race the delete, and
        // its resource has no partitions. Nothing else reads it: it is plugin-owned.
        const txResource = this.transactionResource(resource, field);
        await db.store.deleteMany(expired.map((txId) => dataKey(txResource, txId)));
      }
      await this.copyToDocument(resource, id, field, next.value);
      this.counters.consolidated++;
      this.counters.applied += fresh.length;
      return { resource, field, id, value: next.value, applied: fresh.length, pruned: expired.length };
    }
    throw new ConflictError(`Counter "${resource}/${id}.${field}" kept changing during consolidation`, {
      hint: 'Many consolidators are running at once; retry.',
      retryable: true,
    });
  }

  /** Writes the analytics rows of the state's pending batches (idempotent by id), then forgets those batches. */
  private async flushAnalytics(resource: string, field: string, key: string): Promise<void> {
    const db = this.requireDb();
    const analytics = db.withoutPlugins().resource(this.analyticsResource(resource, field));
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const { state, etag } = await readState(db.store, key);
      const batches = Object.entries(state.batches);
      if (batches.length === 0) return;
      for (const [batch, rows] of batches) {
        for (const row of rows) {
          try {
            await analytics.insert({ id: `${row.period}~${row.bucket}~${batch}`, ...row });
          } catch (e) {
            if (!(e instanceof ConflictError)) throw e; // written by an earlier attempt: exactly once
          }
        }
      }
      const left = { ...state.batches };
      for (const [batch] of batches) delete left[batch];
      if (await writeState(db.store, key, { ...state, batches: left }, etag)) return;
    }
  }

  private async documentValue(resource: string, id: string, field: string): Promise<number> {
    const doc = await this.requireDb().withoutPlugins().resource(resource).getOrNull(id);
    const value = doc ? getPath(doc, field) : undefined;
    return typeof value === 'number' && Number.isFinite(value) ? value : 0;
  }

  private async copyToDocument(resource: string, id: string, field: string, value: number): Promise<void> {
    const target = this.requireDb().withoutPlugins().resource(resource);
    const patch: Record<string, unknown> = {};
    setPath(patch, field, value);
    try {
      await target.update(id, patch);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e; // a counter of a document that does not exist (yet)
    }
  }

  /** Consolidates every counter with transactions in the bucket. */
  async consolidateAll(): Promise<ConsolidateReport[]> {
    const db = this.requireDb();
    const work: { resource: string; field: string; id: string }[] = [];
    for (const [resource, fields] of this.fields) {
      for (const field of fields) {
        const txResource = this.transactionResource(resource, field);
        const ids = new Map<string, string>();
        for (const key of await listKeys(db.store, dataKey(txResource, ''))) {
          const txId = idOfDataKey(txResource, key);
          if (txId === null || !transactionOfId(txId)) continue;
          const part = txId.slice(0, txId.indexOf('~'));
          if (!ids.has(part)) ids.set(part, txId);
        }
        for (const [part, txId] of ids) {
          const id = part.startsWith('%h')
            ? String((await db.withoutPlugins().resource(txResource).get(txId)).doc)
            : decodeURIComponent(part);
          work.push({ resource, field, id });
        }
      }
    }
    return mapLimit(work, this.concurrency, (w) => this.consolidate(w.resource, w.id, w.field));
  }

  /** Per-period analytics of one counted field (all documents): count, sum, min, max of the changes. */
  async analytics(resource: string, field: string, period: AnalyticsPeriod): Promise<AnalyticsBucket[]> {
    this.checkCounted(resource, field);
    const db = this.requireDb();
    const name = this.analyticsResource(resource, field);
    const keys = await listKeys(db.store, dataKey(name, `${period}~`));
    const ids = keys.map((k) => idOfDataKey(name, k)).filter((k): k is string => k !== null);
    const { records } = await db.withoutPlugins().resource(name).getMany(ids, { concurrency: this.concurrency });
    const buckets = new Map<string, AnalyticsBucket>();
    for (const r of records) {
      const b = buckets.get(String(r.bucket));
      const row = { count: Number(r.count), sum: Number(r.sum), min: Number(r.min), max: Number(r.max) };
      if (!b) buckets.set(String(r.bucket), { bucket: String(r.bucket), ...row });
      else {
        b.count += row.count;
        b.sum += row.sum;
        b.min = Math.min(b.min, row.min);
        b.max = Math.max(b.max, row.max);
      }
    }
    return [...buckets.values()].sort((a, b) => (a.bucket < b.bucket ? -1 : 1));
  }

  /**
   * `update(id, { balance: { $inc: -30 } })` on a counted field: each increment becomes an `add` transaction and
   * leaves the patch (the rest of the update runs as usual). The document must exist.
   */
  private async increments(
    resource: string,
    args: OperationArgs['update'],
    actor: string | undefined,
  ): Promise<OperationArgs['update'] | undefined> {
    const counted = (this.fields.get(resource) ?? []).filter((f) => isIncrement(getPath(args.patch, f)));
    if (counted.length === 0) return undefined;
    const target = this.requireDb().withoutPlugins().resource(resource);
    if (!(await target.exists(args.id))) {
      throw new NotFoundError(`No document "${args.id}" in "${resource}"`, {
        details: { resource, id: args.id },
        hint: 'Insert the document first; counters change existing documents.',
      });
    }
    const patch = structuredClone(args.patch);
    for (const field of counted) {
      await this.add(resource, args.id, field, (getPath(args.patch, field) as { $inc: number }).$inc, actor);
      deletePath(patch, field);
    }
    return { ...args, patch };
  }
}

export function isIncrement(value: unknown): value is { $inc: number } {
  return isPlainObject(value) && Object.keys(value).length === 1 && typeof value.$inc === 'number';
}
