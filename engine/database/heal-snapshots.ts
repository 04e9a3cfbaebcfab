// heal and resource snapshots: a snapshot is never wrong (the LIST decides what a query returns), but a missing,
// stale or damaged one makes scans read documents one by one again. Heal reports it as a problem and, unless a dry
// run, builds a fresh one (docs/queries.md "Snapshots").
import { inspectSnapshot, type SnapshotInspection, type Snapshots } from '../snapshot/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { HealProblem } from '../types.js';

/** A snapshot is stale for heal once this share of the documents changed, was added or was removed since its build. */
export const HEAL_STALE_FRACTION = 0.01;

export interface SnapshotHealOptions {
  dryRun: boolean;
  /** Build a missing snapshot (user resources, or the resource heal was asked about); stale ones are rebuilt anyway. */
  buildMissing: boolean;
  signal?: AbortSignal | undefined;
}

/** The snapshot problem of one resource (at most one), repaired by a build unless a dry run. */
export async function healSnapshot(
  store: ObjectStore,
  snapshots: Snapshots,
  resource: string,
  options: SnapshotHealOptions,
): Promise<HealProblem[]> {
  const found = await inspectSnapshot(store, resource);
  const problem = snapshotProblem(found, snapshots.minDocuments, options.buildMissing);
  if (!problem) return [];
  let repaired = false;
  if (!options.dryRun) {
    const built = await snapshots.build(resource, { signal: options.signal });
    // Not committed: another process committed a build started after ours, as fresh as ours would have been.
    repaired = true;
    problem.message += built.committed
      ? ` Rebuilt: ${built.documents} document(s) in ${built.segments} segment(s), ${built.requests} request(s).`
      : ' Another process committed a new snapshot first.';
  }
  return [{ kind: problem.kind, resource, message: problem.message, repaired }];
}

function snapshotProblem(
  found: SnapshotInspection,
  minDocuments: number,
  buildMissing: boolean,
): { kind: string; message: string } | undefined {
  const { documents, changed, removed } = found;
  if (found.state === 'damaged') {
    return {
      kind: 'snapshot-damaged',
      message:
        found.missingSegments > 0
          ? `The snapshot names ${found.missingSegments} segment(s) that are gone: their documents are read one by one.`
          : 'The snapshot manifest cannot be read: scans read every document.',
    };
  }
  if (found.state === 'none') {
    if (!buildMissing || documents < minDocuments) return undefined;
    return {
      kind: 'snapshot-missing',
      message: `No snapshot: a scan reads each of the ${documents} document(s); a snapshot makes it a few requests.`,
    };
  }
  const differing = changed + removed;
  if (differing === 0 || differing < Math.ceil(Math.max(documents, found.packed) * HEAL_STALE_FRACTION)) {
    return undefined;
  }
  return {
    kind: 'snapshot-stale',
    message:
      `The snapshot built at ${found.builtAt} is behind: ${changed} of ${documents} document(s) changed or new ` +
      `since (a scan reads each directly), ${removed} removed.`,
  };
}
