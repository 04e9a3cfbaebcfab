// One page of a resource's ids in key order, resumable by the store's continuation token (the cursor).
import { listsAsTombstone } from '../behaviors/index.js';
import { ValidationError } from '../errors.js';
import type { PageOptions } from '../pipeline/index.js';
import type { ObjectStore } from '../storage/index.js';

const DEFAULT_PAGE = 100;

export async function listIdPage(
  store: ObjectStore,
  prefix: string,
  idOf: (key: string) => string,
  options: PageOptions,
  /** Size 0 marks a delete's tombstone in this engine's format (a foreign record may be empty). */
  skipEmpty = true,
): Promise<{ ids: string[]; nextCursor?: string }> {
  const limit = options.limit ?? DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ValidationError('limit must be a positive integer', { hint: 'Pass limit between 1 and 1000.' });
  }
  const ids: string[] = [];
  let token = options.cursor;
  for (;;) {
    const page = await store.list({
      prefix,
      maxKeys: Math.min(1000, limit - ids.length),
      ...(token === undefined ? {} : { continuationToken: token }),
    });
    for (const o of page.objects) if (!listsAsTombstone(o, skipEmpty)) ids.push(idOf(o.key));
    token = page.isTruncated ? page.nextContinuationToken : undefined;
    if (token === undefined || ids.length >= limit) break;
  }
  return token === undefined ? { ids } : { ids, nextCursor: token };
}
