// The five behaviors: how a document's encoded fields are split between S3 metadata (2 KB) and the body.
import type { Behavior } from '../types.js';
import { bodyOnly } from './body-only.js';
import { bodyOverflow } from './body-overflow.js';
import { enforceLimits } from './enforce-limits.js';
import { truncateData } from './truncate-data.js';
import type { SplitInput, SplitResult } from './types.js';
import { userManaged } from './user-managed.js';

export const BEHAVIOR_IMPLEMENTATIONS: Record<Behavior, (input: SplitInput) => SplitResult> = {
  'body-overflow': bodyOverflow,
  'body-only': bodyOnly,
  'truncate-data': truncateData,
  'enforce-limits': enforceLimits,
  'user-managed': userManaged,
};

/** Splits encoded entries per the behavior; the metadata returned never exceeds 2048 bytes. */
export function applyBehavior(behavior: Behavior, input: SplitInput): SplitResult {
  return BEHAVIOR_IMPLEMENTATIONS[behavior](input);
}

export { BODY_MARKER_BYTES, effectiveLimit, entriesBytes, metadataBytes } from './calculator.js';
export {
  BODY_MARKER,
  CREATED_FIELD,
  TOMBSTONE_FIELD,
  TOMBSTONE_SETTLE_MS,
  listsAsTombstone,
  TRUNCATED_MARKER,
  UPDATED_FIELD,
  VERSION_FIELD,
  type ExceedsLimitEvent,
  type SplitInput,
  type SplitResult,
} from './types.js';
