// migrateFromS3dbjs: copy an s3db.js 21 bucket (or prefix) into this engine's format in another bucket or
// prefix. Each record is read the way get() reads it (secrets decrypted with the s3db.js passphrase), written
// here with the same id, timestamps and partition definitions (secrets re-encrypted), then read back and
// compared. Every record is checked against the target before it is written, so a second run changes nothing
// and a run killed midway completes when started again.
import { isDeepStrictEqual } from 'node:util';
import { Database } from '../../../database/index.js';
import { ConfigError } from '../../../errors.js';
import type { Resource } from '../../../resource/index.js';
import type { ObjectStore } from '../../../storage/index.js';
import type { Behavior, Document, ResourceDefinitionInput } from '../../../types.js';
import { mapLimit } from '../../../util/index.js';
import { migratedDefinition, S3DBJS_FORMAT, type S3dbjsCatalog } from '../index.js';

export interface MigrateFromS3dbjsOptions {
  /** The bucket (or prefix) s3db.js wrote: only read. */
  source: ObjectStore;
  /** Where this engine's format is written: another bucket or prefix (never the source). */
  target: ObjectStore;
  /** s3db.js's `security.passphrase`: decrypts its secret fields; also encrypts them here unless targetPassphrase. */
  passphrase?: string | undefined;
  targetPassphrase?: string | undefined;
  /** Only report what would be written (default true). */
  dryRun?: boolean;
  /** Only these resources (default: all of the s3db.js catalog). */
  resources?: readonly string[] | undefined;
  concurrency?: number;
}

export interface MigratedResource {
  name: string;
  /** The definition created (or kept) here. */
  definition: ResourceDefinitionInput;
  /** Records in the source. */
  records: number;
  /** Written in this run (or, in a dry run, that would be). */
  written: number;
  /** Already in the target with the same content. */
  unchanged: number;
  failed: { id: string; code: string; message: string }[];
  /** After the run: documents in the target, and ids whose target document differs from the source. */
  check: { targetCount: number; mismatched: string[] } | null;
}

export interface MigrationReport {
  dryRun: boolean;
  format: { format: typeof S3DBJS_FORMAT; writerVersion: string };
  resources: MigratedResource[];
  /** True when every record is in the target and equal to its source (always false in a dry run). */
  complete: boolean;
}

/** Behaviors that would cut or reject a record s3db.js stored: the copy keeps every byte with body-overflow. */
const LOSSY: ReadonlySet<Behavior> = new Set(['truncate-data', 'enforce-limits']);

async function readAll(resource: Resource, concurrency: number): Promise<Document[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await resource.listIds({ limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    ids.push(...page.ids);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  const { records } = await resource.getMany(ids, { concurrency });
  return records;
}

/** The document as it is compared: what the target must hold for `id`. */
const comparable = (doc: Document): Document => JSON.parse(JSON.stringify(doc)) as Document;

export async function migrateFromS3dbjs(options: MigrateFromS3dbjsOptions): Promise<MigrationReport> {
  const dryRun = options.dryRun !== false;
  const concurrency = options.concurrency ?? 10;
  if (options.source === options.target) {
    throw new ConfigError('The migration target must be another bucket or prefix than the source', {
      hint: 'Copy into a new bucket or prefix, check it, then point the server at it.',
    });
  }
  const source = new Database({ store: options.source, passphrase: options.passphrase, concurrency });
  await source.connect();
  const foreign: S3dbjsCatalog | undefined = source.catalogFormat;
  if (!foreign) {
    throw new ConfigError('The source is not an s3db.js bucket (its s3db.json was written by this engine)', {
      hint: 'Open it directly; there is nothing to migrate.',
    });
  }
  const target = new Database({
    store: options.target,
    passphrase: options.targetPassphrase ?? options.passphrase,
    concurrency,
  });
  await target.connect();
  if (target.catalogFormat) {
    throw new ConfigError('The migration target holds an s3db.js bucket', {
      hint: 'Migrate into an empty bucket or prefix, or one this engine already wrote.',
    });
  }
  const names = options.resources ?? Object.keys(foreign.resources).sort();
  const report: MigrationReport = {
    dryRun,
    format: { format: S3DBJS_FORMAT, writerVersion: foreign.writerVersion },
    resources: [],
    complete: !dryRun,
  };
  // Everything that would stop the run is checked before the first write.
  for (const name of names) {
    if (!Object.hasOwn(foreign.resources, name)) {
      throw new ConfigError(`The s3db.js bucket has no resource "${name}"`, {
        hint: `Its resources: ${Object.keys(foreign.resources).sort().join(', ')}.`,
      });
    }
    if (source.resource(name).secretPaths.length > 0 && !options.passphrase) {
      throw new ConfigError(`"${name}" has secret fields: the migration needs the s3db.js passphrase`, {
        hint: 'Pass the security passphrase the s3db.js database used (S3DB_SECURITY_PASSPHRASE).',
      });
    }
  }
  for (const name of names) {
    const entry = foreign.resources[name]!;
    const from = source.resource(name);
    const docs = await readAll(from, concurrency);
    const declared = new Set(Object.keys(from.attributes));
    const extras = new Set<string>();
    for (const doc of docs) {
      for (const k of Object.keys(doc)) if (k !== 'id' && k !== 'createdAt' && k !== 'updatedAt') extras.add(k);
    }
    for (const k of declared) extras.delete(k);
    const def = migratedDefinition(name, entry, [...extras].sort());
    const definition: ResourceDefinitionInput = {
      ...def,
      behavior: LOSSY.has(def.behavior) ? 'body-overflow' : def.behavior,
    };
    const result: MigratedResource = {
      name,
      definition,
      records: docs.length,
      written: 0,
      unchanged: 0,
      failed: [],
      check: null,
    };
    report.resources.push(result);
    const existing = target.hasResource(name) ? target.resource(name).withoutPlugins() : null;
    if (dryRun) {
      await mapLimit(docs, concurrency, async (doc) => {
        const there = existing ? await existing.getOrNull(doc.id) : null;
        if (there && isDeepStrictEqual(comparable(there), comparable(doc))) result.unchanged++;
        else result.written++;
      });
      continue;
    }
    const { resource: to } = await target.createResource(definition);
    const plain = to.withoutPlugins();
    // Timestamps are s3db.js's, not the time of the copy: set them after the engine stamps the insert.
    const stamps = new Map(docs.map((d) => [d.id, { createdAt: d.createdAt, updatedAt: d.updatedAt }]));
    to.addHook('beforeInsert', (value) => {
      const doc = value as Document;
      const s = stamps.get(doc.id);
      if (!s) return doc;
      const { createdAt: _c, updatedAt: _u, ...rest } = doc;
      return {
        ...rest,
        ...(s.createdAt === undefined ? {} : { createdAt: s.createdAt }),
        ...(s.updatedAt === undefined ? {} : { updatedAt: s.updatedAt }),
      } as Document;
    });
    await mapLimit(docs, concurrency, async (doc) => {
      try {
        const there = await plain.getOrNull(doc.id);
        if (there && isDeepStrictEqual(comparable(there), comparable(doc))) {
          result.unchanged++;
          return;
        }
        // A differing copy (a run stopped between delete and insert leaves none): insert keeps the timestamps.
        if (there) await plain.delete(doc.id, { confirm: true });
        const { createdAt: _c, updatedAt: _u, ...data } = doc;
        await plain.insert(data);
        result.written++;
      } catch (e) {
        const err = e as { code?: string; message?: string };
        result.failed.push({ id: doc.id, code: err.code ?? 'INTERNAL', message: err.message ?? String(e) });
      }
    });
    result.failed.sort((a, b) => (a.id < b.id ? -1 : 1));
    // The check: every source record is in the target and reads back equal; nothing else is there.
    const copied = new Map((await readAll(plain, concurrency)).map((d) => [d.id, d]));
    const mismatched = docs
      .filter((d) => !copied.has(d.id) || !isDeepStrictEqual(comparable(copied.get(d.id)!), comparable(d)))
      .map((d) => d.id)
      .sort();
    result.check = { targetCount: copied.size, mismatched };
    if (mismatched.length > 0 || copied.size !== docs.length) report.complete = false;
  }
  await Promise.all([source.close(), target.close()]);
  return report;
}
