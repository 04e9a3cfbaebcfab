// What a resource's catalog entry compiles to: per schema version the validator, and for the current version
// also its normalized partitions and the hook runner (named hooks of the definition, then hooks added in code).
// Rebuilt when the catalog moves to a new version or is re-read.
import type { Catalog, CatalogResource, CatalogVersion } from '../catalog/index.js';
import type { S3dbjsCatalog } from '../compat/s3dbjs/index.js';
import { HookRunner, type HookRegistry } from '../hooks.js';
import { normalizePartitions } from '../partitions/index.js';
import { compileSchema, type CompiledSchema } from '../schema/index.js';
import type { HookEvent, HookFunction, PartitionDefinition } from '../types.js';

export interface VersionState {
  version: string;
  def: CatalogVersion;
  schema: CompiledSchema;
  partitions: Record<string, PartitionDefinition>;
  hooks: HookRunner;
}

interface CodeHook {
  event: HookEvent;
  fn: HookFunction;
  name?: string | undefined;
}

export class ResourceSchemas {
  private readonly compiled = new Map<string, CompiledSchema>();
  private readonly codeHooks: CodeHook[] = [];
  private cached: VersionState | undefined;
  private everSecret: { entry: CatalogResource; paths: string[] } | undefined;

  constructor(
    readonly name: string,
    private readonly catalog: Catalog,
    private readonly registry: HookRegistry,
  ) {}

  get entry(): CatalogResource {
    return this.catalog.entry(this.name);
  }

  /** The s3db.js catalog when the bucket is in s3db.js format (records are then read by engine/compat). */
  get foreign(): S3dbjsCatalog | undefined {
    return this.catalog.foreign;
  }

  /** The current version's compiled state. */
  current(): VersionState {
    const entry = this.entry;
    const def = entry.versions[entry.currentVersion]!;
    const { cached } = this;
    if (cached?.version === entry.currentVersion && cached.def === def) return cached;
    // A re-read catalog (heal may have repaired a version in place) invalidates what was compiled from it.
    if (cached !== undefined && cached.def !== def) this.compiled.clear();
    const schema = this.schemaFor(entry.currentVersion);
    const hooks = new HookRunner();
    for (const [event, names] of Object.entries(def.hooks ?? {}) as [HookEvent, string[]][]) {
      for (const hookName of names) hooks.add(event, (value, ctx) => this.named(hookName)(value, ctx), hookName);
    }
    for (const h of this.codeHooks) hooks.add(h.event, h.fn, h.name);
    this.cached = {
      version: entry.currentVersion,
      def,
      schema,
      partitions: normalizePartitions(schema.fieldTypes, def.partitions),
      hooks,
    };
    return this.cached;
  }

  /** The validator of `version` (the current one when the catalog does not know it). */
  schemaFor(version: string): CompiledSchema {
    let schema = this.compiled.get(version);
    if (!schema) {
      const entry = this.entry;
      const def = entry.versions[version] ?? entry.versions[entry.currentVersion]!;
      schema = compileSchema(def.attributes, { timestamps: def.timestamps });
      this.compiled.set(version, schema);
    }
    return schema;
  }

  /**
   * Every path that is secret in ANY version of the resource, current first. A value written while its path was
   * secret is stored encrypted whatever later versions say, so reads mask it and filters refuse it for good.
   */
  secretPathsEver(): string[] {
    const entry = this.entry;
    if (this.everSecret?.entry === entry) return this.everSecret.paths;
    const paths = new Set(this.current().schema.secretPaths);
    for (const version of Object.keys(entry.versions)) {
      for (const path of this.schemaFor(version).secretPaths) paths.add(path);
    }
    this.everSecret = { entry, paths: [...paths] };
    return this.everSecret.paths;
  }

  /** Registers a hook in code; it runs after the named hooks of the definition, in registration order. */
  addHook(event: HookEvent, fn: HookFunction, name?: string): void {
    new HookRunner().add(event, fn); // validates the event name
    this.codeHooks.push({ event, fn, name });
    this.cached = undefined;
  }

  /** A named hook is looked up when it runs, so it may be registered after the resource was opened. */
  private named(hookName: string): HookFunction {
    const fn = this.registry.get(hookName);
    if (!fn) throw new Error(`hook "${hookName}" is not registered in this process (db.registerHook)`);
    return fn;
  }
}
