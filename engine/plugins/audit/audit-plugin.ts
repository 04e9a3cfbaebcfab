// The audit plugin: every insert/update/replace/upsert/delete of a user resource recorded in `plg_audits`
// (createdBy 'AuditPlugin', partitioned by resource and by resource+day) with the operation, time, actor,
// and the document before and after — secret fields masked, each side capped in size. The records are
// written through withoutPlugins(), so auditing never audits itself, and are queried like any resource. Each
// record is linked into this writer's hash chain (audit-chain.ts), which heal verifies.
import { randomBytes } from 'node:crypto';
import { ValidationError } from '../../errors.js';
import { generateId } from '../../ids.js';
import type {
  AfterHooks,
  OperationContext,
  Plugin,
  PluginHost,
  PluginResourceInfo,
  WriteOperation,
} from '../../pipeline/index.js';
import type { Document, Filter, HealProblem, QueryResult } from '../../types.js';
import { getPath, setPath } from '../../util/index.js';
import { ChainWriter, verifyChains } from './audit-chain.js';

export const AUDIT_RESOURCE = 'plg_audits';
/** What a secret field reads as in an audit record. */
export const AUDIT_SECRET_MARKER = '[secret]';

export interface AuditPluginOptions {
  /** Plugin name, also the `createdBy` of the audit resource (default 'AuditPlugin'). */
  name?: string;
  /** The audit resource (default 'plg_audits'). */
  resourceName?: string;
  /** Audit only these resources (plugin-created ones too). Default: every user resource. */
  include?: string[];
  exclude?: string[];
  /** Record before/after documents (default true). */
  includeData?: boolean;
  /** Cap on the JSON size of each of before/after (default 4096 bytes); bigger ones are summarised. */
  maxDataBytes?: number;
  /** Who acts: default the call context's `actor` (runWithCallContext). */
  actor?: (ctx: OperationContext) => string | undefined;
  /** Fail the operation when the audit record cannot be written (default false: counted and emitted as
   *  a 'pluginError' event on the database, the write stands). */
  failOnError?: boolean;
  /** The clock, for tests. */
  now?: () => Date;
  /**
   * Key of the records' HMAC chain (the server passes its passphrase). Without it the chain is plain SHA-256:
   * edits and removals are still caught, but someone who can write the bucket could forge a whole new chain.
   */
  key?: string;
}

/** One audit record as stored in plg_audits. */
export interface AuditRecord extends Document {
  resourceName: string;
  operation: WriteOperation;
  recordId: string;
  /** ISO time of the write. */
  at: string;
  /** YYYY-MM-DD (UTC) of `at`: the day partition. */
  day: string;
  actor?: string;
  session?: string;
  before?: unknown;
  after?: unknown;
  /** The writer's chain, this record's position in it, the previous record's hash and this record's. */
  chain?: string;
  seq?: number;
  prev?: string;
  hash?: string;
}

const DEFAULT_MAX_DATA_BYTES = 4096;

export class AuditPlugin implements Plugin {
  readonly name: string;
  readonly resourceName: string;
  readonly wantsPrevious = true;
  readonly after: AfterHooks;
  private readonly options: AuditPluginOptions;
  private readonly maxDataBytes: number;
  private db: PluginHost | undefined;
  private counters = { recorded: 0, failed: 0 };
  private lastMs = 0;
  private seq = 0;
  private readonly writer: ChainWriter;

  constructor(options: AuditPluginOptions = {}) {
    this.options = options;
    this.name = options.name ?? 'AuditPlugin';
    this.resourceName = options.resourceName ?? AUDIT_RESOURCE;
    this.maxDataBytes = options.maxDataBytes ?? DEFAULT_MAX_DATA_BYTES;
    if (!Number.isInteger(this.maxDataBytes) || this.maxDataBytes < 0) {
      throw new ValidationError('Audit maxDataBytes must be an integer >= 0', { hint: 'Use e.g. 4096.' });
    }
    this.writer = new ChainWriter(randomBytes(6).toString('hex'), options.key);
    this.after = {
      insert: (doc, ctx) => this.record(ctx, 'insert', null, doc),
      update: (doc, ctx) => this.record(ctx, 'update', ctx.previous ?? null, doc),
      replace: (doc, ctx) => this.record(ctx, 'replace', ctx.previous ?? null, doc),
      upsert: (r, ctx) => this.record(ctx, 'upsert', r.created ? null : (ctx.previous ?? null), r.record),
      delete: (_r, ctx) => this.record(ctx, 'delete', ctx.previous ?? null, null),
    };
  }

  async setup(db: PluginHost): Promise<void> {
    this.db = db;
    if (db.readOnly) return; // nothing is written to audit, and the log resource is not created
    await db.createResource({
      name: this.resourceName,
      createdBy: this.name,
      attributes: {
        resourceName: 'string|required',
        operation: 'string|required',
        recordId: 'string|required',
        at: 'string|required',
        day: 'string|required',
        actor: 'string|optional',
        session: 'string|optional',
        before: 'json|optional',
        after: 'json|optional',
        chain: 'string|optional',
        seq: 'number|optional',
        prev: 'string|optional',
        hash: 'string|optional',
      },
      partitions: {
        byResource: { fields: { resourceName: 'string' } },
        byResourceDay: { fields: { resourceName: 'string', day: 'string' } },
      },
    });
  }

  appliesTo(resource: PluginResourceInfo): boolean {
    if (resource.name === this.resourceName) return false;
    if (this.options.exclude?.includes(resource.name)) return false;
    if (this.options.include) return this.options.include.includes(resource.name);
    return resource.createdBy === 'user';
  }

  /** The id of this writer's hash chain (random per instance: one chain per server process). */
  get chain(): string {
    return this.writer.chain;
  }

  /** heal: verifies the chains of the whole audit log (one GET per record) and reports every break; repairs nothing. */
  async heal(options: { resource?: string | undefined }): Promise<HealProblem[]> {
    if (options.resource !== undefined && options.resource !== this.resourceName) return [];
    return this.verify();
  }

  /** Every break in the audit log's hash chains (edited, removed or forged records); empty when intact. */
  async verify(): Promise<HealProblem[]> {
    const db = this.requireDb();
    // No log yet (a read-only server never creates it): nothing to verify.
    if (!db.hasResource(this.resourceName)) return [];
    const audits = db.withoutPlugins().resource(this.resourceName);
    const records: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const page = await audits.list({ limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
      records.push(...page.records);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return verifyChains(records, {
      resource: this.resourceName,
      key: this.options.key,
      live: { chain: this.writer.chain, length: this.writer.length, failed: this.counters.failed },
    });
  }

  stats(): { recorded: number; failed: number } {
    return { ...this.counters };
  }

  describe(): Record<string, unknown> {
    return {
      resource: this.resourceName,
      includeData: this.options.includeData !== false,
      maxDataBytes: this.maxDataBytes,
      ...(this.options.include ? { include: this.options.include } : {}),
      ...(this.options.exclude ? { exclude: this.options.exclude } : {}),
      stats: this.stats(),
    };
  }

  /**
   * The audit trail of a resource (optionally one document, one day), oldest first (ids sort by time), via
   * the byResource / byResourceDay partitions.
   */
  async trail(
    resource: string,
    options: { id?: string; day?: string; limit?: number; cursor?: string } = {},
  ): Promise<QueryResult> {
    const db = this.requireDb();
    const filter: Filter = options.id === undefined ? {} : { recordId: options.id };
    const result = await db
      .withoutPlugins()
      .resource(this.resourceName)
      .query({
        ...(options.day === undefined
          ? { partition: 'byResource', partitionValues: { resourceName: resource } }
          : { partition: 'byResourceDay', partitionValues: { resourceName: resource, day: options.day } }),
        filter,
        sort: { id: 1 },
        limit: options.limit ?? 100,
        ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
      });
    return result;
  }

  private requireDb(): PluginHost {
    if (!this.db)
      throw new ValidationError(`${this.name} is not set up`, { hint: 'db.use(plugin) and connect first.' });
    return this.db;
  }

  /** Ids that sort in write order within this process (time, then a sequence), so a trail lists in order. */
  private nextId(): string {
    const ms = Date.now();
    if (ms <= this.lastMs) this.seq++;
    else {
      this.lastMs = ms;
      this.seq = 0;
    }
    return `${generateId(this.lastMs).slice(0, 8)}${this.seq.toString(36).padStart(4, '0')}${randomBytes(5).toString('hex')}`;
  }

  /** A copy safe to keep: secret fields masked, capped in size. */
  private snapshot(doc: Document | null, secretPaths: readonly string[]): unknown {
    if (!doc || this.options.includeData === false) return undefined;
    const copy = structuredClone(doc) as Record<string, unknown>;
    for (const path of secretPaths) {
      if (getPath(copy, path) !== undefined) setPath(copy, path, AUDIT_SECRET_MARKER);
    }
    const bytes = Buffer.byteLength(JSON.stringify(copy), 'utf8');
    if (bytes <= this.maxDataBytes) return copy;
    return { truncated: true, bytes, fields: Object.keys(copy).sort() };
  }

  private async record(
    ctx: OperationContext,
    operation: WriteOperation,
    before: Document | null,
    after: Document | null,
  ): Promise<undefined> {
    const db = this.requireDb();
    const at = (this.options.now?.() ?? new Date()).toISOString();
    const recordId = after?.id ?? before?.id ?? String((ctx.args as { id?: unknown }).id ?? '');
    const actor = this.options.actor ? this.options.actor(ctx) : ctx.call.actor;
    const secretPaths = ctx.resource.secretPaths;
    const beforeSnap = this.snapshot(before, secretPaths);
    const afterSnap = this.snapshot(after, secretPaths);
    const entry: Record<string, unknown> = {
      id: this.nextId(),
      resourceName: ctx.resourceName,
      operation,
      recordId,
      at,
      day: at.slice(0, 10),
      ...(typeof actor === 'string' && actor !== '' ? { actor } : {}),
      ...(typeof ctx.call.session === 'string' ? { session: ctx.call.session } : {}),
      ...(beforeSnap === undefined ? {} : { before: beforeSnap }),
      ...(afterSnap === undefined ? {} : { after: afterSnap }),
    };
    // Linked now, synchronously, so that concurrent operations of this process still form one chain.
    const linked = this.writer.link(entry);
    try {
      await db.withoutPlugins().resource(this.resourceName).insert(linked);
      this.counters.recorded++;
    } catch (e) {
      this.counters.failed++;
      if (this.options.failOnError) throw e;
      db.emit('pluginError', { plugin: this.name, operation, resource: ctx.resourceName, id: recordId, error: e });
    }
    return undefined;
  }
}
