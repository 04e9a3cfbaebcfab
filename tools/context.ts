// What a tool handler receives: the engine's Database (seen through the few members tools use), the limits it
// must apply, a logger, and a way to ask the user to confirm a destructive step. Tools never import the server.
import type {
  BulkItemError,
  BulkResult,
  CountResult,
  Document,
  EngineLogger,
  HealReport,
  PartitionListing,
  QueryOptions,
  QueryResult,
  RequestCounts,
  ResourceDefinitionInput,
} from '../engine/index.js';

/** The Resource members tools use (docs/engine-api.md). */
export interface ToolResource {
  readonly name: string;
  readonly secretPaths: readonly string[];
  insert(data: Record<string, unknown>): Promise<Document>;
  insertMany(items: Record<string, unknown>[]): Promise<BulkResult>;
  get(id: string): Promise<Document>;
  update(id: string, patch: Record<string, unknown>): Promise<Document>;
  upsert(data: Record<string, unknown>): Promise<{ record: Document; created: boolean }>;
  delete(id: string, options?: { confirm?: boolean }): Promise<void>;
  deleteMany(ids: string[], options?: { confirm?: boolean }): Promise<{ deleted: string[]; errors: BulkItemError[] }>;
  query(options: QueryOptions): Promise<QueryResult>;
  count(options: Pick<QueryOptions, 'filter' | 'partition' | 'partitionValues'>): Promise<CountResult>;
  listPartitions(partition?: string): Promise<PartitionListing[]>;
}

export interface ToolResourceSummary {
  name: string;
  version: string;
  behavior: string;
  partitions: unknown;
  createdBy: string;
}

export interface ToolResourceDescription {
  name: string;
  currentVersion: string;
  versions: Record<string, unknown>;
  attributes: Record<string, unknown>;
  behavior: string;
  partitions: Record<string, unknown>;
  timestamps: boolean;
  paranoid: boolean;
  createdBy: string;
  hooks?: unknown;
  /** Names of the plugins that see this resource (engine `describeResource`). */
  plugins?: string[];
}

export interface ToolStats {
  resources: { name: string; count: number; bytes: number }[];
  requests: RequestCounts;
  store: string;
  /** The enabled plugins (engine `db.plugins`). */
  plugins?: { name: string; details: Record<string, unknown> }[];
}

/** The Database members tools use (docs/engine-api.md); the engine's Database satisfies it. */
export interface ToolDatabase {
  readonly passphraseSet: boolean;
  createResource(
    definition: ResourceDefinitionInput,
  ): Promise<{ resource: ToolResource; version: string; created: boolean; changed: boolean }>;
  listResources(): ToolResourceSummary[] | Promise<ToolResourceSummary[]>;
  resource(name: string): ToolResource;
  describeResource(name: string): ToolResourceDescription | Promise<ToolResourceDescription>;
  getStats(options?: { resource?: string }): Promise<ToolStats>;
  heal(options?: { dryRun?: boolean; resource?: string }): Promise<HealReport>;
  /** A registered plugin by name (metrics, full-text search…), when the database has plugins. */
  plugin?(name: string): unknown;
}

/** The limits and switches tools apply (a slice of the server config). */
export interface ToolLimits {
  queryDefaultLimit: number;
  queryMaxLimit: number;
  maxResponseBytes: number;
  revealSecrets: boolean;
}

export interface ToolContext {
  db: ToolDatabase;
  limits: ToolLimits;
  logger: EngineLogger;
  /** When the server started (ms since epoch), for uptime. */
  startedAt: number;
  /**
   * Asks the user to confirm a destructive step when the client supports elicitation; resolves true when it
   * cannot ask (the tool's annotations already say it is destructive).
   */
  confirm(message: string): Promise<boolean>;
}
