// heal over a whole database: the catalog (re-read and rebuilt from the bucket), then per resource its data
// objects and its partition references. A dry run only reads. The report is sorted (resource, kind, key).
import { Catalog } from '../catalog/index.js';
import { healS3dbjsBucket } from '../compat/s3dbjs/index.js';
import { healRecords, keyStamp } from '../heal/index.js';
import { healPartitions } from '../partitions/index.js';
import type { ResourceCore } from '../resource/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { HealProblem, HealReport } from '../types.js';

/** What heal needs of the database. */
export interface HealScope {
  readonly store: ObjectStore;
  readonly concurrency: number;
  /** The database's live catalog (re-read after a repair, fields declared on it). */
  readonly catalog: Catalog;
  core(name: string): ResourceCore;
}

export interface HealOptions {
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
  const { dryRun } = options;
  if (catalog.foreign) {
    // Another tool's bucket: reported, never rewritten (migrateFromS3dbjs copies it into this format).
    const found = await healS3dbjsBucket(store, catalog.foreign, { resource: options.resource, concurrency });
    return { dryRun, problems: found.sort(compareProblems), repaired: [], backups: [] };
  }
  const problems: HealProblem[] = [...earlier.problems];
  const backups: string[] = [...earlier.backups];
  const found = await new Catalog(store).loadAndRepair({ scan: 'always', dryRun, concurrency });
  problems.push(...found.problems);
  backups.push(...found.backups);
  if (!dryRun && found.problems.length > 0) await catalog.load();
  const names = options.resource === undefined ? catalog.names() : [scope.core(options.resource).name];
  const stamp = keyStamp();
  for (const name of names) {
    const records = await healRecords(store, name, catalog.entry(name), {
      dryRun,
      concurrency,
      stamp,
      quarantine: options.quarantine === true,
    });
    problems.push(...records.problems);
    backups.push(...records.backups);
    if (!dryRun && records.unmapped.length > 0) {
      await catalog.declareFields(name, records.unmapped);
      for (const p of records.problems) if (p.kind === 'unmapped-field') p.repaired = true;
    }
    problems.push(...(await healPartitions(scope.core(name), { dryRun, concurrency, ignoreIds: records.quarantined })));
  }
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
