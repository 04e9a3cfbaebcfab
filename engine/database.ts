// The Database: one store, one catalog (s3db.json), the resources it defines, the hooks registered by name,
// and the events applications listen to.
import { EventEmitter } from 'node:events';
import type { ExceedsLimitEvent } from './behaviors/index.js';
import {
  Catalog,
  definitionHash,
  keysFor,
  versionNumber,
  type CatalogResource,
  type VersionDefinition,
} from './catalog/index.js';
import { SecretCipher } from './crypto/index.js';
import { ConfigError, NotFoundError, ValidationError, isS3dbError } from './errors.js';
import { assertHookEvent } from './hooks.js';
import { healRecords, keyStamp } from './heal/index.js';
import { healPartitions, normalizePartitions } from './partitions/index.js';
import { PluginPipeline, pluginError, type Plugin, type PluginSummary, type WriteEvent } from './plugins/index.js';
import { Resource, type ResourceHost } from './resource.js';
import { compileSchema } from './schema/index.js';
import type { ObjectStore, RequestCounts } from './storage/index.js';
import {
  BEHAVIORS,
  type Attributes,
  type Behavior,
  type EngineLogger,
  type HealProblem,
  type HealReport,
  type HookEvent,
  type HookFunction,
  type PartitionDefinition,
  type ResourceDefinitionInput,
} from './types.js';

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

/**
 * The database seen without plugins (`db.withoutPlugins()`): the same catalog and documents, but its resources
 * run no plugin stage. Used by the engine and by plugins for their own maintenance reads and writes.
 */
export interface DatabaseView {
  readonly store: ObjectStore;
  readonly cipher: SecretCipher;
  resource(name: string): Resource;
  hasResource(name: string): boolean;
  createResource(
    def: ResourceDefinitionInput,
  ): Promise<{ resource: Resource; version: string; created: boolean; changed: boolean }>;
  listResources(): ResourceSummary[];
  describeResource(name: string): ResourceDescription;
}

export interface ResourceSummary {
  name: string;
  version: string;
  behavior: Behavior;
  partitions: Record<string, PartitionDefinition>;
  createdBy: string;
  timestamps: boolean;
  paranoid: boolean;
}

export interface ResourceDescription extends ResourceSummary {
  currentVersion: string;
  versions: Record<
    string,
    {
      hash: string;
      createdAt: string;
      attributes: Attributes;
      behavior: Behavior;
      partitions: Record<string, PartitionDefinition>;
      timestamps: boolean;
      paranoid: boolean;
    }
  >;
  attributes: Attributes;
  hooks: Partial<Record<HookEvent, string[]>>;
  /** Names of the plugins that see this resource's operations, in pipeline order. */
  plugins: string[];
}

const RESOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export class Database extends EventEmitter {
  readonly store: ObjectStore;
  readonly cipher: SecretCipher;
  private readonly logger: EngineLogger | undefined;
  private readonly concurrency: number;
  private readonly catalog: Catalog;
  private readonly resources = new Map<string, Resource>();
  private readonly hookRegistry = new Map<string, HookFunction>();
  private readonly host: ResourceHost;
  private readonly bareHost: ResourceHost;
  private readonly bareResources = new Map<string, Resource>();
  private readonly pipeline = new PluginPipeline();
  /** Plugins whose setup has run. */
  private readonly setUp = new Set<Plugin>();
  private readonly writeObservers: ((event: WriteEvent) => void | Promise<void>)[] = [];
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
    this.host = {
      store: this.store,
      cipher: this.cipher,
      concurrency: this.concurrency,
      logger: this.logger,
      entry: (name) => this.entry(name),
      namedHook: (name) => this.hookRegistry.get(name),
      emitExceedsLimit: (payload: ExceedsLimitEvent & { resource: string }) => {
        this.emit('exceedsLimit', payload);
      },
      runOperation: (resource, operation, args, engine) => {
        if (this.pipeline.plugins.length === 0) return engine(args, undefined, false);
        const entry = this.entry(resource.name);
        return this.pipeline.run(
          this,
          { resource, name: resource.name, createdBy: entry.createdBy, version: entry.currentVersion },
          operation,
          args,
          engine,
        );
      },
      bare: (name) => this.bareResource(name),
      notifyWrite: async (event) => {
        for (const observer of this.writeObservers) {
          try {
            await observer(event);
          } catch (e) {
            this.logger?.warn({ resource: event.resource, id: event.id, err: String(e) }, 'write observer failed');
          }
        }
      },
    };
    this.bareHost = { ...this.host, runOperation: undefined };
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
    this.writeObservers.push(observer);
    return () => {
      const i = this.writeObservers.indexOf(observer);
      if (i >= 0) this.writeObservers.splice(i, 1);
    };
  }

  /** The database without plugins: see DatabaseView. */
  withoutPlugins(): DatabaseView {
    return {
      store: this.store,
      cipher: this.cipher,
      resource: (name) => this.bareResource(name),
      hasResource: (name) => this.hasResource(name),
      createResource: async (def) => {
        const out = await this.createResource(def);
        return { ...out, resource: this.bareResource(def.name) };
      },
      listResources: () => this.listResources(),
      describeResource: (name) => this.describeResource(name),
    };
  }

  private bareResource(name: string): Resource {
    let r = this.bareResources.get(name);
    if (!r) {
      const full = this.resource(name);
      r = new Resource(name, this.bareHost, full.sharedCodeHooks);
      this.bareResources.set(name, r);
    }
    return r;
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

  private entry(name: string): CatalogResource {
    const entry = this.catalog.data.resources[name];
    if (!entry) throw this.missing(name);
    return entry;
  }

  private missing(name: string): NotFoundError {
    const names = Object.keys(this.catalog.data.resources);
    return new NotFoundError(`No resource named "${name}"`, {
      details: { resource: name },
      hint: names.length ? `Existing resources: ${names.join(', ')}.` : 'No resources yet: create one first.',
    });
  }

  /** Registers a function that definitions refer to by name in `hooks: { beforeInsert: ['name'] }`. */
  registerHook(name: string, fn: HookFunction): void {
    if (typeof name !== 'string' || name === '' || typeof fn !== 'function') {
      throw new ValidationError('registerHook needs a name and a function', { hint: 'db.registerHook("name", fn)' });
    }
    this.hookRegistry.set(name, fn);
  }

  private checkDefinition(def: ResourceDefinitionInput): VersionDefinition {
    if (typeof def?.name !== 'string' || !RESOURCE_NAME.test(def.name)) {
      throw new ValidationError(`Invalid resource name "${String(def?.name)}"`, {
        issues: [{ path: 'name', message: 'must be 1-100 letters, digits, _ or -, starting with a letter or digit' }],
        hint: 'Use a name like "users" or "order_items".',
      });
    }
    const behavior = def.behavior ?? 'body-overflow';
    if (!(BEHAVIORS as readonly string[]).includes(behavior)) {
      throw new ValidationError(`Unknown behavior "${behavior}"`, {
        issues: [{ path: 'behavior', message: `must be one of ${BEHAVIORS.join(', ')}` }],
        hint: `Use one of: ${BEHAVIORS.join(', ')}.`,
      });
    }
    const timestamps = def.timestamps === true;
    const schema = compileSchema(def.attributes, { timestamps });
    const partitions = normalizePartitions(schema.fieldTypes, def.partitions);
    for (const name of Object.keys(partitions)) {
      for (const field of Object.keys(partitions[name]!.fields)) {
        if (schema.secretPaths.includes(field)) {
          throw new ValidationError(`Partition "${name}" cannot use secret field "${field}"`, {
            details: { partition: name, field },
            hint: 'A partition key is stored in clear in the object key; pick a non-secret field.',
          });
        }
      }
    }
    const hooks: Partial<Record<HookEvent, string[]>> = {};
    for (const [event, names] of Object.entries(def.hooks ?? {})) {
      assertHookEvent(event);
      for (const name of names ?? []) {
        if (!this.hookRegistry.has(name)) {
          const known = [...this.hookRegistry.keys()];
          throw new ValidationError(`Hook "${name}" (${event}) is not registered`, {
            details: { hook: name, event },
            hint: known.length
              ? `Register it first with db.registerHook, or use one of: ${known.join(', ')}.`
              : 'Register it first with db.registerHook(name, fn).',
          });
        }
      }
      if (names && names.length > 0) hooks[event] = [...names];
    }
    return { attributes: def.attributes, behavior, partitions, timestamps, paranoid: def.paranoid === true, hooks };
  }

  /** Validates and records a definition; a new version only when its hash changed. */
  async createResource(
    def: ResourceDefinitionInput,
  ): Promise<{ resource: Resource; version: string; created: boolean; changed: boolean }> {
    this.assertConnected();
    const versionDef = this.checkDefinition(def);
    const hash = definitionHash(versionDef);
    const name = def.name;
    let outcome = { version: 'v0', created: false, changed: false, previous: undefined as string | undefined };
    await this.catalog.mutate((cat) => {
      const existing = cat.resources[name];
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
    return name in this.catalog.data.resources;
  }

  resource(name: string): Resource {
    let r = this.resources.get(name);
    if (!r) {
      this.entry(name);
      r = new Resource(name, this.host);
      this.resources.set(name, r);
    }
    return r;
  }

  listResources(): ResourceSummary[] {
    return Object.keys(this.catalog.data.resources)
      .sort()
      .map((name) => {
        const d = this.describeResource(name);
        return {
          name,
          version: d.version,
          behavior: d.behavior,
          partitions: d.partitions,
          createdBy: d.createdBy,
          timestamps: d.timestamps,
          paranoid: d.paranoid,
        };
      });
  }

  describeResource(name: string): ResourceDescription {
    const entry = this.entry(name);
    const cur = entry.versions[entry.currentVersion]!;
    const versions: ResourceDescription['versions'] = {};
    for (const [v, d] of Object.entries(entry.versions)) {
      versions[v] = {
        hash: d.hash,
        createdAt: d.createdAt,
        attributes: d.attributes,
        behavior: d.behavior,
        partitions: d.partitions,
        timestamps: d.timestamps,
        paranoid: d.paranoid,
      };
    }
    return {
      name,
      version: entry.currentVersion,
      currentVersion: entry.currentVersion,
      versions,
      attributes: cur.attributes,
      behavior: cur.behavior,
      partitions: cur.partitions,
      timestamps: cur.timestamps,
      paranoid: cur.paranoid,
      createdBy: entry.createdBy,
      hooks: cur.hooks,
      plugins: this.pipeline.applying({ name, createdBy: entry.createdBy }).map((p) => p.name),
    };
  }

  /** Object count and bytes per resource, by LIST of each data prefix. */
  async getStats(options: { resource?: string } = {}): Promise<{
    resources: { name: string; count: number; bytes: number }[];
    requests: RequestCounts;
    store: string;
    plugins: PluginSummary[];
  }> {
    const names = options.resource ? [this.resource(options.resource).name] : Object.keys(this.catalog.data.resources);
    const resources = [];
    for (const name of names.sort()) {
      let count = 0;
      let bytes = 0;
      let token: string | undefined;
      do {
        const page = await this.store.list({
          prefix: `resource=${name}/data/`,
          ...(token === undefined ? {} : { continuationToken: token }),
        });
        for (const o of page.objects) {
          count++;
          bytes += o.size;
        }
        token = page.isTruncated ? page.nextContinuationToken : undefined;
      } while (token !== undefined);
      resources.push({ name, count, bytes });
    }
    return {
      resources,
      requests: this.store.requestCounts(),
      store: this.store.description,
      plugins: this.plugins,
    };
  }

  /**
   * Checks (and unless dryRun repairs) the catalog, resources in the bucket but not in it, each resource's data
   * objects, then its partition references. A dry run only reads. The report is sorted (resource, kind, key).
   */
  async heal(options: { dryRun?: boolean; resource?: string } = {}): Promise<HealReport> {
    this.assertConnected();
    const dryRun = options.dryRun ?? true;
    const problems: HealProblem[] = [...this.connectRepairs];
    const backups: string[] = [...this.connectBackups];
    const found = await new Catalog(this.store).loadAndRepair({
      scan: 'always',
      dryRun,
      concurrency: this.concurrency,
    });
    problems.push(...found.problems);
    backups.push(...found.backups);
    if (!dryRun && found.problems.length > 0) await this.catalog.load();
    const names = options.resource ? [this.resource(options.resource).name] : Object.keys(this.catalog.data.resources);
    const stamp = keyStamp();
    for (const name of names.sort()) {
      const records = await healRecords(this.store, name, this.entry(name), {
        dryRun,
        concurrency: this.concurrency,
        stamp,
      });
      problems.push(...records.problems);
      backups.push(...records.backups);
      if (!dryRun && records.unmapped.length > 0) {
        await this.catalog.declareFields(name, records.unmapped);
        for (const p of records.problems) if (p.kind === 'unmapped-field') p.repaired = true;
      }
      problems.push(
        ...(await healPartitions(this.resource(name), {
          dryRun,
          concurrency: this.concurrency,
          ignoreIds: records.quarantined,
        })),
      );
    }
    problems.sort(compareProblems);
    const repaired = problems.filter((p) => p.repaired);
    // Repairs change what reads return without a document write: caches listen to this.
    // (connect's own repairs happened before anything was read, so they are left out.)
    const changed = repaired.filter((p) => !this.connectRepairs.includes(p));
    if (changed.length > 0) this.emit('healed', { resources: [...new Set(changed.map((p) => p.resource))], changed });
    return { dryRun, problems, repaired, backups };
  }
}

function compareProblems(a: HealProblem, b: HealProblem): number {
  const fields = [
    [a.resource ?? '', b.resource ?? ''],
    [a.kind, b.kind],
    [a.key ?? '', b.key ?? ''],
    [a.id ?? '', b.id ?? ''],
    [a.message, b.message],
  ] as const;
  for (const [x, y] of fields) if (x !== y) return x < y ? -1 : 1;
  return 0;
}
