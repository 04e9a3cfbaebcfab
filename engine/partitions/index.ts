// Partition index: reference keys `resource=NAME/partition=P/f1=v1[/f2=v2]/id=ID`. (Implementation pending.)
import { ValidationError } from '../errors.js';
import type { Document, PartitionDefinition } from '../types.js';

/** Validates partition definitions against the attribute types and sorts each partition's fields. */
export function normalizePartitions(
  fieldTypes: Record<string, string>,
  partitions: Record<string, PartitionDefinition> | undefined,
): Record<string, PartitionDefinition> {
  const out: Record<string, PartitionDefinition> = {};
  for (const [name, def] of Object.entries(partitions ?? {})) {
    for (const field of Object.keys(def.fields)) {
      if (!(field in fieldTypes)) {
        throw new ValidationError(`Partition "${name}" uses unknown attribute "${field}"`, {
          details: { partition: name, field },
          hint: `Partition fields must be attributes of the resource: ${Object.keys(fieldTypes).join(', ')}`,
        });
      }
    }
    out[name] = { fields: Object.fromEntries(Object.entries(def.fields).sort(([a], [b]) => (a < b ? -1 : 1))) };
  }
  return out;
}

/** The reference key of `doc` in each partition; a partition whose field is missing from `doc` has no entry. */
export function partitionReferenceKeys(
  _resourceName: string,
  _partitions: Record<string, PartitionDefinition>,
  _doc: Document,
): Map<string, string> {
  return new Map();
}
