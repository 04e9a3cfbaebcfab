// The planner: validates query options and picks the cheapest way to find the documents.
//   ids       — the filter pins ids (`id: x`, `id: {$in: [...]}`): direct reads only;
//   partition — an explicit partition + values, or top-level equality terms covering every field of a partition
//               (the one with most fields wins): a LIST of that exact prefix, then reads of the referenced docs;
//   scan      — LIST the data prefix and read every document (HEAD first when the metadata may be enough).
// In every strategy the whole filter is re-checked on each document, so bucketed (maxlength) and hashed partition
// values, and references left stale by a crash, never produce a wrong result.
import { ValidationError } from '../errors.js';
import {
  parsePartitionRule,
  partitionPrefix,
  partitionValueString,
  unknownPartitionError,
} from '../partitions/index.js';
import type { Filter, QueryOptions, QueryStrategy, ResourceAccess } from '../types.js';
import { fingerprint } from './cursor.js';
import {
  equalityTerms,
  filterFields,
  normalizeSort,
  pinnedIds,
  validateFilter,
  validateProjection,
  type SortKey,
} from './filter.js';

export const DEFAULT_QUERY_LIMIT = 100;
export const MAX_QUERY_LIMIT = 10_000;
// ~25 ms per request to a remote endpoint: 10 reads in flight give ~400 documents/s, 32 give ~1,300/s (a
// 1,000-document scan in under a second), still below the s3 store's 50-socket pool (bulk work shares it) and far
// below S3's 5,500 GET/s per prefix; on loopback the extra parallelism costs nothing measurable.
export const DEFAULT_QUERY_CONCURRENCY = 32;

export interface QueryPlanInternal {
  strategy: QueryStrategy;
  prefix?: string;
  partition?: string;
  reason: string;
  /** ids strategy: the ids to read. */
  ids?: string[];
  filter: Filter | undefined;
  /** An explicit partition the documents must belong to (re-checked on each document). */
  membership?: { partition: string; prefix: string };
  /** True when the filter says nothing beyond the partition's exact values (a count needs no reads). */
  filterCoveredByPartition: boolean;
  /** Fields the filter reads (without `id`). */
  filterFields: string[];
  sortKeys: SortKey[];
  fields: string[] | undefined;
  limit: number;
  fingerprint: string;
}

function checkLimit(limit: unknown): number {
  if (limit === undefined) return DEFAULT_QUERY_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
    throw new ValidationError(`limit must be an integer from 1 to ${MAX_QUERY_LIMIT} (got ${String(limit)})`, {
      details: { limit },
      hint: `Use a smaller limit and page with nextCursor (default ${DEFAULT_QUERY_LIMIT}).`,
    });
  }
  return limit;
}

/** Bucketed value strings for an explicit partition, validated. */
function explicitPartitionValues(
  access: ResourceAccess,
  partition: string,
  given: Record<string, unknown> | undefined,
): Record<string, string> {
  const def = Object.hasOwn(access.partitions, partition) ? access.partitions[partition] : undefined;
  if (!def) throw unknownPartitionError(access, partition);
  const fields = Object.keys(def.fields);
  const values: Record<string, string> = {};
  for (const key of Object.keys(given ?? {})) {
    if (!fields.includes(key)) {
      throw new ValidationError(`Partition "${partition}" has no field "${key}"`, {
        details: { partition, field: key, fields },
        hint: `partitionValues takes exactly the fields ${fields.join(', ')}.`,
      });
    }
  }
  for (const [field, ruleText] of Object.entries(def.fields)) {
    const raw = given?.[field];
    const text = partitionValueString(parsePartitionRule(partition, field, ruleText), raw);
    if (text === undefined) {
      throw new ValidationError(
        raw === undefined
          ? `Partition "${partition}" needs a value for "${field}"`
          : `Partition value for "${field}" must be a string, number, boolean or date`,
        {
          details: { partition, field, fields },
          hint: `Pass partitionValues with every field of the partition: ${fields.join(', ')}.`,
        },
      );
    }
    values[field] = text;
  }
  return values;
}

/** The partition whose every field has a top-level equality term, preferring the one with most fields. */
function partitionFromFilter(
  access: ResourceAccess,
  filter: Filter | undefined,
): { partition: string; values: Record<string, string>; exact: boolean } | undefined {
  const terms = equalityTerms(filter);
  let best: { partition: string; values: Record<string, string>; exact: boolean; size: number } | undefined;
  for (const [name, def] of Object.entries(access.partitions).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const values: Record<string, string> = {};
    let exact = true;
    let covered = true;
    for (const [field, ruleText] of Object.entries(def.fields)) {
      if (!terms.has(field)) {
        covered = false;
        break;
      }
      const rule = parsePartitionRule(name, field, ruleText);
      const text = partitionValueString(rule, terms.get(field));
      if (text === undefined) {
        covered = false;
        break;
      }
      if (rule.maxLength !== undefined || typeof terms.get(field) !== 'string') exact = false;
      values[field] = text;
    }
    const size = Object.keys(def.fields).length;
    if (covered && (!best || size > best.size)) best = { partition: name, values, exact, size };
  }
  if (!best) return undefined;
  // "Exact": the filter is nothing but these equality terms on unbucketed string values.
  const onlyTerms =
    filter !== undefined &&
    Object.keys(filter).every((k) => Object.hasOwn(best!.values, k)) &&
    Object.keys(best.values).length === Object.keys(filter).length;
  return { partition: best.partition, values: best.values, exact: best.exact && onlyTerms };
}

export function planQuery(
  access: ResourceAccess,
  options: QueryOptions,
  mode: 'query' | 'count' = 'query',
): QueryPlanInternal {
  const filter = options.filter;
  if (filter !== undefined) validateFilter(access, filter);
  const sortKeys = mode === 'count' ? [] : normalizeSort(access, options.sort);
  const fields = mode === 'count' ? undefined : validateProjection(access, options.fields);
  const limit = mode === 'count' ? Number.POSITIVE_INFINITY : checkLimit(options.limit);
  if (options.partitionValues !== undefined && options.partition === undefined) {
    throw new ValidationError('partitionValues needs partition', {
      hint: `Name the partition too (one of: ${Object.keys(access.partitions).join(', ') || 'none defined'}).`,
    });
  }
  const usedFields = [...filterFields(filter)].filter((f) => f !== 'id');
  const base = { filter, sortKeys, fields, limit, filterFields: usedFields, filterCoveredByPartition: false };

  let membership: QueryPlanInternal['membership'];
  if (options.partition !== undefined) {
    const values = explicitPartitionValues(access, options.partition, options.partitionValues);
    membership = { partition: options.partition, prefix: partitionPrefix(access.name, options.partition, values) };
  }

  let plan: Omit<QueryPlanInternal, 'fingerprint'>;
  const ids = pinnedIds(filter);
  if (ids !== undefined) {
    plan = {
      ...base,
      strategy: 'ids',
      ids,
      ...(membership ? { membership } : {}),
      reason: `The filter names ${ids.length} id(s): each is read directly, no LIST.`,
    };
  } else if (membership) {
    plan = {
      ...base,
      strategy: 'partition',
      prefix: membership.prefix,
      partition: membership.partition,
      membership,
      filterCoveredByPartition: filter === undefined || Object.keys(filter).length === 0,
      reason: `Explicit partition "${membership.partition}": one LIST of its prefix per 1000 references, then one read per reference.`,
    };
  } else {
    const found = partitionFromFilter(access, filter);
    if (found) {
      const prefix = partitionPrefix(access.name, found.partition, found.values);
      plan = {
        ...base,
        strategy: 'partition',
        prefix,
        partition: found.partition,
        membership: { partition: found.partition, prefix },
        filterCoveredByPartition: found.exact,
        reason: `The filter's equality terms cover every field of partition "${found.partition}": one LIST of its prefix, then one read per reference; the rest of the filter is applied to each document.`,
      };
    } else {
      const partitions = Object.keys(access.partitions);
      plan = {
        ...base,
        strategy: 'scan',
        prefix: access.dataPrefix,
        reason:
          partitions.length === 0
            ? 'No partitions are defined and no id is named: every document is listed and read.'
            : `No partition is fully covered by equality terms (partitions: ${partitions
                .map((p) => `${p}(${Object.keys(access.partitions[p]!.fields).join(',')})`)
                .join(' ')}): every document is listed and read.`,
      };
    }
  }
  const fp = fingerprint({
    s: plan.strategy,
    p: plan.prefix ?? null,
    i: plan.ids ?? null,
    m: plan.membership?.prefix ?? null,
    f: filter ?? null,
    o: sortKeys,
  });
  return { ...plan, fingerprint: fp };
}
