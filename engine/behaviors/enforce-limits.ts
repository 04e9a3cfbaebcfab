// enforce-limits: everything in metadata, or a MetadataLimitError that names the biggest fields.
import { MetadataLimitError } from '../errors.js';
import { effectiveLimit, entriesBytes, splitResult } from './calculator.js';
import type { SplitInput, SplitResult } from './types.js';

export function enforceLimits(input: SplitInput): SplitResult {
  const limit = effectiveLimit(input.system);
  const total = entriesBytes(input.entries);
  if (total <= limit) return splitResult(input.system, input.entries, []);
  const fields = [...input.entries].sort((a, b) => b.bytes - a.bytes).map((e) => ({ field: e.path, bytes: e.bytes }));
  const top = fields
    .slice(0, 5)
    .map((f) => `${f.field} (${f.bytes} B)`)
    .join(', ');
  throw new MetadataLimitError(
    `Document "${input.id}" needs ${total} bytes of metadata; "${input.resource}" allows ${limit} (over by ${total - limit}). Largest fields: ${top}`,
    {
      details: { resource: input.resource, id: input.id, totalSize: total, limit, excess: total - limit, fields },
      hint: 'Shorten the named fields, or use behavior "body-overflow" to move large fields to the object body.',
    },
  );
}
