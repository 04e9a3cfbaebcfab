// A scan's LISTs in parallel. S3 pages a LIST with continuation tokens, one page after the other; with a snapshot
// the manifest says where every 1,000th key was, so the rest of the prefix is split into ranges (after, b1],
// (b1, b2], …, (bn, end) listed at once and yielded in order. Each range is listed until a key passes its end (a
// range that grew since the build takes one more LIST; one that shrank stops at its end), so the keys are exactly
// those a sequential LIST returns now, whatever changed since the build. At most `lookahead` ranges are in
// flight, starting at 2 and doubling as ranges are consumed, so a query that stops early wastes few LISTs.
import { compareKeys, type ListedObject, type ListResult } from '../storage/index.js';

/** Ranges of a snapshot scan in flight at once (each is one request, rarely two). */
const MAX_LOOKAHEAD = 16;

/** `list(startAfter)` is one LIST request of the prefix; `boundaries` increase strictly, all after `after`. */
export async function* listRanges(
  list: (startAfter: string) => Promise<ListResult>,
  after: string,
  boundaries: readonly string[],
): AsyncGenerator<{ objects: ListedObject[]; more: boolean }> {
  const starts = [after, ...boundaries];
  const inFlight: Promise<ListedObject[]>[] = [];
  let started = 0;
  let lookahead = 2;
  try {
    for (let next = 0; next < starts.length; next++) {
      while (started < starts.length && started - next < lookahead) {
        const task = listRange(list, starts[started]!, boundaries[started]);
        task.catch(() => {}); // awaited in order below; abandoned ones must not become unhandled rejections
        inFlight.push(task);
        started++;
      }
      yield { objects: await inFlight[next]!, more: next < starts.length - 1 };
      lookahead = Math.min(MAX_LOOKAHEAD, lookahead * 2);
    }
  } finally {
    await Promise.allSettled(inFlight);
  }
}

/** Every key in (startAfter, end] (end undefined: to the end of the prefix), in order. */
async function listRange(
  list: (startAfter: string) => Promise<ListResult>,
  startAfter: string,
  end: string | undefined,
): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  let from = startAfter;
  for (;;) {
    const page = await list(from);
    for (const obj of page.objects) {
      if (end !== undefined && compareKeys(obj.key, end) > 0) return out;
      out.push(obj);
    }
    const last = page.objects[page.objects.length - 1];
    if (!page.isTruncated || !last || (end !== undefined && compareKeys(last.key, end) >= 0)) return out;
    from = last.key;
  }
}
