// The cache plugin: read operations answered from a driver (memory, filesystem, s3) and invalidated on every
// write this process stores, partition-aware. Guarantee: this server never answers with a value older than
// its own last write — the write invalidates before it returns (writes through withoutPlugins() too), and a
// fill whose read started before a write of the same resource is discarded. Another server's writes are seen
// after at most `ttlMs` (memory/filesystem), or at once with the shared s3 driver (except a fill racing that
// write, which lives at most `ttlMs`).
import { ConfigError, ValidationError } from '../../errors.js';
import type {
  Operation,
  OperationContext,
  OperationResults,
  Plugin,
  PluginHost,
  PluginResourceInfo,
  WriteEvent,
} from '../../pipeline/index.js';
import { FilesystemCacheDriver } from './filesystem-driver.js';
import { cacheKey, documentScopes, idScope, readScope, scopePrefix } from './keys.js';
import { MemoryCacheDriver } from './memory-driver.js';
import { S3CacheDriver } from './s3-driver.js';
import {
  CACHE_DRIVERS,
  type CacheDriver,
  type CacheDriverKind,
  type CacheDriverStats,
  type EvictionPolicy,
} from './types.js';

export const CACHED_OPERATIONS = ['get', 'exists', 'list', 'listIds', 'query', 'count', 'listPartitions'] as const;
export type CachedOperation = (typeof CACHED_OPERATIONS)[number];

export interface CachePluginOptions {
  /** Plugin name (default 'CachePlugin'). */
  name?: string;
  /** 'memory' (default), 'filesystem', 's3', or your own driver. */
  driver?: CacheDriverKind | CacheDriver;
  /** How long an entry may be served, in ms (default 60000); 0 = until invalidated. */
  ttlMs?: number;
  /** memory: limits and eviction policy. */
  maxEntries?: number;
  maxBytes?: number;
  eviction?: EvictionPolicy;
  /** filesystem: the directory (required). */
  directory?: string;
  /** filesystem/s3: gzip entries (default false / true). */
  compress?: boolean;
  /** s3: key prefix in the bucket (default 'plugin=cache/'). */
  prefix?: string;
  /** Cache only these resources (plugin-created ones too). Default: every user resource. */
  include?: string[];
  /** Never cache these resources. */
  exclude?: string[];
  /** The operations answered from the cache (default all of CACHED_OPERATIONS). */
  operations?: CachedOperation[];
  /** The clock (ms), for tests. */
  now?: () => number;
}

export interface CacheStats extends CacheDriverStats {
  hits: number;
  misses: number;
  /** Entries stored after a miss. */
  fills: number;
  /** Fills dropped because a write of the resource happened during the read. */
  discardedFills: number;
  /** Scopes invalidated by writes, and entries they removed. */
  invalidations: number;
  removed: number;
  /** Driver failures (the operation then ran uncached). */
  errors: number;
}

const DEFAULT_TTL_MS = 60_000;

export class CachePlugin implements Plugin {
  readonly name: string;
  readonly ttlMs: number;
  private readonly options: CachePluginOptions;
  private readonly operations: ReadonlySet<Operation>;
  private readonly now: () => number;
  private driverInstance: CacheDriver | undefined;
  private db: PluginHost | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Per resource: bumped by every write, so fills that raced a write are dropped. */
  private readonly generations = new Map<string, number>();
  /** Per resource: serve uncached until this time (after an invalidation failed). */
  private readonly bypassUntil = new Map<string, number>();
  private counters = { hits: 0, misses: 0, fills: 0, discardedFills: 0, invalidations: 0, removed: 0, errors: 0 };
  readonly around: Plugin['around'];

  constructor(options: CachePluginOptions = {}) {
    this.options = options;
    this.name = options.name ?? 'CachePlugin';
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    if (!Number.isFinite(this.ttlMs) || this.ttlMs < 0) {
      throw new ValidationError('Cache ttlMs must be a number >= 0', { hint: 'Use 0 for entries that never expire.' });
    }
    for (const op of options.operations ?? []) {
      if (!(CACHED_OPERATIONS as readonly string[]).includes(op)) {
        throw new ValidationError(`The cache cannot answer "${String(op)}"`, {
          hint: `Use some of: ${CACHED_OPERATIONS.join(', ')}.`,
        });
      }
    }
    this.operations = new Set(options.operations ?? CACHED_OPERATIONS);
    this.now = options.now ?? Date.now;
    const driver = options.driver ?? 'memory';
    if (typeof driver === 'string' && !(CACHE_DRIVERS as readonly string[]).includes(driver)) {
      throw new ConfigError(`Unknown cache driver "${driver}"`, { hint: `Use one of: ${CACHE_DRIVERS.join(', ')}.` });
    }
    if (driver === 'memory') {
      this.driverInstance = new MemoryCacheDriver({
        ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }),
        ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
        ...(options.eviction === undefined ? {} : { eviction: options.eviction }),
      });
    } else if (typeof driver !== 'string') {
      this.driverInstance = driver;
    } else if (driver === 'filesystem' && !options.directory) {
      throw new ConfigError('The filesystem cache needs a directory', {
        hint: 'Pass { driver: "filesystem", directory: "/path/to/cache" }.',
      });
    }
    const middleware = (ctx: OperationContext, next: () => Promise<unknown>) => this.serve(ctx, next);
    this.around = Object.fromEntries([...this.operations].map((op) => [op, middleware])) as unknown as Plugin['around'];
  }

  get driver(): CacheDriver {
    if (!this.driverInstance) {
      throw new ConfigError(`${this.name} is not set up yet`, { hint: 'Register it with db.use() and connect first.' });
    }
    return this.driverInstance;
  }

  setup(db: PluginHost): void {
    this.db = db;
    if (!this.driverInstance) {
      const compress = this.options.compress;
      this.driverInstance =
        this.options.driver === 'filesystem'
          ? new FilesystemCacheDriver(
              { directory: this.options.directory!, ...(compress === undefined ? {} : { compress }) },
              db.cipher,
            )
          : new S3CacheDriver(db.store, db.cipher, {
              ...(this.options.prefix === undefined ? {} : { prefix: this.options.prefix }),
              ...(compress === undefined ? {} : { compress }),
            });
    }
    const unsubscribe = db.onWrite((event) => this.invalidateWrite(event));
    // heal's repairs change answers without a document write: drop what the repaired resources had cached.
    const onHealed = (event: { resources: (string | undefined)[] }) => {
      const all = event.resources.some((r) => r === undefined);
      for (const r of all ? [undefined] : event.resources) this.clear(r).catch(() => this.counters.errors++);
    };
    db.on('healed', onHealed);
    this.unsubscribe = () => {
      unsubscribe();
      db.off('healed', onHealed);
    };
  }

  teardown(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  appliesTo(resource: PluginResourceInfo): boolean {
    if (this.options.exclude?.includes(resource.name)) return false;
    if (this.options.include) return this.options.include.includes(resource.name);
    return resource.createdBy === 'user';
  }

  stats(): CacheStats {
    return { evictions: 0, expirations: 0, unreadable: 0, ...this.driverInstance?.stats(), ...this.counters };
  }

  describe(): Record<string, unknown> {
    return {
      ...(this.driverInstance?.describe() ?? { driver: this.options.driver }),
      ttlMs: this.ttlMs,
      operations: [...this.operations],
      ...(this.options.include ? { include: this.options.include } : {}),
      ...(this.options.exclude ? { exclude: this.options.exclude } : {}),
      stats: this.stats(),
    };
  }

  /** Drops every entry of `resource`, or everything. */
  async clear(resource?: string): Promise<number> {
    if (resource !== undefined) this.bump(resource);
    else for (const r of this.generations.keys()) this.bump(r);
    return this.driver.deletePrefix(resource === undefined ? '' : `${resource}/`);
  }

  private bump(resource: string): void {
    this.generations.set(resource, (this.generations.get(resource) ?? 0) + 1);
  }

  private async serve(ctx: OperationContext, next: () => Promise<unknown>): Promise<unknown> {
    const resource = ctx.resourceName;
    if (ctx.operation === 'query' && (ctx.args as { options: { explain?: boolean } }).options.explain) return next();
    const bypass = this.bypassUntil.get(resource);
    if (bypass !== undefined) {
      if (bypass > this.now()) return next();
      this.bypassUntil.delete(resource);
    }
    const scope = readScope(resource, ctx.resource.partitions, ctx.operation, ctx.args);
    const key = cacheKey(resource, scope, {
      operation: ctx.operation,
      version: ctx.version,
      secretsRevealed: ctx.database.passphraseSet,
      args: ctx.args,
    });
    try {
      const hit = await this.driver.get(key, this.now());
      if (hit) {
        this.counters.hits++;
        return fromCache(ctx.operation, hit.value);
      }
    } catch {
      this.counters.errors++;
    }
    this.counters.misses++;
    const generation = this.generations.get(resource) ?? 0;
    const result = await next();
    if ((this.generations.get(resource) ?? 0) !== generation) {
      this.counters.discardedFills++;
      return result;
    }
    try {
      await this.driver.set(
        key,
        { value: result ?? null, expiresAt: this.ttlMs === 0 ? 0 : this.now() + this.ttlMs },
        this.now(),
      );
      this.counters.fills++;
    } catch {
      this.counters.errors++;
    }
    return result;
  }

  /** Invalidates the scopes of the written document, before and after the write. */
  private async invalidateWrite(event: WriteEvent): Promise<void> {
    const db = this.db;
    if (!db || !db.hasResource(event.resource)) return;
    const resource = db.resource(event.resource);
    if (!this.appliesTo({ name: event.resource, createdBy: resource.createdBy })) return;
    this.bump(event.resource);
    const scopes = new Set<string>([idScope(event.id)]);
    for (const doc of [event.before, event.after]) {
      if (doc) for (const s of documentScopes(event.resource, resource.partitions, doc)) scopes.add(s);
    }
    try {
      const removed = await Promise.all(
        [...scopes].map((s) => this.driver.deletePrefix(scopePrefix(event.resource, s))),
      );
      this.counters.invalidations += scopes.size;
      this.counters.removed += removed.reduce((a, b) => a + b, 0);
    } catch {
      // Could not invalidate: answer this resource uncached until whatever is left has expired.
      this.counters.errors++;
      this.bypassUntil.set(event.resource, this.ttlMs === 0 ? Infinity : this.now() + this.ttlMs);
    }
  }
}

/** A cached answer made no request: query and count plans say so. */
function fromCache(operation: Operation, value: unknown): unknown {
  if ((operation === 'query' || operation === 'count') && value && typeof value === 'object') {
    const v = value as OperationResults['query'];
    return { ...v, plan: { ...v.plan, requests: 0, reason: `${v.plan.reason} (served from cache)` } };
  }
  return value;
}
