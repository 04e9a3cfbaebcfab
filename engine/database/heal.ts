// heal over a whole database: the catalog (re-read and rebuilt from the bucket), then per resource its data
// objects, its partition references and its snapshot. A dry run only reads. The report is sorted (resource, kind, key).
import { Catalog } from '../catalog/index.js';
import { healS3dbjsBucket } from '../compat/s3dbjs/index.js';
import { healRecords, keyStamp } from '../heal/index.js';
import { healPartitions } from '../partitions/index.js';
import type { ResourceCore } from '../resource/index.js';
import type { Snapshots } from '../snapshot/index.js';
import type { ObjectStore } from '../storage/index.js';
import { throwIfCancelled } from '../errors.js';
import type { CallControls, HealProblem, HealReport } from '../types.js';
import { healSnapshot } from './heal-snapshots.js';

/** What heal needs of the database. */
export interface HealScope {
  readonly store: ObjectStore;
  readonly concurrency: number;
  /** The database's live catalog (re-read after a repair, fields declared on it). */
  readonly catalog: Catalog;
  core(name: string): ResourceCore;
  /** The database's snapshots; undefined when turned off (heal then leaves snapshots alone). */
  readonly snapshots?: Snapshots | undefined;
  /** Problems the plugins find in their own data (Plugin.heal). */
  pluginProblems?(resource: string | undefined): Promise<HealProblem[]>;
}

export interface HealOptions extends CallControls {
  dryRun: boolean;
  resource?: string | undefined;
  /** Move objects that cannot be decoded to s3db.quarantine/ (default: report them and leave them in place). */
  quarantine?: boolean | undefined;
}

export async function healDatabase(
  scope: HealScope,
  options: HealOptions,
  earlier: { problems: HealProblem[]; backups: string[] },
): Promise<HealReport> {
  const { store, concurrency, catalog } = scope;
  const { dryRun, signal } = options;
  if (catalog.foreign) {
    // Another tool's bucket: reported, never rewritten (migrateFromS3dbjs copies it into this format).
    const found = await healS3dbjsBucket(store, catalog.foreign, { resource: options.resource, concurrency });
    return { dryRun, problems: found.sort(compareProblems), repaired: [], backups: [] };
  }
  const problems: HealProblem[] = [...earlier.problems];
  const backups: string[] = [...earlier.backups];
  const found = await new Catalog(store).loadAndRepair({ scan: 'always', dryRun, concurrency, create: !dryRun });
  problems.push(...found.problems);
  backups.push(...found.backups);
  if (!dryRun && found.problems.length > 0) await catalog.load();
  const names = options.resource === undefined ? catalog.names() : [scope.core(options.resource).name];
  const stamp = keyStamp();
  // Progress counts resources checked; a cancel stops before the next LIST or object (items in flight finish).
  let done = 0;
  for (const name of names) {
    throwIfCancelled(signal);
    options.onProgress?.({ done: done++, total: names.length });
    const records = await healRecords(store, name, catalog.entry(name), {
      dryRun,
      concurrency,
      stamp,
      signal,
      quarantine: options.quarantine === true,
    });
    problems.push(...records.problems);
    backups.push(...records.backups);
    if (!dryRun && records.unmapped.length > 0) {
      await catalog.declareFields(name, records.unmapped);
      for (const p of records.problems) if (p.kind === 'unmapped-field') p.repaired = true;
    }
    const ignoreIds = records.quarantined;
    problems.push(...(await healPartitions(scope.core(name), { dryRun, concurrency, ignoreIds, signal })));
    if (scope.snapshots) {
      // Last, so a rebuilt snapshot packs the repaired objects. Plugin-owned resources get one only when named.
      const buildMissing = options.resource !== undefined || catalog.entry(name).createdBy === 'user';
      problems.push(...(await healSnapshot(store, scope.snapshots, name, { dryRun, buildMissing, signal })));
    }
  }
  options.onProgress?.({ done, total: names.length });
  if (scope.pluginProblems) problems.push(...(await scope.pluginProblems(options.resource)));
  problems.sort(compareProblems);
  return { dryRun, problems, repaired: problems.filter((p) => p.repaired), backups };
}

function compareProblems(a: HealProblem, b: HealProblem): number {
  const fields = [
    [a.resource ?? '', b.resource ?? ''],
    [a.kind, b.kind],
    [a.key ?? '', b.key ?? ''],
    [a.id ?? '', b.id ?? ''],
    [a.message, b.message],
  ] as const;
  for (const [x, y] of fields) if (x !== y) return x < y ? -1 : 1;
  return 0;
}
