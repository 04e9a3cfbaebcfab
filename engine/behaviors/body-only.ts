// body-only: metadata holds only the system fields; every attribute lives in the JSON body.
import { splitResult } from './calculator.js';
import type { SplitInput, SplitResult } from './types.js';

export function bodyOnly(input: SplitInput): SplitResult {
  return splitResult(input.system, [], input.entries);
}
