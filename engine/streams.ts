// Streams over a resource: ids and records (parallel fetch, bounded, with backpressure) and a bulk-insert
// writer. A failing item is reported ('itemError' and `errors`) and never stops the stream.
import { Readable, Writable } from 'node:stream';
import { isS3dbError } from './errors.js';
import type { ResourceApi as Resource } from './pipeline/index.js';
import type { BulkItemError, Document } from './types.js';

export interface StreamOptions {
  /** Ids per LIST page (default 100). */
  pageSize?: number;
  /** Parallel GETs (default 10). */
  concurrency?: number;
}

function itemError(index: number, id: string | undefined, e: unknown): BulkItemError {
  return {
    index,
    ...(id === undefined ? {} : { id }),
    code: isS3dbError(e) ? e.code : 'INTERNAL',
    message: e instanceof Error ? e.message : String(e),
  };
}

async function* idPages(resource: Resource, pageSize: number): AsyncGenerator<string[]> {
  let cursor: string | undefined;
  do {
    const page = await resource.listIds({ limit: pageSize, ...(cursor === undefined ? {} : { cursor }) });
    if (page.ids.length > 0) yield page.ids;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}

/** A Readable of ids in key order. */
export function createIdStream(resource: Resource, options: StreamOptions = {}): Readable {
  const pageSize = options.pageSize ?? 100;
  return Readable.from(
    (async function* () {
      for await (const ids of idPages(resource, pageSize)) yield* ids;
    })(),
  );
}

/** A Readable of documents; a record that fails to read emits 'itemError' and is skipped. */
export function createRecordStream(
  resource: Resource,
  options: StreamOptions = {},
): Readable & { errors: BulkItemError[] } {
  const pageSize = options.pageSize ?? 100;
  const concurrency = options.concurrency ?? 10;
  const errors: BulkItemError[] = [];
  let index = 0;
  const gen = async function* (): AsyncGenerator<Document> {
    for await (const ids of idPages(resource, pageSize)) {
      for (let i = 0; i < ids.length; i += concurrency) {
        const chunk = ids.slice(i, i + concurrency);
        const base = index;
        index += chunk.length;
        const results = await Promise.allSettled(chunk.map((id) => resource.get(id)));
        for (let j = 0; j < results.length; j++) {
          const r = results[j]!;
          if (r.status === 'fulfilled') yield r.value;
          else {
            const err = itemError(base + j, chunk[j], r.reason);
            errors.push(err);
            stream.emit('itemError', err);
          }
        }
      }
    }
  };
  const stream = Readable.from(gen(), { objectMode: true, highWaterMark: concurrency });
  return Object.assign(stream, { errors });
}

/**
 * A Writable that inserts each written document, at most `concurrency` at a time (backpressure beyond that).
 * Failures emit 'itemError' and are collected in `errors`; `ids` lists what was inserted.
 */
export function createInsertStream(
  resource: Resource,
  options: { concurrency?: number } = {},
): Writable & { errors: BulkItemError[]; ids: string[] } {
  const concurrency = options.concurrency ?? 10;
  const errors: BulkItemError[] = [];
  const ids: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let index = 0;
  const writable: Writable = new Writable({
    objectMode: true,
    highWaterMark: concurrency,
    write(chunk: Record<string, unknown>, _enc, callback) {
      const i = index++;
      const p = resource
        .insert(chunk)
        .then((doc) => {
          ids.push(doc.id);
        })
        .catch((e: unknown) => {
          const err = itemError(i, typeof chunk?.id === 'string' ? chunk.id : undefined, e);
          errors.push(err);
          writable.emit('itemError', err);
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size < concurrency) callback();
      else void Promise.race(inFlight).then(() => callback());
    },
    final(callback) {
      void Promise.all(inFlight).then(() => callback());
    },
  });
  return Object.assign(writable, { errors, ids });
}
