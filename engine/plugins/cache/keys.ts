// Cache keys and invalidation scopes. A key is `RESOURCE/SCOPE/PARAMS`: SCOPE is a hash of what a write must
// touch to change the answer (one document, one partition's values, or the whole resource) and PARAMS a
// sha256 of the stable JSON of operation, schema version and arguments. A write invalidates the scopes of
// its document before and after: its id, 'all', and each partition's old and new values, so a write to
// region=US leaves region=EU answers cached.
import { createHash } from 'node:crypto';
import stableStringify from 'json-stable-stringify';
import { partitionPrefix, partitionValuesOf } from '../../partitions/index.js';
import type { Document, Filter, PartitionDefinition } from '../../types.js';
import type { Operation, OperationArgs } from '../../pipeline/index.js';
import { setPath } from '../../util/index.js';

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Stable JSON: the same value always gives the same text, whatever the key order. */
export function stableJson(value: unknown): string {
  return stableStringify(value) ?? 'undefined';
}

const ALL_SCOPE = 'all';

export function idScope(id: string): string {
  return `id:${id}`;
}

function partitionScope(resource: string, partition: string, def: PartitionDefinition, doc: unknown): string | null {
  try {
    const values = partitionValuesOf(partition, def, doc);
    return values ? `p:${partitionPrefix(resource, partition, values)}` : null;
  } catch {
    return null;
  }
}

export function scopePrefix(resource: string, scope: string): string {
  return `${resource}/${sha256(scope).slice(0, 24)}/`;
}

export function cacheKey(resource: string, scope: string, params: unknown): string {
  return `${scopePrefix(resource, scope)}${sha256(stableJson(params))}`;
}

/** Every scope a stored document belongs to (its id, 'all', one per partition it is in). */
export function documentScopes(
  resource: string,
  partitions: Record<string, PartitionDefinition>,
  doc: Document,
): string[] {
  const scopes = [idScope(doc.id), ALL_SCOPE];
  for (const [name, def] of Object.entries(partitions)) {
    const scope = partitionScope(resource, name, def, doc);
    if (scope) scopes.push(scope);
  }
  return scopes;
}

function equalityValue(condition: unknown): { value: unknown } | null {
  if (condition === null || ['string', 'number', 'boolean'].includes(typeof condition)) return { value: condition };
  if (typeof condition === 'object' && !Array.isArray(condition)) {
    const keys = Object.keys(condition);
    if (keys.length === 1 && keys[0] === '$eq') return equalityValue((condition as { $eq: unknown }).$eq);
  }
  return null;
}

/**
 * The narrowest scope whose writes can change the answer of a query/count: a partition when the call names
 * one with values, or when the filter fixes every field of a partition by equality (a document with other
 * values of those fields cannot match); otherwise the whole resource.
 */
function filterScope(
  resource: string,
  partitions: Record<string, PartitionDefinition>,
  options: { filter?: Filter; partition?: string; partitionValues?: Record<string, unknown> },
): string {
  if (options.partition !== undefined && options.partitionValues && partitions[options.partition]) {
    const doc: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(options.partitionValues)) setPath(doc, field, value);
    return partitionScope(resource, options.partition, partitions[options.partition]!, doc) ?? ALL_SCOPE;
  }
  const filter = options.filter ?? {};
  for (const name of Object.keys(partitions).sort()) {
    const def = partitions[name]!;
    const doc: Record<string, unknown> = {};
    let fixed = true;
    for (const field of Object.keys(def.fields)) {
      const eq = equalityValue(filter[field]);
      if (!eq || eq.value === null) {
        fixed = false;
        break;
      }
      setPath(doc, field, eq.value);
    }
    if (!fixed) continue;
    const scope = partitionScope(resource, name, def, doc);
    if (scope) return scope;
  }
  return ALL_SCOPE;
}

/** The scope of a read operation. */
export function readScope<Op extends Operation>(
  resource: string,
  partitions: Record<string, PartitionDefinition>,
  operation: Op,
  args: OperationArgs[Op],
): string {
  switch (operation) {
    case 'get':
    case 'exists':
      return idScope((args as OperationArgs['get']).id);
    case 'query':
      return filterScope(resource, partitions, (args as OperationArgs['query']).options);
    case 'count':
      return filterScope(resource, partitions, (args as OperationArgs['count']).options);
    default:
      return ALL_SCOPE;
  }
}
