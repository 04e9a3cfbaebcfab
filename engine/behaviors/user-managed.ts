// user-managed: tell the application (`exceedsLimit`) and then store the overflow in the body as body-overflow does.
import { bodyOverflow } from './body-overflow.js';
import { effectiveLimit, entriesBytes } from './calculator.js';
import type { SplitInput, SplitResult } from './types.js';

export function userManaged(input: SplitInput): SplitResult {
  const limit = effectiveLimit(input.system);
  const total = entriesBytes(input.entries);
  if (total > limit) {
    input.emit?.('exceedsLimit', {
      operation: input.operation,
      totalSize: total,
      limit,
      excess: total - limit,
      data: input.data,
      id: input.id,
    });
  }
  return bodyOverflow(input);
}
