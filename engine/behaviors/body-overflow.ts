// body-overflow (default): the smallest encoded fields fill the metadata, the rest go to a JSON body.
import { BODY_MARKER_BYTES, effectiveLimit, entriesBytes, splitResult } from './calculator.js';
import type { SplitInput, SplitResult } from './types.js';

export function bodyOverflow(input: SplitInput): SplitResult {
  const limit = effectiveLimit(input.system);
  if (entriesBytes(input.entries) <= limit) return splitResult(input.system, input.entries, []);
  const budget = limit - BODY_MARKER_BYTES;
  const bySize = [...input.entries].sort((a, b) => a.bytes - b.bytes);
  const inMeta = [];
  let used = 0;
  let i = 0;
  for (; i < bySize.length && used + bySize[i]!.bytes <= budget; i++) {
    inMeta.push(bySize[i]!);
    used += bySize[i]!.bytes;
  }
  return splitResult(input.system, inMeta, bySize.slice(i));
}
