// heal over a bucket in s3db.js format: it reads every record the way get() does and reports what it found —
// the format, how to migrate, and any object it cannot decode — and changes nothing, dry run or not. This
// engine never repairs another tool's data into its own format in place; the migration copies it instead.
import { dataPrefix, idOfDataKey } from '../../keys.js';
import { listKeys, type ObjectStore } from '../../storage/index.js';
import type { HealProblem } from '../../types.js';
import { mapLimit } from '../../util/index.js';
import { S3DBJS_MIGRATE_HINT, type S3dbjsCatalog } from './catalog.js';
import { decodeRecord } from './record.js';

export async function healS3dbjsBucket(
  store: ObjectStore,
  foreign: S3dbjsCatalog,
  options: { resource?: string | undefined; concurrency: number },
): Promise<HealProblem[]> {
  const names = options.resource === undefined ? Object.keys(foreign.resources).sort() : [options.resource];
  const problems: HealProblem[] = [];
  let records = 0;
  for (const name of names) {
    const resource = foreign.resources[name];
    if (!resource) continue;
    const keys = await listKeys(store, dataPrefix(name));
    await mapLimit(keys, options.concurrency, async (key) => {
      const id = idOfDataKey(name, key);
      const obj = id === null ? null : await store.get(key);
      if (id !== null && !obj) return; // deleted meanwhile
      try {
        if (id === null || !obj) throw new Error('it is not an `id=` key');
        decodeRecord(resource, id, obj.metadata, obj.body);
        records++;
      } catch (e) {
        problems.push({
          kind: 'foreign-undecodable',
          resource: name,
          key,
          ...(id === null ? {} : { id }),
          message: `s3db.js object that cannot be read (${(e as Error).message}); left in place`,
          repaired: false,
        });
      }
    });
  }
  problems.push({
    kind: 'foreign-format',
    message:
      `Bucket in s3db.js ${foreign.writerVersion} format: ${names.length} resource(s), ${records} record(s) ` +
      `read as they are; heal changes nothing here. ${S3DBJS_MIGRATE_HINT}`,
    repaired: false,
  });
  return problems;
}
