// The full-text plugin: an inverted index of chosen fields of chosen resources, kept in the database's own
// bucket under `plugin=fulltext/` so it survives restarts and every server on the bucket shares it, ranked with
// BM25. Layout, safe for concurrent writers because every object belongs to exactly one document and nothing
// shared is ever read-modified-written:
//   plugin=fulltext/resource=R/terms/TERM/TF~ID   an empty posting object: TERM occurs TF times in document ID
//   plugin=fulltext/resource=R/lens/LEN~ID        an empty object: document ID has LEN terms (N and avgdl)
//   plugin=fulltext/resource=R/docs/ID            JSON manifest { terms: {term: tf}, length } of what is indexed
// A search LISTs `lens/` once and `terms/TERM/` per query term: no GET per posting. The index follows every
// stored write (Database.onWrite, so writes through withoutPlugins() too), before the write returns.
import type { Plugin, PluginHost, PluginResourceInfo, WriteEvent } from '../../pipeline/index.js';
import { ValidationError } from '../../errors.js';
import { FULLTEXT_PREFIX, resourceRoot } from '../../keys.js';
import { listKeys, type ObjectStore } from '../../storage/index.js';
import type { Document } from '../../types.js';
import { getPath, mapLimit } from '../../util/index.js';
import { termFrequencies, tokenize } from './tokenize.js';

export interface FullTextPluginOptions {
  /** Resource name → the fields (dotted paths allowed) whose text is indexed. */
  resources: Record<string, string[]>;
  /** Key prefix in the bucket (default `plugin=fulltext/`). */
  prefix?: string;
  /** BM25 parameters (defaults 1.2 and 0.75). */
  k1?: number;
  b?: number;
  /** Parallel requests while indexing one document (default 8). */
  concurrency?: number;
}

export interface SearchHit {
  id: string;
  score: number;
  /** The query terms the document contains. */
  matched: string[];
  record?: Document;
}

export interface SearchResult {
  resource: string;
  /** The query's terms after normalisation (what was looked up). */
  terms: string[];
  /** Documents matching at least one term (before `limit`). */
  total: number;
  hits: SearchHit[];
}

export interface RebuildReport {
  resource: string;
  documents: number;
  postings: number;
  removedObjects: number;
}

interface Manifest {
  terms: Record<string, number>;
  length: number;
}

export const DEFAULT_FULLTEXT_PREFIX = FULLTEXT_PREFIX;

export class FullTextPlugin implements Plugin {
  readonly name = 'FullTextPlugin';
  readonly prefix: string;
  private readonly fields: Map<string, string[]>;
  private readonly k1: number;
  private readonly b: number;
  private readonly concurrency: number;
  private db: PluginHost | undefined;
  private unsubscribe: (() => void) | undefined;
  private counters = { indexed: 0, removed: 0, searches: 0 };

  constructor(options: FullTextPluginOptions) {
    const entries = Object.entries(options?.resources ?? {});
    if (entries.length === 0 || entries.some(([, f]) => !Array.isArray(f) || f.length === 0)) {
      throw new ValidationError('FullTextPlugin needs at least one resource with at least one field', {
        hint: "Use e.g. new FullTextPlugin({ resources: { articles: ['title', 'body'] } }).",
      });
    }
    this.fields = new Map(entries.map(([r, f]) => [r, [...f]]));
    this.prefix = options.prefix ?? DEFAULT_FULLTEXT_PREFIX;
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
    this.concurrency = options.concurrency ?? 8;
  }

  setup(db: PluginHost): void {
    this.db = db;
    this.unsubscribe?.();
    this.unsubscribe = db.onWrite((event) => this.onWrite(event));
  }

  teardown(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Listed by describeResource for the indexed resources; the plugin has no stages (it observes writes). */
  appliesTo(resource: PluginResourceInfo): boolean {
    return this.fields.has(resource.name);
  }

  /** The indexed resources and their fields. */
  get indexed(): Record<string, string[]> {
    return Object.fromEntries(this.fields);
  }

  describe(): Record<string, unknown> {
    return { resources: this.indexed, prefix: this.prefix, ranking: 'bm25', stats: { ...this.counters } };
  }

  private requireDb(): PluginHost {
    if (!this.db) throw new ValidationError('FullTextPlugin is not set up', { hint: 'db.use(plugin) and connect.' });
    return this.db;
  }

  private store(): ObjectStore {
    return this.requireDb().withoutPlugins().store;
  }

  private fieldsOf(resource: string): string[] {
    const fields = this.fields.get(resource);
    if (!fields) {
      throw new ValidationError(`Resource "${resource}" has no full-text index`, {
        details: { resource },
        hint: `Indexed resources: ${[...this.fields.keys()].join(', ')}. Index more with the plugin's resources option (or --fulltext).`,
      });
    }
    return fields;
  }

  private base(resource: string): string {
    return `${this.prefix}${resourceRoot(resource)}`;
  }

  /** The text of the indexed fields of a document (secret fields never indexed). */
  private extract(resource: string, doc: Document): Manifest {
    const secret = new Set(this.requireDb().resource(resource).secretPaths);
    const texts: string[] = [];
    const add = (v: unknown): void => {
      if (typeof v === 'string') texts.push(v);
      else if (typeof v === 'number' || typeof v === 'bigint') texts.push(String(v));
      else if (Array.isArray(v)) v.forEach(add);
    };
    for (const field of this.fieldsOf(resource)) {
      if (!secret.has(field)) add(getPath(doc as Record<string, unknown>, field));
    }
    return termFrequencies(texts);
  }

  private keysOf(base: string, id: string, m: Manifest): string[] {
    return [
      ...Object.entries(m.terms).map(([term, tf]) => `${base}terms/${term}/${tf}~${id}`),
      `${base}lens/${m.length}~${id}`,
    ];
  }

  private async onWrite(event: WriteEvent): Promise<void> {
    if (!this.fields.has(event.resource)) return;
    await this.index(event.resource, event.id, event.operation === 'delete' ? null : event.after, {
      readOld: event.operation !== 'insert',
    });
  }

  /** Brings one document's index objects in line with `doc` (null: remove them). */
  private async index(resource: string, id: string, doc: Document | null, opts: { readOld: boolean }): Promise<void> {
    const store = this.store();
    const base = this.base(resource);
    const manifestKey = `${base}docs/${id}`;
    let old: Manifest | null = null;
    if (opts.readOld) {
      const obj = await store.get(manifestKey);
      if (obj) {
        try {
          old = JSON.parse(obj.body.toString('utf8')) as Manifest;
        } catch {
          old = null; // unreadable manifest: its postings are left for rebuild to remove
        }
      }
    }
    const next = doc ? this.extract(resource, doc) : null;
    const oldKeys = old ? this.keysOf(base, id, old) : [];
    const newKeys = next ? this.keysOf(base, id, next) : [];
    const oldSet = new Set(oldKeys);
    const newSet = new Set(newKeys);
    // New postings first, then the manifest, then the stale postings: a crash leaves extra postings (scored
    // harmlessly, dropped by rebuild), never a document that is missing from the index.
    await mapLimit(
      newKeys.filter((k) => !oldSet.has(k)),
      this.concurrency,
      (k) => store.put(k, ''),
    );
    if (next) await store.put(manifestKey, JSON.stringify(next), {}, { contentType: 'application/json' });
    const stale = oldKeys.filter((k) => !newSet.has(k));
    if (!next) stale.push(manifestKey);
    if (stale.length > 0) await store.deleteMany(stale);
    if (next) this.counters.indexed++;
    else this.counters.removed++;
  }

  /** `A~B`-named objects under a prefix, as [number, id] pairs. */
  private async listPairs(prefix: string): Promise<[number, string][]> {
    const out: [number, string][] = [];
    for (const key of await listKeys(this.store(), prefix)) {
      const name = key.slice(prefix.length);
      const sep = name.indexOf('~');
      const n = Number(name.slice(0, sep));
      if (sep > 0 && Number.isFinite(n)) out.push([n, name.slice(sep + 1)]);
    }
    return out;
  }

  /**
   * Documents of `resource` matching any term of `query`, best first (BM25; ties by id). With `fetch` (default
   * true) each hit carries its record, read through the ordinary plugin-aware `get`; index entries whose
   * document no longer exists are skipped.
   */
  async search(
    resource: string,
    query: string,
    options: { limit?: number; fetch?: boolean } = {},
  ): Promise<SearchResult> {
    this.fieldsOf(resource);
    const db = this.requireDb();
    const limit = options.limit ?? 10;
    const terms = [...new Set(tokenize(query))];
    this.counters.searches++;
    if (terms.length === 0) return { resource, terms, total: 0, hits: [] };
    const base = this.base(resource);
    const lengths = new Map<string, number>();
    for (const [len, id] of await this.listPairs(`${base}lens/`)) lengths.set(id, len);
    const n = lengths.size;
    const avgdl = n === 0 ? 1 : [...lengths.values()].reduce((a, v) => a + v, 0) / n || 1;
    const scores = new Map<string, { score: number; matched: string[] }>();
    const postingLists = await Promise.all(terms.map((t) => this.listPairs(`${base}terms/${t}/`)));
    terms.forEach((term, i) => {
      const postings = new Map<string, number>();
      for (const [tf, id] of postingLists[i] as [number, string][]) if (lengths.has(id)) postings.set(id, tf);
      const df = postings.size;
      if (df === 0) return;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (const [id, tf] of postings) {
        const dl = lengths.get(id) as number;
        const s = (idf * tf * (this.k1 + 1)) / (tf + this.k1 * (1 - this.b + (this.b * dl) / avgdl));
        const entry = scores.get(id) ?? { score: 0, matched: [] };
        entry.score += s;
        entry.matched.push(term);
        scores.set(id, entry);
      }
    });
    const ranked = [...scores.entries()].sort(([a, x], [b, y]) => y.score - x.score || (a < b ? -1 : a > b ? 1 : 0));
    const hits: SearchHit[] = [];
    for (const [id, { score, matched }] of ranked) {
      if (hits.length >= limit) break;
      const hit: SearchHit = { id, score: Math.round(score * 1e6) / 1e6, matched };
      if (options.fetch !== false) {
        const record = await db.resource(resource).getOrNull(id);
        if (!record) continue;
        hit.record = record;
      }
      hits.push(hit);
    }
    return { resource, terms, total: scores.size, hits };
  }

  /** Drops a resource's index and indexes every document again (used by heal when it repairs). */
  async rebuild(resource: string): Promise<RebuildReport> {
    this.fieldsOf(resource);
    const db = this.requireDb();
    const store = this.store();
    const existing = await listKeys(store, this.base(resource));
    for (let i = 0; i < existing.length; i += 1000) await store.deleteMany(existing.slice(i, i + 1000));
    const report: RebuildReport = { resource, documents: 0, postings: 0, removedObjects: existing.length };
    if (!db.hasResource(resource)) return report;
    const bare = db.withoutPlugins().resource(resource);
    let cursor: string | undefined;
    do {
      const page = await bare.list({ limit: 100, ...(cursor === undefined ? {} : { cursor }) });
      await mapLimit(page.records, 4, async (doc) => {
        await this.index(resource, doc.id, doc, { readOld: false });
        report.documents++;
        report.postings += Object.keys(this.extract(resource, doc).terms).length;
      });
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return report;
  }

  /** Rebuilds every indexed resource (or one). */
  async rebuildAll(resource?: string): Promise<RebuildReport[]> {
    const names = resource === undefined ? [...this.fields.keys()] : [resource].filter((r) => this.fields.has(r));
    const out: RebuildReport[] = [];
    for (const name of names) out.push(await this.rebuild(name));
    return out;
  }
}
