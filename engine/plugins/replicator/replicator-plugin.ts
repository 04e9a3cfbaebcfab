// The replicator: every insert/update/replace/upsert/delete of chosen resources also lands in other systems
// (PostgreSQL, another s3db bucket, an SQS queue), and none is lost when the process dies or a target is down.
// Each write runs inside this plugin's middleware: an outbox entry is PUT in the bucket BEFORE the write, and
// after it (succeeded or not) the document's current state is delivered and the entry deleted. A process that
// dies between the write and the delivery leaves the entry; a restart, the drain timer, or heal delivers it.
// Delivery is at-least-once and state-based (the current document, numbered by RevisionClock), so replays
// change nothing and a target never goes back to an older revision. docs/replication.md.
import { ValidationError } from '../../errors.js';
import { generateId } from '../../ids.js';
import { REPLICATOR_PREFIX, RESOURCES_PREFIX, resourceOfRoot } from '../../keys.js';
import { listCommonPrefixes } from '../../storage/index.js';
import type { PrometheusFamily } from '../../observe/index.js';
import type {
  AroundHooks,
  BeforeHooks,
  Middleware,
  OperationContext,
  Plugin,
  PluginHost,
  PluginResourceInfo,
  WriteOperation,
} from '../../pipeline/index.js';
import { mapLimit } from '../../util/index.js';
import { Deliverer, type ResourceRule, type TargetStats } from './deliverer.js';
import { DeliveryQueue } from './delivery-queue.js';
import { countDrift, emptyDrift, mergeWithTarget, type DriftReport } from './drift.js';
import { Outbox } from './outbox.js';
import { RevisionClock } from './revision-clock.js';
import { createTarget, type TargetOptions } from './targets/index.js';
import type { ReplicationTarget } from './types.js';

export interface ReplicatorPluginOptions {
  /** Plugin name (default 'ReplicatorPlugin'). */
  name?: string;
  /** Targets: driver instances, or connection URLs (postgres://, sqs://, s3://, http(s)://, file://, memory://). */
  targets: (ReplicationTarget | string)[];
  /** Options for targets given as URLs (passphrase of an s3db target, secrets mode, table names…). */
  targetOptions?: TargetOptions;
  /**
   * Which resources: every user resource (default), a list of names (plugin-owned ones too when named), or
   * name → rule (`true`, or `{ fields, transform }`).
   */
  resources?: string[] | Record<string, true | ResourceRule>;
  exclude?: string[];
  /** Bucket prefix of the outbox and revisions (default `plugin=replicator/`). */
  prefix?: string;
  /** Documents delivered in parallel (default 8). */
  concurrency?: number;
  /** First retry delay after a failed delivery, doubled per attempt up to maxRetryMs (defaults 500, 30000). */
  retryMs?: number;
  maxRetryMs?: number;
  /** How often the outbox is listed for entries other processes left behind (default 10000; 0: never). */
  drainIntervalMs?: number;
  /**
   * Age after which another process's outbox entry is drained (default 60000): younger ones may belong to a
   * write still in flight, whose own process will deliver it.
   */
  graceMs?: number;
  /** Wait for the delivery before the write returns (default false: writes return once stored). */
  awaitDelivery?: boolean;
}

export interface ReplicatorTargetStats extends TargetStats {
  name: string;
  kind: string;
  /** Outbox entries this process knows of that this target has not taken yet. */
  pending: number;
  /** Age in ms of the oldest of them (0 when none). */
  lagMs: number;
}

export interface ResyncReport {
  resource: string;
  documents: number;
  /** Documents removed from targets because the bucket no longer has them. */
  removed: number;
  failed: number;
}

const WRITES: readonly WriteOperation[] = ['insert', 'update', 'replace', 'upsert', 'delete'];

interface PendingEntry {
  at: number;
  remaining: Set<string>;
}

export class ReplicatorPlugin implements Plugin {
  readonly name: string;
  readonly before: BeforeHooks;
  readonly around: AroundHooks;
  readonly targets: readonly ReplicationTarget[];
  private readonly options: ReplicatorPluginOptions;
  private readonly rules = new Map<string, ResourceRule>();
  private readonly listed: Set<string> | undefined;
  private readonly prefix: string;
  private db: PluginHost | undefined;
  private deliverer: Deliverer | undefined;
  private outbox: Outbox | undefined;
  private queue: DeliveryQueue | undefined;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<number> | undefined;
  private readonly pending = new Map<string, PendingEntry>();
  private readonly onHealed = () => void this.drain().catch(() => undefined);

  constructor(options: ReplicatorPluginOptions) {
    if (!options || !Array.isArray(options.targets) || options.targets.length === 0) {
      throw new ValidationError('ReplicatorPlugin needs at least one target', {
        hint: "Use e.g. new ReplicatorPlugin({ targets: ['postgres://user@127.0.0.1:5432/app'] }).",
      });
    }
    this.options = options;
    this.name = options.name ?? 'ReplicatorPlugin';
    this.prefix = options.prefix ?? REPLICATOR_PREFIX;
    const targets = options.targets.map((t, i) =>
      typeof t === 'string' ? createTarget(t, options.targetOptions ?? {}, i) : t,
    );
    const names = new Set<string>();
    for (const t of targets) {
      if (names.has(t.name)) {
        throw new ValidationError(`Two replication targets are named "${t.name}"`, {
          hint: 'Name each target: a #name at the end of its URL, or the name option of the driver.',
        });
      }
      names.add(t.name);
    }
    this.targets = targets;
    if (Array.isArray(options.resources)) this.listed = new Set(options.resources);
    else if (options.resources) {
      this.listed = new Set(Object.keys(options.resources));
      for (const [name, rule] of Object.entries(options.resources)) if (rule !== true) this.rules.set(name, rule);
    }
    const mw: Middleware<WriteOperation> = (ctx, next) => this.replicate(ctx, next);
    this.around = Object.fromEntries(WRITES.map((op) => [op, mw])) as AroundHooks;
    // An insert without an id gets its id here, so the outbox entry can name the document before it exists.
    this.before = {
      insert: ({ data }) => (data.id === undefined ? { data: { ...data, id: generateId() } } : undefined),
    };
  }

  appliesTo(resource: PluginResourceInfo): boolean {
    if (resource.name.startsWith('plg_') && !this.listed?.has(resource.name)) return false;
    if (this.options.exclude?.includes(resource.name)) return false;
    if (this.listed) return this.listed.has(resource.name);
    return resource.createdBy === 'user';
  }

  setup(db: PluginHost): void {
    this.db = db;
    this.outbox = new Outbox(db.store, this.prefix);
    this.deliverer = new Deliverer(db, new RevisionClock(db.store, this.prefix), this.targets, this.rules);
    this.queue = new DeliveryQueue({
      concurrency: this.options.concurrency ?? 8,
      retryMs: this.options.retryMs ?? 500,
      maxRetryMs: this.options.maxRetryMs ?? 30_000,
      run: (job, entries) => this.runJob(job.resource, job.id, entries),
    });
    db.on('healed', this.onHealed);
    const every = this.options.drainIntervalMs ?? 10_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.drain().catch(() => undefined), every);
      this.timer.unref();
    }
    // Entries left by a process that died: delivered in the background from the start.
    void this.drain().catch(() => undefined);
  }

  async teardown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.db?.off('healed', this.onHealed);
    await this.draining?.catch(() => undefined);
    await this.queue?.whenIdle();
    this.queue?.close();
    await Promise.all(this.targets.map((t) => t.close().catch(() => undefined)));
  }

  private requireSetUp(): { db: PluginHost; deliverer: Deliverer; outbox: Outbox; queue: DeliveryQueue } {
    if (!this.db || !this.deliverer || !this.outbox || !this.queue) {
      throw new ValidationError(`${this.name} is not set up`, { hint: 'db.use(plugin) and connect first.' });
    }
    return { db: this.db, deliverer: this.deliverer, outbox: this.outbox, queue: this.queue };
  }

  /** The write's middleware: outbox entry first, then the write, then the delivery (queued or awaited). */
  private async replicate<Op extends WriteOperation>(
    ctx: OperationContext<Op>,
    next: () => Promise<unknown>,
  ): Promise<never> {
    const { outbox, queue } = this.requireSetUp();
    const args = ctx.args as { id?: unknown; data?: { id?: unknown } };
    const id = String(args.id ?? args.data?.id ?? '');
    const entry = await outbox.add(ctx.resourceName, id);
    this.pending.set(entry.key, { at: entry.at, remaining: new Set(this.targets.map((t) => t.name)) });
    try {
      return (await next()) as never;
    } finally {
      // Also after a failed write: part of it may have happened; delivering the current state is always safe.
      const delivered = queue.schedule(ctx.resourceName, id, entry.key);
      if (this.options.awaitDelivery) await delivered;
    }
  }

  private async runJob(resource: string, id: string, entries: string[]): Promise<void> {
    const { deliverer, outbox } = this.requireSetUp();
    await deliverer.deliver(resource, id, {
      onDelivered: (target) => {
        for (const e of entries) this.pending.get(e)?.remaining.delete(target);
      },
    });
    await outbox.remove(entries);
    for (const e of entries) this.pending.delete(e);
  }

  /**
   * Lists the outbox and delivers what other (or earlier, dead) processes left, older than `graceMs`, a page at
   * a time; also retries this process's failed deliveries now. Resolves with the entries it found.
   */
  async drain(options: { graceMs?: number } = {}): Promise<number> {
    // One listing at a time: a drain asked for while one runs starts after it (it may want a shorter grace).
    while (this.draining) await this.draining.catch(() => undefined);
    const { outbox, queue } = this.requireSetUp();
    const grace = options.graceMs ?? this.options.graceMs ?? 60_000;
    const run = async () => {
      queue.retryNow();
      let found = 0;
      for await (const page of outbox.pages()) {
        const now = Date.now();
        for (const e of page) {
          if (this.pending.has(e.key) || now - e.at < grace) continue;
          found++;
          this.pending.set(e.key, { at: e.at, remaining: new Set(this.targets.map((t) => t.name)) });
          void queue.schedule(e.resource, e.id, e.key);
        }
        await queue.whenIdle(); // one page in memory at a time
      }
      return found;
    };
    this.draining = run().finally(() => (this.draining = undefined));
    return this.draining;
  }

  /** Waits until every delivery queued so far has run once (tests, shutdown, benchmarks). */
  async flush(): Promise<void> {
    await this.draining?.catch(() => undefined);
    await this.requireSetUp().queue.whenIdle();
  }

  /** Per-target delivery figures. */
  stats(): ReplicatorTargetStats[] {
    const deliverer = this.deliverer;
    const now = Date.now();
    return this.targets.map((t) => {
      let pending = 0;
      let oldest = Infinity;
      for (const p of this.pending.values()) {
        if (!p.remaining.has(t.name)) continue;
        pending++;
        oldest = Math.min(oldest, p.at);
      }
      const counters = deliverer?.stats.get(t.name) ?? { delivered: 0, failed: 0 };
      return { name: t.name, kind: t.kind, pending, lagMs: pending > 0 ? now - oldest : 0, ...counters };
    });
  }

  describe(): Record<string, unknown> {
    return {
      targets: this.targets.map((t) => t.describe()),
      resources: this.listed ? [...this.listed] : 'all user resources',
      ...(this.options.exclude ? { exclude: this.options.exclude } : {}),
      prefix: this.prefix,
      awaitDelivery: this.options.awaitDelivery === true,
      stats: this.stats(),
      retrying: this.queue?.retrying ?? 0,
    };
  }

  prometheusFamilies(prefix = 's3db'): PrometheusFamily[] {
    const stats = this.stats();
    const family = (
      name: string,
      help: string,
      type: 'counter' | 'gauge',
      pick: (s: ReplicatorTargetStats) => number,
    ) => ({
      name: `${prefix}_replication_${name}`,
      help,
      type,
      samples: stats.map((s) => ({ labels: { target: s.name, kind: s.kind }, value: pick(s) })),
    });
    return [
      family(
        'pending',
        'Outbox entries not yet delivered to the target (known to this process).',
        'gauge',
        (s) => s.pending,
      ),
      family('lag_seconds', 'Age of the oldest pending change.', 'gauge', (s) => s.lagMs / 1000),
      family('delivered_total', 'Document states delivered to the target.', 'counter', (s) => s.delivered),
      family('failed_total', 'Failed deliveries to the target (each is retried).', 'counter', (s) => s.failed),
    ];
  }

  private resourceNames(resource?: string): string[] {
    const { db } = this.requireSetUp();
    if (resource !== undefined) {
      db.resource(resource); // NotFoundError with a hint when it does not exist
      return [resource];
    }
    const names = this.listed ? [...this.listed] : [];
    return names.filter((n) => db.hasResource(n));
  }

  /** The resources this plugin replicates that exist now (LIST of the resource folders when not listed). */
  private async allResourceNames(): Promise<string[]> {
    const { db } = this.requireSetUp();
    if (this.listed) return this.resourceNames();
    const roots = await listCommonPrefixes(db.store, RESOURCES_PREFIX, '/');
    return roots
      .map(resourceOfRoot)
      .filter((n) => db.hasResource(n) && this.appliesTo({ name: n, createdBy: db.resource(n).createdBy }));
  }

  private pickTargets(names?: string[]): ReplicationTarget[] {
    if (!names) return [...this.targets];
    return names.map((n) => {
      const t = this.targets.find((x) => x.name === n);
      if (!t) {
        throw new ValidationError(`No replication target named "${n}"`, {
          hint: `Targets: ${this.targets.map((x) => x.name).join(', ')}.`,
        });
      }
      return t;
    });
  }

  /**
   * Compares the bucket with each target (ids, and the ETag the target applied when it keeps one) by two
   * sorted walks: memory stays bounded. `resources` default: the listed ones (pass a name for all-resource mode).
   */
  async check(options: { resource?: string; resources?: string[]; targets?: string[] } = {}): Promise<DriftReport[]> {
    const { db } = this.requireSetUp();
    const names =
      options.resources ??
      (options.resource === undefined ? await this.allResourceNames() : this.resourceNames(options.resource));
    const out: DriftReport[] = [];
    for (const resource of names) {
      for (const target of this.pickTargets(options.targets)) {
        if (!target.entries) {
          out.push(emptyDrift(resource, target.name, false));
          continue;
        }
        const report = emptyDrift(resource, target.name, true);
        for await (const e of mergeWithTarget(db.store, resource, target.entries(resource))) countDrift(report, e);
        out.push(report);
      }
    }
    return out;
  }

  /**
   * Rebuilds targets from the bucket: every document's current state delivered again (a page at a time, with
   * `concurrency` in flight), documents the bucket no longer has removed from targets that can list theirs.
   * `reset` first empties the target's copy of the resource. `onProgress` is called after each page.
   */
  async resync(
    options: {
      resource?: string;
      resources?: string[];
      targets?: string[];
      reset?: boolean;
      pageSize?: number;
      onProgress?: (p: { resource: string; documents: number; removed: number }) => void;
    } = {},
  ): Promise<ResyncReport[]> {
    const { db, deliverer } = this.requireSetUp();
    const targets = this.pickTargets(options.targets);
    const names =
      options.resources ??
      (options.resource === undefined ? await this.allResourceNames() : this.resourceNames(options.resource));
    const pageSize = options.pageSize ?? 200;
    const concurrency = this.options.concurrency ?? 8;
    const reports: ResyncReport[] = [];
    for (const resource of names) {
      const report: ResyncReport = { resource, documents: 0, removed: 0, failed: 0 };
      if (options.reset) for (const t of targets) await t.reset?.(resource);
      // Walk the bucket merged with the first target that can list (extras are removed from every target).
      const lister = targets.find((t) => t.entries);
      let page: { id: string; inBucket: boolean }[] = [];
      const flush = async () => {
        await mapLimit(page, concurrency, async ({ id, inBucket }) => {
          try {
            if (inBucket) await deliverer.deliver(resource, id, { targets });
            else await this.purge(resource, id, targets);
            if (inBucket) report.documents++;
            else report.removed++;
          } catch {
            report.failed++;
          }
        });
        page = [];
        options.onProgress?.({ resource, documents: report.documents, removed: report.removed });
      };
      for await (const e of mergeWithTarget(db.store, resource, lister?.entries?.(resource))) {
        page.push({ id: e.id, inBucket: e.bucket !== undefined });
        if (page.length >= pageSize) await flush();
      }
      await flush();
      reports.push(report);
    }
    return reports;
  }

  /** Removes a document the bucket no longer has from the targets (revision 0: no tombstone is kept). */
  private async purge(resource: string, id: string, targets: ReplicationTarget[]): Promise<void> {
    const { db, deliverer } = this.requireSetUp();
    const state = await deliverer.readState(resource, id);
    if (state.document !== null) return deliverer.deliver(resource, id, { targets }); // it came back meanwhile
    const version = db.withoutPlugins().resource(resource).version;
    for (const t of targets) {
      await t.apply({
        resource,
        id,
        operation: 'delete',
        revision: state.revision,
        etag: null,
        version,
        document: null,
      });
    }
  }
}
