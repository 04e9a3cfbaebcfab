// A small in-memory stand-in for the engine's Database, with the documented semantics the tools rely on
// (docs/engine-api.md), so the MCP layer can be tested on its own; the engine suites test the real thing.
import {
  ConflictError,
  ENCRYPTED_MARKER,
  NotFoundError,
  STORE_OPERATIONS,
  ValidationError,
  type BulkItemError,
  type CountResult,
  type Document,
  type HealReport,
  type PartitionListing,
  type QueryOptions,
  type QueryResult,
  type RequestCounts,
  type ResourceDefinitionInput,
  type StoreOperation,
} from '../../../engine/index.js';
import type { ToolDatabase, ToolResource } from '../../../tools/index.js';

class FakeResource implements ToolResource {
  readonly docs = new Map<string, Document>();
  private seq = 0;
  constructor(
    readonly def: ResourceDefinitionInput,
    private readonly db: FakeDatabase,
  ) {}
  get name(): string {
    return this.def.name;
  }
  get secretPaths(): string[] {
    return Object.entries(this.def.attributes)
      .filter(([, rule]) => typeof rule === 'string' && rule.startsWith('secret'))
      .map(([k]) => k);
  }
  private read(doc: Document): Document {
    const copy = structuredClone(doc);
    if (!this.db.passphraseSet) for (const p of this.secretPaths) if (p in copy) copy[p] = ENCRYPTED_MARKER;
    return copy;
  }
  async insert(data: Record<string, unknown>): Promise<Document> {
    this.db.count('PutObject');
    const id = typeof data.id === 'string' ? data.id : `gen${String(++this.seq).padStart(6, '0')}`;
    if (this.docs.has(id)) throw new ConflictError(`"${id}" exists`, { hint: 'Use upsert or update.' });
    for (const [k, rule] of Object.entries(this.def.attributes)) {
      if (typeof rule === 'string' && rule.includes('required') && data[k] === undefined) {
        throw new ValidationError(`${k} is required`, { hint: 'Add the missing fields.' });
      }
    }
    const doc = { ...data, id };
    this.docs.set(id, doc);
    return this.read(doc);
  }
  async insertMany(items: Record<string, unknown>[]) {
    const ids: string[] = [];
    const errors: BulkItemError[] = [];
    for (const [index, item] of items.entries()) {
      try {
        ids.push((await this.insert(item)).id);
      } catch (e) {
        errors.push({ index, code: (e as ConflictError).code, message: (e as Error).message });
      }
    }
    return { ids, errors };
  }
  async get(id: string): Promise<Document> {
    this.db.count('GetObject');
    const doc = this.docs.get(id);
    if (doc === undefined) {
      throw new NotFoundError(`No document "${id}" in "${this.name}"`, {
        hint: 'Use query or listIds to find existing ids.',
      });
    }
    return this.read(doc);
  }
  async update(id: string, patch: Record<string, unknown>): Promise<Document> {
    const doc = await this.get(id);
    const next = { ...this.docs.get(id), ...patch, id } as Document;
    void doc;
    this.docs.set(id, next);
    return this.read(next);
  }
  async upsert(data: Record<string, unknown>) {
    const id = String(data.id);
    const created = !this.docs.has(id);
    this.docs.set(id, { ...this.docs.get(id), ...data, id } as Document);
    return { record: this.read(this.docs.get(id) as Document), created };
  }
  async delete(id: string, options?: { confirm?: boolean }): Promise<void> {
    if (this.def.paranoid === true && options?.confirm !== true) {
      throw new ValidationError('paranoid resource', { hint: 'Pass confirm: true.' });
    }
    if (!this.docs.delete(id)) throw new NotFoundError(`No document "${id}"`, { hint: 'Check the id.' });
    this.db.count('DeleteObject');
  }
  async deleteMany(ids: string[], options?: { confirm?: boolean }) {
    const deleted: string[] = [];
    const errors: BulkItemError[] = [];
    for (const [index, id] of ids.entries()) {
      try {
        await this.delete(id, options);
        deleted.push(id);
      } catch (e) {
        errors.push({ index, id, code: (e as NotFoundError).code, message: (e as Error).message });
      }
    }
    return { deleted, errors };
  }
  private matches(doc: Document, options: Pick<QueryOptions, 'filter' | 'partition' | 'partitionValues'>): boolean {
    for (const [k, v] of Object.entries(options.partitionValues ?? {})) if (doc[k] !== v) return false;
    for (const [k, cond] of Object.entries(options.filter ?? {})) {
      const value = doc[k];
      if (cond !== null && typeof cond === 'object') {
        for (const [op, arg] of Object.entries(cond)) {
          if (op === '$gte' && !((value as number) >= (arg as number))) return false;
          if (op === '$gt' && !((value as number) > (arg as number))) return false;
          if (op === '$lt' && !((value as number) < (arg as number))) return false;
          if (op === '$in' && !(arg as unknown[]).includes(value)) return false;
        }
      } else if (value !== cond) return false;
    }
    return true;
  }
  async query(options: QueryOptions): Promise<QueryResult> {
    if (options.partition !== undefined && this.def.partitions?.[options.partition] === undefined) {
      throw new ValidationError(`Unknown partition "${options.partition}"`, { hint: 'See listPartitions.' });
    }
    this.db.count('ListObjectsV2');
    const all = [...this.docs.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).filter((d) => this.matches(d, options));
    const start = options.cursor === undefined ? 0 : Number(options.cursor);
    const limit = options.limit ?? 100;
    const page = all.slice(start, start + limit).map((d) => this.read(d));
    const end = start + page.length;
    const strategy = options.partitionValues === undefined ? 'scan' : 'partition';
    return {
      records: page,
      ...(end < all.length ? { nextCursor: String(end) } : {}),
      plan: { strategy, reason: 'fake', requests: 1 + page.length, scanned: page.length },
    };
  }
  async count(options: Pick<QueryOptions, 'filter' | 'partition' | 'partitionValues'>): Promise<CountResult> {
    const count = [...this.docs.values()].filter((d) => this.matches(d, options)).length;
    return { count, plan: { strategy: 'scan', reason: 'fake', requests: 1, scanned: count } };
  }
  async listPartitions(partition?: string): Promise<PartitionListing[]> {
    const defs = Object.entries(this.def.partitions ?? {}).filter(([n]) => partition === undefined || n === partition);
    if (partition !== undefined && defs.length === 0) {
      throw new NotFoundError(`No partition "${partition}"`, { hint: 'Call listPartitions without a name.' });
    }
    return defs.map(([name, def]) => {
      if (partition === undefined) return { name, fields: def.fields };
      const counts = new Map<string, number>();
      for (const d of this.docs.values()) {
        const key = JSON.stringify(Object.keys(def.fields).map((f) => String(d[f])));
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const values = [...counts].map(([key, count]) => {
        const vals = JSON.parse(key) as string[];
        return { values: Object.fromEntries(Object.keys(def.fields).map((f, i) => [f, vals[i] as string])), count };
      });
      return { name, fields: def.fields, values };
    });
  }
}

export class FakeDatabase implements ToolDatabase {
  readonly resources = new Map<string, FakeResource>();
  private readonly counts = Object.fromEntries(STORE_OPERATIONS.map((op) => [op, 0])) as Record<StoreOperation, number>;
  constructor(readonly passphraseSet = false) {}
  count(op: StoreOperation): void {
    this.counts[op]++;
  }
  async createResource(definition: ResourceDefinitionInput) {
    const existing = this.resources.get(definition.name);
    const changed = existing !== undefined && JSON.stringify(existing.def) !== JSON.stringify(definition);
    const resource = existing ?? new FakeResource(definition, this);
    if (existing !== undefined && changed) (existing as { def: ResourceDefinitionInput }).def = definition;
    this.resources.set(definition.name, resource);
    return { resource, version: 'v1', created: existing === undefined, changed };
  }
  listResources() {
    return [...this.resources.values()].map((r) => ({
      name: r.name,
      version: 'v1',
      behavior: r.def.behavior ?? 'body-overflow',
      partitions: r.def.partitions ?? {},
      createdBy: 'user',
    }));
  }
  resource(name: string): FakeResource {
    const r = this.resources.get(name);
    if (r === undefined) {
      throw new NotFoundError(`No resource "${name}"`, {
        hint: `Existing resources: ${[...this.resources.keys()].join(', ') || 'none'}. Create one with createResource.`,
      });
    }
    return r;
  }
  describeResource(name: string) {
    const r = this.resource(name);
    return {
      name,
      currentVersion: 'v1',
      versions: { v1: { attributes: r.def.attributes } },
      attributes: r.def.attributes as Record<string, unknown>,
      behavior: r.def.behavior ?? 'body-overflow',
      partitions: (r.def.partitions ?? {}) as Record<string, unknown>,
      timestamps: r.def.timestamps ?? false,
      paranoid: r.def.paranoid ?? false,
      createdBy: 'user',
    };
  }
  async getStats(options: { resource?: string } = {}) {
    const names = options.resource === undefined ? [...this.resources.keys()] : [this.resource(options.resource).name];
    const requests: RequestCounts = {
      byOperation: { ...this.counts },
      total: Object.values(this.counts).reduce((a, b) => a + b, 0),
    };
    return {
      resources: names.map((name) => ({
        name,
        count: this.resource(name).docs.size,
        bytes: JSON.stringify([...this.resource(name).docs.values()]).length,
      })),
      requests,
      store: 'memory://fake',
    };
  }
  async heal(options: { dryRun?: boolean } = {}): Promise<HealReport> {
    return { dryRun: options.dryRun ?? true, problems: [], repaired: [], backups: [] };
  }
}
