// The Database: one store, one catalog (s3db.json), the resources it defines, the plugins and hooks registered
// in this process, and the events applications listen to. Stats, heal and definition checks live beside it.
import { EventEmitter } from 'node:events';
import type { S3dbjsCatalog } from '../compat/s3dbjs/index.js';
import { Catalog, definitionHash, keysFor, versionNumber, type CatalogResource } from '../catalog/index.js';
import { SecretCipher } from '../crypto/index.js';
import { ConfigError, isS3dbError } from '../errors.js';
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
import type { ObjectStore, RequestCounts } from '../storage/index.js';
import type { EngineLogger, HealProblem, HealReport, HookFunction, ResourceDefinitionInput } from '../types.js';
import { checkDefinition } from './definition.js';
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
  /** Plugins, registered in this order (same as calling `use` for each). */
  plugins?: Plugin[] | undefined;
}

export interface DatabaseStats {
  resources: ResourceStats[];
  requests: RequestCounts;
  store: string;
  plugins: PluginSummary[];
}

export class Database extends EventEmitter implements PluginHost {
  readonly store: ObjectStore;
  readonly cipher: SecretCipher;
  readonly concurrency: number;
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
    this.store = options.store;
    this.cipher = new SecretCipher(options.passphrase);
    this.logger = options.logger;
    this.concurrency = options.concurrency ?? 10;
    this.catalog = new Catalog(this.store);
    this.writes = new WriteObservers(this.logger);
    this.env = {
      store: this.store,
      cipher: this.cipher,
      concurrency: this.concurrency,
      logger: this.logger,
      catalog: this.catalog,
      hooks: this.hooks,
      writes: this.writes,
      events: this,
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
    const repair = { scan: 'when-needed', concurrency: this.concurrency } as const;
    const { problems, backups } = await this.catalog.loadAndRepair({ ...repair, dryRun: false }).catch(async (e) => {
      // Read-only credentials: work from the repaired catalog in memory; heal can write it later.
      if (!isS3dbError(e) || e.code !== 'ACCESS_DENIED') throw e;
      this.logger?.warn({ code: e.code }, 's3db.json needs repair but cannot be written; repaired in memory only');
      return this.catalog.loadAndRepair({ ...repair, dryRun: true });
    });
    this.connectRepairs = problems.filter((p) => p.repaired); // unrepaired ones: heal finds them again
    this.connectBackups = backups;
    if (problems.length > 0) this.logger?.warn({ problems: problems.map((p) => p.kind) }, 's3db.json was repaired');
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

  /** Validates and records a definition; a new version only when its hash changed. */
  async createResource(def: ResourceDefinitionInput): Promise<CreateResourceResult<Resource>> {
    this.assertConnected();
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

  /** The resource `name` (plugin-aware); NotFoundError when the catalog has none. */
  resource(name: string): Resource {
    let r = this.resources.get(name);
    if (!r) {
      this.catalog.entry(name);
      const core = new ResourceCore(name, this.env);
      r = new Resource(core, this.pipeline, new Resource(core, NO_PLUGINS));
      this.resources.set(name, r);
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
    const names = options.resource ? [this.resource(options.resource).name] : this.catalog.names();
    return {
      resources: await resourceStats(this.store, names),
      requests: this.store.requestCounts(),
      store: this.store.description,
      plugins: this.plugins,
    };
  }

  /**
   * Checks (and unless dryRun repairs) the catalog, resources in the bucket but not in it, each resource's data
   * objects, then its partition references. A dry run only reads. The report is sorted (resource, kind, key).
   */
  async heal(options: { dryRun?: boolean; resource?: string; quarantine?: boolean } = {}): Promise<HealReport> {
    this.assertConnected();
    const scope: HealScope = {
      store: this.store,
      concurrency: this.concurrency,
      catalog: this.catalog,
      core: (name) => this.resource(name).core,
    };
    const report = await healDatabase(
      scope,
      { dryRun: options.dryRun ?? true, resource: options.resource, quarantine: options.quarantine },
      { problems: this.connectRepairs, backups: this.connectBackups },
    );
    // Repairs change what reads return without a document write: caches listen to this.
    // (connect's own repairs happened before anything was read, so they are left out.)
    const changed = report.repaired.filter((p) => !this.connectRepairs.includes(p));
    if (changed.length > 0) this.emit('healed', { resources: [...new Set(changed.map((p) => p.resource))], changed });
    return report;
  }
}
