// ListObjectsV2 semantics over an in-process sorted key list, shared by the memory and file stores.
import { ValidationError } from '../errors.js';
import { compareKeys, decodeToken, encodeToken } from './key-order.js';
import type { ListOptions, ListResult, ListedObject } from './object-store.js';

const MAX_KEYS_PER_PAGE = 1000;

export function checkMaxKeys(maxKeys: number | undefined): number {
  const n = maxKeys ?? MAX_KEYS_PER_PAGE;
  if (!Number.isInteger(n) || n < 1) {
    throw new ValidationError(`maxKeys must be a positive integer (got ${String(maxKeys)})`, {
      hint: 'Pass maxKeys between 1 and 1000.',
    });
  }
  return Math.min(n, MAX_KEYS_PER_PAGE);
}

/** `sorted` must be in UTF-8 byte order. `describe` turns a key into its listing entry. */
export function listSorted(
  sorted: readonly string[],
  options: ListOptions,
  describe: (key: string) => ListedObject,
): ListResult {
  const prefix = options.prefix ?? '';
  const maxKeys = checkMaxKeys(options.maxKeys);
  const after = options.continuationToken ? decodeToken(options.continuationToken) : options.startAfter;
  let i = lowerBound(sorted, prefix);
  if (after !== undefined && compareKeys(after, prefix) >= 0) i = Math.max(i, upperBound(sorted, after));

  const objects: ListedObject[] = [];
  const commonPrefixes: string[] = [];
  let last: string | undefined;
  for (; i < sorted.length; i++) {
    const key = sorted[i]!;
    if (!key.startsWith(prefix)) break;
    if (objects.length + commonPrefixes.length === maxKeys) {
      return { objects, commonPrefixes, isTruncated: true, nextContinuationToken: encodeToken(last!) };
    }
    const cut = options.delimiter ? key.indexOf(options.delimiter, prefix.length) : -1;
    if (cut >= 0) {
      const common = key.slice(0, cut + options.delimiter!.length);
      commonPrefixes.push(common);
      // Skip every key under this common prefix; the token must point past all of them.
      while (i + 1 < sorted.length && sorted[i + 1]!.startsWith(common)) i++;
      last = sorted[i]!;
    } else {
      objects.push(describe(key));
      last = key;
    }
  }
  return { objects, commonPrefixes, isTruncated: false };
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(sorted[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(sorted[mid]!, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
