// Delivers one document's CURRENT state to the targets. It reads the data object's ETag, the document, numbers
// the state (RevisionClock) and checks the ETag is unchanged, so the document, its ETag and its revision belong
// together. Targets that do not refuse older revisions themselves (`ordered: false`, e.g. another s3db bucket)
// get a second check after applying: when the document changed meanwhile, it is delivered again, so the last
// state applied at a target is never older than the bucket's.
import { ValidationError } from '../../errors.js';
import type { ObjectHead, ObjectStore } from '../../storage/index.js';
import { dataKey } from '../../keys.js';
import type { PluginHost, ResourceApi } from '../../pipeline/index.js';
import { isTombstone } from '../../resource/index.js';
import type { Document } from '../../types.js';
import { ENCRYPTED_MARKER } from '../../types.js';
import { getPath, setPath } from '../../util/index.js';
import type { RevisionClock } from './revision-clock.js';
import { ABSENT } from './revision-clock.js';
import type { ReplicationChange, ReplicationTarget } from './types.js';

/** What a resource rule may do to a document before it leaves (not applied to deletes). */
export interface ResourceRule {
  /** Keep only these top-level fields (plus `id`). */
  fields?: string[];
  /** Change the document; return null to not replicate this state (the target keeps its previous one). */
  transform?: (doc: Document) => Document | null;
}

export interface TargetStats {
  delivered: number;
  failed: number;
  lastError?: string;
  lastErrorAt?: string;
  lastDeliveredAt?: string;
}

/** One document state read from the bucket, numbered. */
export interface DocumentState {
  etag: string;
  revision: number;
  document: Document | null;
}

const MAX_ROUNDS = 20;

export class Deliverer {
  readonly stats = new Map<string, TargetStats>();
  private readonly prepared = new Map<string, Promise<void>>();

  constructor(
    private readonly db: PluginHost,
    readonly clock: RevisionClock,
    readonly targets: readonly ReplicationTarget[],
    private readonly rules: ReadonlyMap<string, ResourceRule>,
  ) {
    for (const t of targets) this.stats.set(t.name, { delivered: 0, failed: 0 });
  }

  private bare(resource: string): ResourceApi {
    return this.db.withoutPlugins().resource(resource);
  }

  /** The document's current state: ETag, document and revision that belong together. */
  async readState(resource: string, id: string): Promise<DocumentState> {
    const store = this.db.store;
    const key = dataKey(resource, id);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const before = await liveHead(store, key);
      let document: Document | null = null;
      if (before) {
        document = await this.bare(resource).getOrNull(id);
        if (!document) continue; // deleted meanwhile
      }
      const etag = before?.etag ?? ABSENT;
      const revision = await this.clock.number(resource, id, etag);
      const after = await liveHead(store, key);
      if ((after?.etag ?? ABSENT) === etag) return { etag, revision, document };
    }
    throw new ValidationError(`"${resource}/${id}" kept changing while being replicated`, {
      details: { resource, id },
      hint: 'The outbox retries it.',
      retryable: true,
    });
  }

  /** The document as `target` receives it: secret fields as it asked, then the resource's rule. */
  private async outgoing(resource: ResourceApi, doc: Document, target: ReplicationTarget): Promise<Document | null> {
    let out: Document = doc;
    const secrets = resource.secretPaths.filter((p) => typeof getPath(doc, p) === 'string');
    if (secrets.length > 0) {
      if (!this.db.passphraseSet) {
        throw new ValidationError(`"${resource.name}" has secret fields and the passphrase is not set`, {
          details: { resource: resource.name, fields: secrets },
          hint: 'Open the database with its passphrase to replicate resources with secret fields.',
        });
      }
      if (target.secrets === 'encrypted') {
        out = structuredClone(doc);
        for (const path of secrets) {
          const value = getPath(out, path) as string;
          if (value !== ENCRYPTED_MARKER) setPath(out, path, await this.db.cipher.encrypt(value, path));
        }
      }
    }
    const rule = this.rules.get(resource.name);
    if (rule?.fields) {
      const keep = new Set(['id', ...rule.fields]);
      out = Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k))) as Document;
    }
    return rule?.transform ? rule.transform(out) : out;
  }

  private prepare(target: ReplicationTarget, resource: ResourceApi): Promise<void> {
    const key = `${target.name}\u0000${resource.name}\u0000${resource.version}`;
    let p = this.prepared.get(key);
    if (!p) {
      p = target.prepare(resource);
      this.prepared.set(key, p);
      p.catch(() => this.prepared.delete(key));
    }
    return p;
  }

  /** Applies one state to one target; counts it. */
  async applyTo(target: ReplicationTarget, resource: string, id: string, state: DocumentState): Promise<void> {
    const stats = this.stats.get(target.name) as TargetStats;
    try {
      const api = this.bare(resource);
      await this.prepare(target, api);
      const document = state.document ? await this.outgoing(api, state.document, target) : null;
      if (state.document && !document) return; // the rule chose not to replicate this state
      const change: ReplicationChange = {
        resource,
        id,
        operation: document ? 'upsert' : 'delete',
        revision: state.revision,
        etag: state.document ? state.etag : null,
        version: api.version,
        document,
      };
      await target.apply(change);
      stats.delivered++;
      stats.lastDeliveredAt = new Date().toISOString();
    } catch (e) {
      stats.failed++;
      stats.lastError = e instanceof Error ? e.message : String(e);
      stats.lastErrorAt = new Date().toISOString();
      throw e;
    }
  }

  /**
   * Delivers the current state of `resource/id` to `targets` (default all); throws the first failure after
   * trying every target. `onDelivered` is told each target that took the state.
   */
  async deliver(
    resource: string,
    id: string,
    options: { targets?: readonly ReplicationTarget[]; onDelivered?: (target: string) => void } = {},
  ): Promise<void> {
    if (!this.db.hasResource(resource)) return; // the resource was dropped: nothing left to replicate
    let targets = options.targets ?? this.targets;
    for (let round = 0; round < MAX_ROUNDS && targets.length > 0; round++) {
      const state = await this.readState(resource, id);
      if (state.document === null && state.revision === 0) return; // never existed: nothing to replicate
      const results = await Promise.allSettled(targets.map((t) => this.applyTo(t, resource, id, state)));
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      results.forEach(
        (r, i) => r.status === 'fulfilled' && options.onDelivered?.((targets[i] as ReplicationTarget).name),
      );
      if (failure) throw failure.reason;
      // Targets without their own revision guard: if the document moved on while we applied, apply again.
      targets = targets.filter((t) => !t.ordered);
      if (targets.length === 0) return;
      const now = await liveHead(this.db.store, dataKey(resource, id));
      if ((now?.etag ?? ABSENT) === state.etag) return;
    }
  }
}

/** The data object's HEAD, or null when there is none or it is a delete's tombstone (absent for every reader). */
async function liveHead(store: ObjectStore, key: string): Promise<ObjectHead | null> {
  const head = await store.head(key);
  return head && !isTombstone(head.metadata) ? head : null;
}
