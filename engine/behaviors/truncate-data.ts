// truncate-data: fields fill the metadata in attribute order; the first that does not fit is cut to the byte
// (on a character boundary, never inside an escape), later ones are dropped, and `_tr` names them all.
import { encodeTextValue, type EncodedEntry } from '../codec/index.js';
import { effectiveLimit, entriesBytes, toMetadata } from './calculator.js';
import { TRUNCATED_MARKER, type SplitInput, type SplitResult } from './types.js';

function markerBytes(keys: readonly string[]): number {
  return TRUNCATED_MARKER.length + keys.join(',').length;
}

/** The longest prefix (whole code points) of `s` whose text encoding fits in `budget` bytes. */
function cut(s: string, budget: number): string | null {
  const chars = Array.from(s);
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (encodeTextValue(chars.slice(0, mid).join('')).length <= budget) lo = mid;
    else hi = mid - 1;
  }
  const prefix = chars.slice(0, lo).join('');
  return encodeTextValue(prefix).length <= budget ? prefix : null;
}

export function truncateData(input: SplitInput): SplitResult {
  const limit = effectiveLimit(input.system);
  if (entriesBytes(input.entries) <= limit) {
    return { metadata: toMetadata(input.system, input.entries), body: null, truncated: [] };
  }
  const kept: EncodedEntry[] = [];
  let used = 0;
  let k = 0;
  for (; k < input.entries.length && used + input.entries[k]!.bytes <= limit; k++) {
    kept.push(input.entries[k]!);
    used += input.entries[k]!.bytes;
  }
  let affected = input.entries.slice(k);
  // Make room for the marker itself by dropping kept fields from the end if needed.
  while (kept.length > 0 && used + markerBytes(affected.map((e) => e.key)) > limit) {
    const last = kept.pop()!;
    used -= last.bytes;
    affected = [last, ...affected];
  }
  const keys = affected.map((e) => e.key);
  const first = affected[0]!;
  const budget = limit - used - markerBytes(keys) - first.key.length;
  if (typeof first.value === 'string' && !input.secretPaths.includes(first.path) && budget > 0) {
    const prefix = cut(first.value, budget);
    if (prefix !== null) {
      const encoded = encodeTextValue(prefix);
      kept.push({ ...first, value: prefix, encoded, bytes: first.key.length + encoded.length });
    }
  }
  const metadata = toMetadata(input.system, kept);
  metadata[TRUNCATED_MARKER] = keys.join(',');
  return { metadata, body: null, truncated: affected.map((e) => e.path) };
}
