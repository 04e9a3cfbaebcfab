// The executor: runs a plan with bounded concurrency (p-queue), pages results with a cursor, and counts every
// S3 request it makes itself (never by diffing the store's global counter, which other work shares).
//
// Paging. Unsorted results come in key order (data keys for scan and ids, reference keys for partition); the
// cursor carries the last key consumed and the next page LISTs with `startAfter` it, so pages never overlap or
// skip, even while documents are inserted (a new document shows up iff its key sorts after the cursor).
// Sorted queries read every match, sort (stable, missing values last) with the id as the final tie-break, and
// the cursor carries the last record's sort values and id: the next page re-reads the matches and returns those
// strictly after it. Each page of a sorted query therefore costs a full read of the matches — unless the resource
// has a snapshot: a scan then takes every unchanged document from it (snapshot-source.ts), so a page costs the
// LISTs, the segments not yet in memory and one read per changed document, the same for the fifth page as the first.
import PQueue from 'p-queue';
import { listsAsTombstone } from '../behaviors/index.js';
import { throwIfCancelled } from '../errors.js';
import { idOfReferenceKey, referenceKey } from '../keys.js';
import { compareKeys, listAll, listKeys, listPages, type ListedObject } from '../storage/index.js';
import { partitionReferenceKeys } from '../partitions/index.js';
import type { Snapshots } from '../snapshot/index.js';
import type {
  CallControls,
  CountResult,
  Document,
  QueryOptions,
  QueryPlan,
  QueryResult,
  RecordRead,
  ResourceAccess,
} from '../types.js';
import { decodeCursor, encodeCursor, type CursorState } from './cursor.js';
import { listRanges } from './list-ranges.js';
import { compareSortTuples, matchesFilter, projectDocument, sortTuple } from './filter.js';
import { DEFAULT_QUERY_CONCURRENCY, planQuery, type QueryPlanInternal } from './planner.js';
import { SnapshotSource, ownCopy } from './snapshot-source.js';

/** Keys per LIST request (the S3 maximum). */
const LIST_PAGE_KEYS = 1000;

export interface ExecutionOptions extends CallControls {
  /** Parallel document reads (default DEFAULT_QUERY_CONCURRENCY). */
  concurrency?: number;
  /** The database's snapshots; scans use the resource's snapshot when it has one. Undefined: never. */
  snapshots?: Snapshots | undefined;
}

/** The byte budget of one page (QueryOptions.maxBytes): the JSON array `[r1,r2,…]` of the page's records. */
class ByteBudget {
  private used = 2;
  constructor(
    private readonly maxBytes: number,
    private readonly sizeOf: (record: Document) => number,
  ) {}
  /** Takes the record's bytes when they fit (the first record always does); false leaves the budget as it was. */
  take(record: Document, first: boolean): boolean {
    const next = this.used + this.sizeOf(record) + 1;
    if (!first && next > this.maxBytes) return false;
    this.used = next;
    return true;
  }
}

function byteBudget(options: QueryOptions, fields: string[] | undefined): ByteBudget | undefined {
  if (options.maxBytes === undefined) return undefined;
  const measure = options.sizeOf ?? ((record: Document) => Buffer.byteLength(JSON.stringify(record)));
  return new ByteBudget(options.maxBytes, (doc) => measure(projectDocument(doc, fields)));
}

interface Meter {
  requests: number;
  scanned: number;
  skippedReferences: number;
}

interface Candidate {
  /** The LIST key this candidate came from (the cursor position). */
  pos: string;
  /** null for a stray object under a partition prefix that is not `…/id=ID` (heal reports it). */
  id: string | null;
  /** As LIST showed it (scan candidates): decides whether the snapshot's copy is the live one. */
  etag?: string;
  size?: number;
}

const NO_MATCH = Symbol('no-match');

interface PageOut {
  records: Document[];
  next?: CursorState;
  /** The byte budget ended the page. */
  truncated?: boolean;
}

class Execution {
  readonly meter: Meter = { requests: 0, scanned: 0, skippedReferences: 0 };
  private headFirst: boolean;
  private readonly queue: PQueue;
  private readonly concurrency: number;
  private readonly signal: AbortSignal | undefined;
  private readonly onProgress: CallControls['onProgress'];
  /** Set when the plan is a scan over enough documents and the resource has a snapshot. */
  source: SnapshotSource | undefined;
  private readonly snapshots: Snapshots | undefined;

  constructor(
    private readonly access: ResourceAccess,
    private readonly plan: QueryPlanInternal,
    options: ExecutionOptions,
    private readonly countOnly: boolean,
    private readonly budget?: ByteBudget,
  ) {
    this.signal = options.signal;
    this.onProgress = options.onProgress;
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_QUERY_CONCURRENCY);
    this.queue = new PQueue({ concurrency: this.concurrency });
    this.snapshots = plan.strategy === 'scan' ? options.snapshots : undefined;
    // HEAD first only where the filter may reject most documents from their metadata alone.
    this.headFirst = plan.strategy === 'scan' && plan.filterFields.length > 0;
  }

  /**
   * Opens the resource's snapshot for a scan (a GET or HEAD of its manifest; none while known absent). A scan whose
   * first LIST page shows fewer than `minDocuments` keys skips it: reading them costs little more than looking.
   */
  async prepare(firstPage?: { count: number; more: boolean }): Promise<void> {
    if (!this.snapshots || this.source) return;
    if (firstPage && !firstPage.more && firstPage.count < this.snapshots.minDocuments) return;
    this.source = await SnapshotSource.open(this.access, this.snapshots, this.meter);
  }

  /** Every store request of the execution goes through here: a cancelled call issues no further request. */
  request(): void {
    throwIfCancelled(this.signal);
    this.meter.requests++;
  }

  /** One more document (or key) read: progress for callers that report it. */
  advanced(done: number): void {
    this.onProgress?.({ done });
  }

  async list(prefix: string, startAfter: string | undefined) {
    this.request();
    return this.access.store.list({
      prefix,
      maxKeys: LIST_PAGE_KEYS,
      ...(startAfter !== undefined ? { startAfter } : {}),
    });
  }

  private async read(id: string, mode: 'head' | 'full'): Promise<RecordRead | null> {
    this.request();
    return this.access.readRecord(id, mode);
  }

  private needsBody(doc: Document): boolean {
    if (this.countOnly) return false;
    if (!this.plan.fields) return true;
    const needed = [...this.plan.fields, ...this.plan.sortKeys.map((k) => k.field)];
    return needed.some((f) => doc[f.split('.')[0]!] === undefined);
  }

  private belongs(doc: Document): boolean {
    const m = this.plan.membership;
    if (!m) return true;
    const def = this.access.partitions[m.partition]!;
    const key = partitionReferenceKeys(this.access.name, { [m.partition]: def }, doc).get(m.partition);
    return key === referenceKey(m.prefix, doc.id);
  }

  /** Reads one candidate and applies the filter: the matching document, or NO_MATCH. */
  async examine(candidate: Candidate): Promise<Document | typeof NO_MATCH> {
    const { id } = candidate;
    if (id === null) {
      this.meter.skippedReferences++;
      return NO_MATCH;
    }
    let record: RecordRead | null | undefined = await this.source?.read(candidate);
    if (record) {
      this.meter.scanned++;
    } else if (this.headFirst) {
      record = await this.read(id, 'head');
      this.advanced(++this.meter.scanned);
      if (record && !record.complete) {
        const head = record.doc;
        const decidable = this.plan.filterFields.every((f) => head[f.split('.')[0]!] !== undefined);
        if (!decidable) {
          // The metadata of this resource does not hold the filter's fields: stop trying HEADs.
          this.headFirst = false;
          record = await this.read(id, 'full');
        } else if (!matchesFilter(head, this.plan.filter, this.access.fieldTypes)) {
          return NO_MATCH;
        } else if (this.needsBody(head)) {
          record = await this.read(id, 'full');
        }
      }
    } else {
      record = await this.read(id, 'full');
      this.advanced(++this.meter.scanned);
    }
    return this.judge(record);
  }

  /** Whether a read document is a match (its partition value still the listed one, and the filter). */
  private judge(record: RecordRead | null): Document | typeof NO_MATCH {
    if (!record || !this.belongs(record.doc)) {
      if (this.plan.strategy === 'partition') this.meter.skippedReferences++;
      return NO_MATCH;
    }
    return matchesFilter(record.doc, this.plan.filter, this.access.fieldTypes) ? record.doc : NO_MATCH;
  }

  /**
   * Examines `candidates` in order, at most `concurrency` reads in flight, calling `onMatch` for each match in
   * order; stops when `onMatch` returns false. Returns the index after the last candidate consumed.
   */
  async examineInOrder(
    candidates: Candidate[],
    window: () => number,
    onMatch: (doc: Document, candidate: Candidate) => boolean,
  ): Promise<number> {
    const pending: Promise<Document | typeof NO_MATCH>[] = [];
    let next = 0;
    let consumed = 0;
    try {
      while (consumed < candidates.length) {
        const size = Math.max(1, Math.min(this.concurrency, window()));
        while (next < candidates.length && next - consumed < size) {
          const candidate = candidates[next++]!;
          // Already decoded from a snapshot segment in memory: judged at once, no read to schedule.
          const ready = candidate.id === null ? undefined : this.source?.ready(candidate);
          if (ready) {
            this.meter.scanned++;
            pending.push(Promise.resolve(this.judge(ready)));
            continue;
          }
          const task = this.queue.add(() => this.examine(candidate));
          task.catch(() => {}); // awaited below; abandoned ones must not become unhandled rejections
          pending.push(task);
        }
        const result = await pending[consumed]!;
        const candidate = candidates[consumed]!;
        consumed++;
        if (result !== NO_MATCH && !onMatch(result, candidate)) break;
      }
    } finally {
      this.queue.clear();
      await Promise.allSettled(pending.slice(consumed));
    }
    return consumed;
  }

  /** Candidates one LIST page at a time (or all pinned ids at once), in key order, after `startAfter`. */
  async *pages(startAfter: string | undefined): AsyncGenerator<{ candidates: Candidate[]; more: boolean }> {
    const plan = this.plan;
    if (plan.strategy === 'ids') {
      const candidates = plan
        .ids!.map((id) => ({ pos: this.access.dataKey(id), id }))
        .sort((a, b) => compareKeys(a.pos, b.pos))
        .filter((c) => startAfter === undefined || compareKeys(c.pos, startAfter) > 0);
      yield { candidates, more: false };
      return;
    }
    const prefix = plan.prefix!;
    let after = startAfter;
    for (let first = true; ; first = false) {
      const page = await this.list(prefix, after);
      if (first) await this.prepare({ count: page.objects.length, more: page.isTruncated });
      yield { candidates: this.candidates(page.objects), more: page.isTruncated };
      if (!page.isTruncated || page.objects.length === 0) return;
      after = page.objects[page.objects.length - 1]!.key;
      const boundaries = this.source?.boundariesAfter(after, LIST_PAGE_KEYS) ?? [];
      if (boundaries.length > 0) {
        const list = (from: string) => this.list(prefix, from);
        for await (const range of listRanges(list, after, boundaries)) {
          yield { candidates: this.candidates(range.objects), more: range.more };
        }
        return;
      }
    }
  }

  private candidates(objects: ListedObject[]): Candidate[] {
    const plan = this.plan;
    return objects.map((obj) => ({
      pos: obj.key,
      id: plan.strategy === 'scan' ? this.access.idFromDataKey(obj.key) : idOfReferenceKey(plan.prefix!, obj.key),
      etag: obj.etag,
      size: obj.size,
    }));
  }

  /** Expected fraction of matches is high when the filter adds nothing to the partition or the ids. */
  private likelyAllMatch(): boolean {
    return this.plan.strategy !== 'scan' && (this.plan.filterCoveredByPartition || this.plan.strategy === 'ids');
  }

  async runUnsorted(cursor: CursorState | undefined): Promise<PageOut> {
    const records: Document[] = [];
    const limit = this.plan.limit;
    const window = () => (this.likelyAllMatch() ? limit - records.length : this.concurrency);
    let lastPos: string | undefined;
    for await (const { candidates, more } of this.pages(cursor?.k)) {
      let overBudget = false;
      const consumed = await this.examineInOrder(candidates, window, (doc, candidate) => {
        // A record past the byte budget is not taken: the cursor stays on the last record returned.
        if (this.budget && !this.budget.take(doc, records.length === 0)) return !(overBudget = true);
        records.push(doc);
        lastPos = candidate.pos;
        return records.length < limit;
      });
      if (overBudget) return { records, next: { k: lastPos! }, truncated: true };
      if (records.length >= limit) {
        const hasMore = consumed < candidates.length || more;
        return hasMore ? { records, next: { k: lastPos! } } : { records };
      }
    }
    return { records };
  }

  async collectAll(onMatch: (doc: Document) => void): Promise<void> {
    for await (const { candidates } of this.pages(undefined)) {
      await this.examineInOrder(
        candidates,
        () => this.concurrency,
        (doc) => {
          onMatch(doc);
          return true;
        },
      );
    }
  }

  async runSorted(cursor: CursorState | undefined): Promise<PageOut> {
    const { sortKeys, limit } = this.plan;
    const fieldTypes = this.access.fieldTypes;
    const rows: { doc: Document; tuple: unknown[] }[] = [];
    await this.collectAll((doc) => rows.push({ doc, tuple: sortTuple(doc, sortKeys) }));
    const compare = (a: { tuple: unknown[]; id: string }, b: { tuple: unknown[]; id: string }) =>
      compareSortTuples(a.tuple, b.tuple, sortKeys, fieldTypes) || compareKeys(a.id, b.id);
    const sorted = rows
      .map((r) => ({ ...r, id: r.doc.id }))
      .sort(compare)
      .filter((r) => !cursor?.t || compare(r, { tuple: cursor.t, id: cursor.id ?? '' }) > 0);
    let page = sorted.slice(0, limit);
    const fit = this.budget ? page.findIndex((r, i) => !this.budget!.take(r.doc, i === 0)) : -1;
    if (fit > 0) page = page.slice(0, fit);
    const last = page[page.length - 1];
    return sorted.length > page.length && last
      ? {
          records: page.map((r) => r.doc),
          next: { t: last.tuple, id: last.id },
          ...(fit > 0 ? { truncated: true } : {}),
        }
      : { records: page.map((r) => r.doc) };
  }
}

function publicPlan(
  plan: QueryPlanInternal,
  meter: Meter,
  estimatedRequests?: number,
  source?: SnapshotSource,
): QueryPlan {
  return {
    strategy: plan.strategy,
    ...(plan.prefix !== undefined ? { prefix: plan.prefix } : {}),
    ...(plan.partition !== undefined ? { partition: plan.partition } : {}),
    reason: plan.reason,
    ...(estimatedRequests !== undefined ? { estimatedRequests } : {}),
    requests: meter.requests,
    scanned: meter.scanned,
    ...(meter.skippedReferences ? { skippedReferences: meter.skippedReferences } : {}),
    ...(source ? { snapshot: source.use(), reason: `${plan.reason} ${SNAPSHOT_REASON}` } : {}),
  };
}

const SNAPSHOT_REASON =
  'The resource has a snapshot: documents whose ETag in the LIST is the packed one come from its segments, the others are read directly.';

/** LISTs only: how many keys the plan would read, and the requests a real run would make. */
async function estimate(
  access: ResourceAccess,
  plan: QueryPlanInternal,
  execution: Execution,
  source?: SnapshotSource,
): Promise<number> {
  if (plan.strategy === 'ids') return plan.ids!.length;
  const meter = execution.meter;
  if (source) {
    const before = meter.requests;
    const listed: Candidate[] = [];
    for await (const obj of listAll(access.store, plan.prefix!, { onPage: () => execution.request() })) {
      listed.push({ pos: obj.key, id: access.idFromDataKey(obj.key), etag: obj.etag, size: obj.size });
    }
    const { segments, changed } = source.estimate(listed);
    return meter.requests - before + segments + changed;
  }
  const keys = (await listKeys(access.store, plan.prefix!, { onPage: () => execution.request() })).length;
  const sortedOrCount = plan.sortKeys.length > 0 || plan.limit === Number.POSITIVE_INFINITY;
  const reads = sortedOrCount || plan.strategy === 'scan' ? keys : Math.min(keys, plan.limit);
  return Math.max(1, Math.ceil(reads / 1000)) + reads;
}

/** Plans and runs a query (see the file comment for paging semantics). */
export async function runQuery(access: ResourceAccess, options: QueryOptions & ExecutionOptions): Promise<QueryResult> {
  const plan = planQuery(access, options);
  const execution = new Execution(access, plan, options, false, byteBudget(options, plan.fields));
  if (options.explain) {
    await execution.prepare();
    const source = execution.source;
    const estimatedRequests = execution.meter.requests + (await estimate(access, plan, execution, source));
    return { records: [], plan: publicPlan(plan, execution.meter, estimatedRequests, source) };
  }
  const cursor = options.cursor !== undefined ? decodeCursor(options.cursor, plan.fingerprint) : undefined;
  const result = plan.sortKeys.length > 0 ? await execution.runSorted(cursor) : await execution.runUnsorted(cursor);
  return {
    records: result.records.map((doc) => ownCopy(doc, projectDocument(doc, plan.fields))),
    ...(result.next ? { nextCursor: encodeCursor(plan.fingerprint, result.next) } : {}),
    ...(result.truncated ? { truncated: true } : {}),
    plan: publicPlan(plan, execution.meter, undefined, execution.source),
  };
}

/**
 * Counts matches. A partition whose values are the whole filter, and a resource without filter, are counted by
 * LIST alone (one request per 1000 keys; a partition count counts references, so run heal after a crash);
 * anything else runs the planner and reads (HEAD first on a scan).
 */
export async function runCount(
  access: ResourceAccess,
  options: Pick<QueryOptions, 'filter' | 'partition' | 'partitionValues' | 'explain'> & ExecutionOptions,
): Promise<CountResult> {
  const plan = planQuery(access, options, 'count');
  const execution = new Execution(access, plan, options, true);
  const meter = execution.meter;
  const noFilter = !plan.filter || Object.keys(plan.filter).length === 0;
  const listOnly =
    (plan.strategy === 'partition' && plan.filterCoveredByPartition) || (plan.strategy === 'scan' && noFilter);
  if (options.explain) {
    if (!listOnly) await execution.prepare();
    const source = execution.source;
    const opened = meter.requests;
    const estimatedRequests = opened + (await estimate(access, plan, execution, source));
    const listRequests = meter.requests - opened;
    return { count: 0, plan: publicPlan(plan, meter, listOnly ? listRequests : estimatedRequests, source) };
  }
  if (listOnly) {
    let count = 0;
    let keys = 0;
    // Tombstones are skipped among data objects only: a reference is always of size 0.
    const isData = plan.prefix === access.dataPrefix && access.emptyIsTombstone !== false;
    for await (const page of listPages(access.store, plan.prefix!, { onPage: () => execution.request() })) {
      for (const o of page.objects) if (!listsAsTombstone(o, isData)) count++;
      execution.advanced((keys += page.objects.length));
    }
    meter.scanned = count;
    return {
      count,
      plan: { ...publicPlan(plan, meter), reason: `${plan.reason} Counted by LIST alone, no document read.` },
    };
  }
  let count = 0;
  await execution.collectAll(() => count++);
  return { count, plan: publicPlan(plan, meter, undefined, execution.source) };
}
