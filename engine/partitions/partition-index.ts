// Reading and repairing the partition index by LIST: distinct values with counts, and heal (orphan, missing
// and stale references). Depends only on ResourceAccess and the ObjectStore.
import { ValidationError, throwIfCancelled } from '../errors.js';
import { generatedIdTime } from '../ids.js';
import { partitionRoot, partitionsRoot } from '../keys.js';
import { listCommonPrefixes, listKeys } from '../storage/index.js';
import type { HealProblem, PartitionListing, PartitionValueCount, ResourceAccess } from '../types.js';
import { mapLimit } from '../util/index.js';
import { parseReferenceKey, partitionReferenceKeys, writePartitionReference } from './partition-keys.js';

/**
 * An insert with a generated id writes its references beside its data object, so for a moment (a slow or
 * retried data PUT) a reference has no document yet. Heal leaves such a reference alone while its id's embedded
 * creation time is younger than this (the same bound as a delete's tombstone, TOMBSTONE_SETTLE_MS).
 */
export const REFERENCE_SETTLE_MS = 30_000;

function mayBeInFlight(id: string): boolean {
  const created = generatedIdTime(id);
  return created !== undefined && Date.now() - created < REFERENCE_SETTLE_MS;
}

export function unknownPartitionError(access: Pick<ResourceAccess, 'name' | 'partitions'>, partition: string) {
  const known = Object.keys(access.partitions);
  return new ValidationError(`Resource "${access.name}" has no partition "${partition}"`, {
    details: { resource: access.name, partition, partitions: known },
    hint: known.length
      ? `Use one of: ${known.join(', ')}.`
      : 'This resource has no partitions; query with a filter instead (it will scan).',
  });
}

/**
 * Without a name: the partitions and their fields (no request). With a name: that partition's distinct value
 * combinations with a reference count each, from LISTs of its prefix (never by reading documents).
 * Values are decoded exactly; a value too long for a key is reported by its prefix with `truncated: true`.
 */
export async function listPartitions(access: ResourceAccess, partition?: string): Promise<PartitionListing[]> {
  if (partition === undefined) {
    return Object.entries(access.partitions).map(([name, def]) => ({ name, fields: { ...def.fields } }));
  }
  const def = Object.hasOwn(access.partitions, partition) ? access.partitions[partition] : undefined;
  if (!def) throw unknownPartitionError(access, partition);
  const keys = await listKeys(access.store, partitionRoot(access.name, partition));
  const groups = new Map<string, PartitionValueCount>();
  for (const key of keys) {
    const ref = parseReferenceKey(access.name, key);
    if (!ref) continue;
    const group = groups.get(ref.valuesKey);
    if (group) group.count++;
    else groups.set(ref.valuesKey, { values: ref.values, count: 1, ...(ref.truncated ? { truncated: true } : {}) });
  }
  return [{ name: partition, fields: { ...def.fields }, values: [...groups.values()] }];
}

export interface HealPartitionsOptions {
  dryRun: boolean;
  /** Stops before the next LIST and before the next document is checked (see CallControls). */
  signal?: AbortSignal | undefined;
  /** Parallel reads/writes (default 10). */
  concurrency?: number;
  /** Ids to treat as absent (documents heal quarantines): their references are orphans. */
  ignoreIds?: ReadonlySet<string>;
}

/**
 * Finds references pointing to missing documents (`orphan-reference`), documents missing a reference
 * (`missing-reference`) and references that no longer match their document (`stale-reference`, e.g. after a
 * crash between an update's writes). Reads every document once. Repairs unless `dryRun`: writes missing
 * references (same form as the writer) and deletes orphan and stale ones, and references under a partition the
 * definition no longer has. A document that cannot be read is reported (`unreadable-document`), never repaired.
 */
export async function healPartitions(access: ResourceAccess, options: HealPartitionsOptions): Promise<HealProblem[]> {
  const partitionNames = Object.keys(access.partitions);
  const concurrency = options.concurrency ?? 10;
  const problems: HealProblem[] = [];
  const resource = access.name;

  const ignored = options.ignoreIds ?? new Set<string>();
  const guard = { onPage: () => throwIfCancelled(options.signal) };
  const dataIds = new Set(
    (await listKeys(access.store, access.dataPrefix, guard))
      .map((key) => access.idFromDataKey(key))
      .filter((id) => !ignored.has(id)),
  );
  // Existing references by id.
  const refsById = new Map<string, Set<string>>();
  const orphans: string[] = [];
  for (const name of partitionNames) {
    for (const key of await listKeys(access.store, partitionRoot(resource, name), guard)) {
      const ref = parseReferenceKey(resource, key);
      // A document inserted after the data LIST: confirm with a HEAD before calling its reference an orphan.
      if (ref && !dataIds.has(ref.id) && !ignored.has(ref.id) && (await access.readRecord(ref.id, 'head'))) {
        dataIds.add(ref.id);
      }
      if (ref && !dataIds.has(ref.id) && !ignored.has(ref.id) && mayBeInFlight(ref.id)) continue;
      if (!ref || !dataIds.has(ref.id)) {
        orphans.push(key);
        problems.push({
          kind: 'orphan-reference',
          resource,
          key,
          ...(ref ? { id: ref.id } : {}),
          message: ref
            ? `Partition reference points to missing document "${ref.id}"`
            : 'Object under the partition prefix is not a valid reference',
          repaired: false,
        });
        continue;
      }
      let set = refsById.get(ref.id);
      if (!set) refsById.set(ref.id, (set = new Set()));
      set.add(key);
    }
  }

  // References under a partition the definition no longer has (one LIST with a delimiter finds them).
  const root = partitionsRoot(resource);
  const undefinedPartitions = (await listCommonPrefixes(access.store, root, '/'))
    .map((common) => common.slice(root.length, -1))
    .filter((name) => !Object.hasOwn(access.partitions, name));
  for (const name of undefinedPartitions) {
    for (const key of await listKeys(access.store, partitionRoot(resource, name), guard)) {
      orphans.push(key);
      problems.push({
        kind: 'orphan-reference',
        resource,
        key,
        message: `Reference under partition "${name}", which the resource no longer defines`,
        repaired: false,
      });
    }
  }

  const missing: { key: string; version: string }[] = [];
  const stale: string[] = [];
  await mapLimit(
    [...dataIds],
    concurrency,
    async (id) => {
      let record;
      try {
        record = await access.readRecord(id, 'full');
      } catch (error) {
        problems.push({
          kind: 'unreadable-document',
          resource,
          key: access.dataKey(id),
          id,
          message: `Document "${id}" could not be read to check its references: ${(error as Error).message}`,
          repaired: false,
        });
        return;
      }
      if (!record) return; // deleted meanwhile: its references are orphans on the next run
      const expected = new Set(partitionReferenceKeys(resource, access.partitions, record.doc).values());
      const existing = refsById.get(id) ?? new Set<string>();
      for (const key of expected) {
        if (existing.has(key)) continue;
        missing.push({ key, version: record.version });
        problems.push({
          kind: 'missing-reference',
          resource,
          key,
          id,
          message: `Document "${id}" has no reference at ${key}`,
          repaired: false,
        });
      }
      for (const key of existing) {
        if (expected.has(key)) continue;
        stale.push(key);
        problems.push({
          kind: 'stale-reference',
          resource,
          key,
          id,
          message: `Reference no longer matches document "${id}"`,
          repaired: false,
        });
      }
    },
    options.signal,
  );

  if (!options.dryRun) {
    // Missing references first, so a document is never left without any reference.
    await mapLimit(
      missing,
      concurrency,
      (m) => writePartitionReference(access.store, m.key, m.version),
      options.signal,
    );
    const toDelete = [...orphans, ...stale];
    const failed = new Set<string>();
    for (let i = 0; i < toDelete.length; i += 1000) {
      const result = await access.store.deleteMany(toDelete.slice(i, i + 1000));
      for (const error of result.errors) failed.add(error.key);
    }
    for (const problem of problems) {
      if (problem.kind !== 'unreadable-document') problem.repaired = !failed.has(problem.key!);
    }
  }
  return problems;
}
