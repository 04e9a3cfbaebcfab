// The Database: one store, one catalog (s3db.json), the resources it defines, the plugins and hooks registered
// in this process, and the events applications listen to. Stats, heal and definition checks live beside it.
import { EventEmitter } from 'node:events';
import type { S3dbjsCatalog } from '../compat/s3dbjs/index.js';
import { Catalog, definitionHash, keysFor, versionNumber, type CatalogResource } from '../catalog/index.js';
import { SecretCipher } from '../crypto/index.js';
import { ConfigError, isS3dbError } from '../errors.js';
import { isResourceName } from '../keys.js';
import { HookRegistry } from '../hooks.js';
import {
  NO_PLUGINS,
  PluginPipeline,
  pluginError,
  type CreateResourceResult,
  type DatabaseView,
  type Plugin,
  type PluginHost,
  type PluginSummary,
  type WriteEvent,
} from '../pipeline/index.js';
import { Resource, ResourceCore, WriteObservers, type ResourceEnvironment } from '../resource/index.js';
import { DEFAULT_QUERY_CONCURRENCY } from '../query/index.js';
import {
  Snapshots,
  type BuildSnapshotOptions,
  type SnapshotBuildReport,
  type SnapshotsOptions,
} from '../snapshot/index.js';
import { WriteGuard, type ObjectStore, type RequestCounts } from '../storage/index.js';
import type {
  CallControls,
  EngineLogger,
  HealProblem,
  HealReport,
  HookFunction,
  ResourceDefinitionInput,
} from '../types.js';
import { checkDefinition, refuseSecretRetype } from './definition.js';
import { describeEntry, summarize, type ResourceDescription, type ResourceSummary } from './describe.js';
import { healDatabase, type HealScope } from './heal.js';
import { resourceStats, type ResourceStats } from './stats.js';

export interface DatabaseOptions {
  store: ObjectStore;
  /** Needed to write secret fields and to read them in clear. Never defaulted. */
  passphrase?: string | undefined;
  logger?: EngineLogger | undefined;
  /** Parallel requests for bulk operations (default 10). */
  concurrency?: number | undefined;
  /** Parallel document reads of one query scan (default DEFAULT_QUERY_CONCURRENCY, 32; see docs/queries.md). */
  queryConcurrency?: number | undefined;
  /** Read resource snapshots in scans and allow building them (default true; docs/queries.md "Snapshots"). */
  snapshots?: boolean | SnapshotsOptions | undefined;
  /** Plugins, registered in this order (same as calling `use` for each). */
  plugins?: Plugin[] | undefined;
  /**
   * Change nothing in the store: connect neither creates nor repairs s3db.json (repairs stay in memory and are
   * reported by heal), every write is refused with a CONFIG error, plugins do not write.
   */
  readOnly?: boolean | undefined;
}

export interface DatabaseStats {
  resources: ResourceStats[];
  requests: RequestCounts;
  store: string;
  plugins: PluginSummary[];
}

export class Database extends EventEmitter implements PluginHost {
  /** The store, behind the write guard (read-only mode, stores that ignore conditional writes). */
  readonly store: ObjectStore;
  readonly cipher: SecretCipher;
  readonly readOnly: boolean;
  private readonly guard: WriteGuard;
  readonly concurrency: number;
  /** Undefined when snapshots are turned off. */
  private readonly snapshots: Snapshots | undefined;
  private readonly logger: EngineLogger | undefined;
  private readonly catalog: Catalog;
  private readonly hooks = new HookRegistry();
  private readonly writes: WriteObservers;
  private readonly pipeline = new PluginPipeline(this);
  private readonly env: ResourceEnvironment;
  private readonly resources = new Map<string, Resource>();
  /** Plugins whose setup has run. */
  private readonly setUp = new Set<Plugin>();
  private connected = false;
  /** Problems connect() found in s3db.json and repaired, reported by heal(). */
  private connectRepairs: HealProblem[] = [];
  private connectBackups: string[] = [];

  constructor(options: DatabaseOptions) {
    super();
    if (!options?.store) throw new ConfigError('A Database needs a store', { hint: 'Pass { store: openStore(url) }.' });
    this.readOnly = options.readOnly === true;
    this.guard = new WriteGuard(options.store, { readOnly: this.readOnly });
    this.store = this.guard;
    this.cipher = new SecretCipher(options.passphrase);
    this.logger = options.logger;
    this.concurrency = options.concurrency ?? 10;
    this.snapshots =
      options.snapshots === false
        ? undefined
        : new Snapshots(this.store, {
            onBackgroundError: (resource, err) =>
              this.logger?.warn({ resource, err: String(err) }, 'background snapshot rebuild failed'),
            ...(typeof options.snapshots === 'object' ? options.snapshots : {}),
          });
    this.catalog = new Catalog(this.store);
    this.writes = new WriteObservers(this.logger);
    this.env = {
      store: this.store,
      cipher: this.cipher,
      concurrency: this.concurrency,
      queryConcurrency: Math.max(1, options.queryConcurrency ?? DEFAULT_QUERY_CONCURRENCY),
      snapshots: this.snapshots,
      logger: this.logger,
      catalog: this.catalog,
      hooks: this.hooks,
      writes: this.writes,
      events: this,
      guard: this.guard,
    };
    for (const plugin of options.plugins ?? []) this.pipeline.add(plugin);
  }

  /**
   * Registers a plugin. Before connect, its setup runs at connect(); after, it runs now. Plugins run in
   * registration order (docs/engine-api.md "Plugins").
   */
  async use(plugin: Plugin): Promise<this> {
    this.pipeline.add(plugin);
    if (this.connected) await this.setupPlugins();
    return this;
  }

  /** The registered plugins, in pipeline order, with their stages and `describe()` summary. */
  get plugins(): PluginSummary[] {
    return this.pipeline.summaries();
  }

  /** The registered plugin named `name` (to reach its own API, e.g. cache statistics), or undefined. */
  plugin<P extends Plugin = Plugin>(name: string): P | undefined {
    return this.pipeline.plugins.find((p) => p.name === name) as P | undefined;
  }

  /**
   * Calls `observer` after every stored write (insert, update, replace, delete; an upsert is one of the first
   * two) from either view, awaited before the write returns; a failing observer is logged, never fails the
   * write. Cache invalidation uses it so that writes through `withoutPlugins()` invalidate too. Returns an
   * unsubscribe function.
   */
  onWrite(observer: (event: WriteEvent) => void | Promise<void>): () => void {
    return this.writes.add(observer);
  }

  /** The database without plugins: see DatabaseView. */
  withoutPlugins(): DatabaseView {
    return {
      store: this.store,
      cipher: this.cipher,
      resource: (name) => this.resource(name).withoutPlugins(),
      hasResource: (name) => this.hasResource(name),
      createResource: async (def) => {
        const out = await this.createResource(def);
        return { ...out, resource: out.resource.withoutPlugins() };
      },
    };
  }

  private async setupPlugins(): Promise<void> {
    for (const plugin of this.pipeline.plugins) {
      if (this.setUp.has(plugin)) continue;
      this.setUp.add(plugin);
      try {
        await plugin.setup?.(this);
      } catch (e) {
        this.setUp.delete(plugin);
        throw pluginError(plugin.name, 'setup', e);
      }
    }
  }

  /**
   * The s3db.js catalog when the bucket was written by s3db.js (read as is, every write refused; see
   * docs/s3dbjs.md), else undefined.
   */
  get catalogFormat(): S3dbjsCatalog | undefined {
    return this.catalog.foreign;
  }

  get passphraseSet(): boolean {
    return this.cipher.hasPassphrase;
  }

  /**
   * Reads s3db.json (1 request) or creates it (3: GET, LIST, PUT). A damaged catalog is repaired in place —
   * JSON syntax, missing fields, bad versions/partitions/hooks, and resources rebuilt from the bucket when the
   * file is unreadable, missing or lost an entry — after copying it to `s3db.json.corrupted.<ts>.backup`.
   * connect never touches a data object: that is heal({ dryRun: false }).
   */
  async connect(): Promise<void> {
    const repair = { scan: 'when-needed', concurrency: this.concurrency, create: !this.readOnly } as const;
    const { problems, backups } = await this.catalog
      .loadAndRepair({ ...repair, dryRun: this.readOnly })
      .catch(async (e) => {
        // Read-only credentials, or a damaged object the store cannot replace (a directory in its place): work
        // from the repaired catalog in memory; heal can write it once the store allows.
        if (!isS3dbError(e)) throw e;
        if (e.code !== 'ACCESS_DENIED' && !(this.catalog.damagedObject && e.code === 'STORAGE')) throw e;
        this.logger?.warn({ code: e.code }, 's3db.json needs repair but cannot be written; repaired in memory only');
        return this.catalog.loadAndRepair({ ...repair, dryRun: true });
      });
    this.connectRepairs = problems.filter((p) => p.repaired); // unrepaired ones: heal finds them again
    this.connectBackups = backups;
    if (problems.length > 0) {
      const where = this.readOnly ? 'in memory only (read-only)' : 'in the store';
      this.logger?.warn({ problems: problems.map((p) => p.kind) }, `s3db.json was repaired ${where}`);
    }
    this.connected = true;
    await this.setupPlugins();
  }

  /** Tears plugins down in reverse registration order (failures are logged, never thrown), then disconnects. */
  async close(): Promise<void> {
    for (const plugin of [...this.pipeline.plugins].reverse()) {
      if (!this.setUp.delete(plugin)) continue;
      try {
        await plugin.teardown?.();
      } catch (e) {
        this.logger?.warn({ plugin: plugin.name, err: String(e) }, 'plugin teardown failed');
      }
    }
    await this.snapshots?.idle();
    this.connected = false;
    this.removeAllListeners();
  }

  private assertConnected(): void {
    if (!this.connected) {
      throw new ConfigError('The database is not connected', { hint: 'Call await db.connect() first.' });
    }
  }

  /** Registers a function that definitions refer to by name in `hooks: { beforeInsert: ['name'] }`. */
  registerHook(name: string, fn: HookFunction): void {
    this.hooks.register(name, fn);
  }

  /**
   * Validates and records a definition; a new version only when its hash changed. A path that was secret in any
   * earlier version may be removed but not given a non-secret type unless `options.allowSecretRetype` (values
   * written while it was secret stay masked and unfilterable either way: docs/reliability.md).
   */
  async createResource(
    def: ResourceDefinitionInput,
    options: { allowSecretRetype?: boolean } = {},
  ): Promise<CreateResourceResult<Resource>> {
    this.assertConnected();
    if (this.guard.writeRefusal) throw this.guard.writeRefusal;
    const versionDef = checkDefinition(def, this.hooks);
    const hash = definitionHash(versionDef);
    const name = def.name;
    let outcome = { version: 'v0', created: false, changed: false, previous: undefined as string | undefined };
    await this.catalog.mutate((cat) => {
      const existing = Object.hasOwn(cat.resources, name) ? cat.resources[name] : undefined;
      const current = existing?.versions[existing.currentVersion];
      if (existing && current?.hash === hash) {
        outcome = { version: existing.currentVersion, created: false, changed: false, previous: undefined };
        const wantAsync = def.asyncPartitions === true;
        if ((existing.asyncPartitions === true) === wantAsync) return false;
        if (wantAsync) existing.asyncPartitions = true;
        else delete existing.asyncPartitions;
        return true;
      }
      if (existing && options.allowSecretRetype !== true) refuseSecretRetype(name, existing, versionDef);
      const next = existing ? Math.max(...Object.keys(existing.versions).map(versionNumber)) + 1 : 0;
      const version = `v${next}`;
      const entry: CatalogResource = {
        currentVersion: version,
        createdBy: existing?.createdBy ?? def.createdBy ?? 'user',
        versions: { ...existing?.versions, [version]: { ...versionDef, hash, createdAt: new Date().toISOString() } },
        keyMap: keysFor(existing?.keyMap ?? {}, versionDef.attributes),
        ...(def.asyncPartitions === true ? { asyncPartitions: true } : {}),
      };
      cat.resources[name] = entry;
      outcome = { version, created: !existing, changed: !!existing, previous: existing?.currentVersion };
      return true;
    });
    const resource = this.resource(name);
    if (outcome.created) this.emit('resourceCreated', { name, version: outcome.version });
    if (outcome.changed) {
      this.emit('resourceDefinitionsChanged', { name, previousVersion: outcome.previous, version: outcome.version });
    }
    return { resource, version: outcome.version, created: outcome.created, changed: outcome.changed };
  }

  hasResource(name: string): boolean {
    return this.catalog.has(name);
  }

  /**
   * The resource `name` (plugin-aware). A valid name the catalog lacks may have been created by another server:
   * its first operation re-reads s3db.json and throws NotFoundError only if it is still unknown.
   */
  resource(name: string): Resource {
    let r = this.resources.get(name);
    if (!r) {
      if (!isResourceName(name)) this.catalog.entry(name);
      const core = new ResourceCore(name, this.env);
      r = new Resource(core, this.pipeline, new Resource(core, NO_PLUGINS));
      if (this.catalog.has(name)) this.resources.set(name, r); // unknown names are not kept (any string comes here)
    }
    return r;
  }

  listResources(): ResourceSummary[] {
    return this.catalog.names().map((name) => summarize(this.describeResource(name)));
  }

  describeResource(name: string): ResourceDescription {
    const entry = this.catalog.entry(name);
    const plugins = this.pipeline.applying({ name, createdBy: entry.createdBy }).map((p) => p.name);
    return describeEntry(name, entry, plugins);
  }

  /** Object count and bytes per resource, by LIST of each data prefix. */
  async getStats(options: { resource?: string } = {}): Promise<DatabaseStats> {
    if (options.resource !== undefined) await this.knownResource(options.resource);
    const names = options.resource ? [options.resource] : this.catalog.names();
    return {
      resources: await resourceStats(this.store, names, this.catalog.foreign === undefined),
      requests: this.store.requestCounts(),
      store: this.store.description,
      plugins: this.plugins,
    };
  }

  /**
   * Packs the resource's documents into a snapshot and commits it (docs/queries.md "Snapshots"); scans then read
   * unchanged documents from it. Safe to run from several processes at once: one commit wins, the others report
   * `committed: false`. A ConfigError when snapshots are turned off.
   */
  async buildSnapshot(resource: string, options: BuildSnapshotOptions = {}): Promise<SnapshotBuildReport> {
    const snapshots = this.requireSnapshots();
    return snapshots.build(await this.knownResource(resource), options);
  }

  /** Removes the resource's snapshot (its manifest, then its segments); returns the segments removed. */
  async dropSnapshot(resource: string): Promise<number> {
    const snapshots = this.requireSnapshots();
    return snapshots.drop(await this.knownResource(resource));
  }

  /** The name of a resource the catalog defines (re-read once if another server may have created it), or NotFound. */
  private async knownResource(name: string): Promise<string> {
    if (!this.catalog.has(name)) {
      await this.catalog.refresh();
      this.catalog.entry(name);
    }
    return name;
  }

  private requireSnapshots(): Snapshots {
    if (this.snapshots) return this.snapshots;
    throw new ConfigError('Snapshots are turned off for this database', {
      hint: 'Open the database without snapshots: false (server: without --snapshots=false).',
    });
  }

  /**
   * Checks (and unless dryRun repairs) the catalog, resources in the bucket but not in it, each resource's data
   * objects, its partition references, then its snapshot (missing, stale or damaged: built). A dry run only reads. The report is sorted (resource, kind, key).
   */
  async heal(
    options: { dryRun?: boolean; resource?: string; quarantine?: boolean } & CallControls = {},
  ): Promise<HealReport> {
    this.assertConnected();
    if (options.dryRun === false && this.guard.writeRefusal) throw this.guard.writeRefusal;
    const scope: HealScope = {
      store: this.store,
      concurrency: this.concurrency,
      catalog: this.catalog,
      core: (name) => this.resource(name).core,
      snapshots: this.snapshots,
      pluginProblems: async (resource) => {
        const found: HealProblem[] = [];
        for (const plugin of this.pipeline.plugins) {
          if (plugin.heal && this.setUp.has(plugin)) found.push(...(await plugin.heal({ resource })));
        }
        return found;
      },
    };
    const report = await healDatabase(
      scope,
      { ...options, dryRun: options.dryRun ?? true, resource: options.resource, quarantine: options.quarantine },
      { problems: this.connectRepairs, backups: this.connectBackups },
    );
    // Repairs change what reads return without a document write: caches listen to this.
    // (connect's own repairs happened before anything was read, so they are left out.)
    // A rebuilt snapshot changes no read's answer, only its cost.
    const changed = report.repaired.filter((p) => !this.connectRepairs.includes(p) && !p.kind.startsWith('snapshot-'));
    if (changed.length > 0) this.emit('healed', { resources: [...new Set(changed.map((p) => p.resource))], changed });
    return report;
  }
}
