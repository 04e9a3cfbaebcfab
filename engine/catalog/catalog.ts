// s3db.json: the catalog of resources and their versions. Read in one GET, created with ifNoneMatch, written
// with ifMatch and re-applied on conflict so concurrent writers never lose each other's changes.
import { catalogView, detectForeignCatalog, foreignWriteError, type S3dbjsCatalog } from '../compat/s3dbjs/index.js';
import { ConflictError, isS3dbError, NotFoundError, S3dbError } from '../errors.js';
import { CATALOG_KEY, catalogBackupKey } from '../keys.js';
import type { ObjectStore, StoredObject } from '../storage/index.js';
import type { HealProblem } from '../types.js';
import { definitionHash, emptyCatalog, S3DB_VERSION, type CatalogFile, type CatalogResource } from './definition.js';
import { parseCatalog, problem } from './parse.js';
import { rebuildResources, resourcePrefixes } from './rebuild.js';

const MAX_ATTEMPTS = 20;

/** The catalog object in memory plus the ETag it was read at. */
export class Catalog {
  data: CatalogFile = emptyCatalog();
  etag: string | undefined;
  /** What the last load had to repair. */
  problems: HealProblem[] = [];
  /** The last load could not read the file at all, or dropped a resource: the bucket must be scanned. */
  needsScan = false;
  /** Set when s3db.json was written by s3db.js: read through engine/compat/s3dbjs, never written. */
  foreign: S3dbjsCatalog | undefined;
  private salvage: Record<string, unknown> = {};
  /** When s3db.json was last read or checked (ms), and the check in flight. */
  private checkedAt = 0;
  private checking: Promise<boolean> | null = null;
  /** The last load could not read the object itself: a repair replaces it unconditionally (no backup possible). */
  damagedObject = false;

  constructor(private readonly store: ObjectStore) {}

  /** The names of the resources in the catalog, sorted. */
  names(): string[] {
    return Object.keys(this.data.resources).sort();
  }

  has(name: string): boolean {
    return Object.hasOwn(this.data.resources, name);
  }

  /** The entry of resource `name`; NotFoundError (listing the existing names) when there is none. */
  entry(name: string): CatalogResource {
    if (this.has(name)) return this.data.resources[name]!;
    const names = this.names();
    throw new NotFoundError(`No resource named "${name}"`, {
      details: { resource: name },
      hint: names.length ? `Existing resources: ${names.join(', ')}.` : 'No resources yet: create one first.',
    });
  }

  /**
   * One GET on an existing catalog; GET + LIST + PUT (ifNoneMatch) on an empty store, where `create: false`
   * (read-only) keeps the empty catalog in memory instead.
   */
  async load(create = true): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const obj = await this.readObject();
      this.checkedAt = Date.now();
      if (obj === 'damaged') return;
      if (obj) {
        this.foreign = detectForeignCatalog(obj.body, S3DB_VERSION);
        if (this.foreign) {
          this.data = catalogView(this.foreign);
          this.etag = obj.etag;
          this.problems = [];
          this.needsScan = false;
          this.salvage = {};
          return;
        }
        const { catalog, problems, unreadable, truncated, salvage } = parseCatalog(obj.body.toString('utf8'));
        this.data = catalog;
        this.etag = obj.etag;
        this.problems = problems;
        this.salvage = salvage;
        // Any repair means the file was damaged: what it lost can only be learnt from the bucket (one LIST).
        this.needsScan = unreadable || truncated || problems.length > 0;
        return;
      }
      const fresh = emptyCatalog();
      if ((await resourcePrefixes(this.store)).length > 0) {
        // Documents without a catalog (s3db.json deleted): never start empty over them; rebuild instead.
        this.data = fresh;
        this.etag = undefined;
        this.problems = [problem('catalog-missing', 's3db.json is missing but the bucket holds resources')];
        this.needsScan = true;
        this.salvage = {};
        return;
      }
      if (!create) {
        this.data = fresh;
        this.etag = undefined;
        this.problems = [];
        this.needsScan = false;
        this.salvage = {};
        return;
      }
      try {
        const { etag } = await this.store.put(
          CATALOG_KEY,
          JSON.stringify(fresh, null, 2),
          {},
          {
            ifNoneMatch: '*',
            contentType: 'application/json',
          },
        );
        this.data = fresh;
        this.etag = etag;
        this.problems = [];
        this.needsScan = false;
        return;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
    }
    throw new S3dbError('INTERNAL', 'Could not read or create s3db.json', { retryable: true });
  }

  /**
   * The catalog object, or 'damaged' when the object itself cannot be read (a file store's file that is not an
   * object, or a directory in its place): the catalog is then rebuilt from the bucket and written over it.
   */
  private async readObject(): Promise<StoredObject | null | 'damaged'> {
    this.damagedObject = false;
    try {
      return await this.store.get(CATALOG_KEY);
    } catch (e) {
      const damaged =
        isS3dbError(e) && (e.code === 'CORRUPTED' || (e.code === 'STORAGE' && this.store.kind === 'file'));
      if (!damaged) throw e;
      this.data = emptyCatalog();
      this.etag = undefined;
      this.problems = [
        problem(
          'catalog-unreadable',
          `s3db.json cannot be read (${e.message}); the catalog is rebuilt from the bucket`,
        ),
      ];
      this.needsScan = true;
      this.salvage = {};
      this.damagedObject = true;
      return 'damaged';
    }
  }

  /**
   * Re-reads s3db.json when another process changed it: one HEAD, plus one GET when its ETag moved. Concurrent
   * calls share one check. A missing or damaged file keeps what this process knows (connect and heal repair it).
   * Returns true when the catalog in memory changed.
   */
  refresh(): Promise<boolean> {
    this.checking ??= (async () => {
      try {
        const head = await this.store.head(CATALOG_KEY).catch(() => null); // damaged: keep what we know
        this.checkedAt = Date.now();
        if (!head || head.etag === this.etag) return false;
        const previous = { data: this.data, etag: this.etag, problems: this.problems, salvage: this.salvage };
        await this.load(false);
        if (this.needsScan || this.etag === undefined) {
          Object.assign(this, previous, { needsScan: false });
          return false;
        }
        return true;
      } finally {
        this.checking = null;
      }
    })();
    return this.checking;
  }

  /** refresh() unless s3db.json was read or checked less than `maxAgeMs` ago. */
  async freshen(maxAgeMs: number): Promise<void> {
    if (Date.now() - this.checkedAt >= maxAgeMs) await this.refresh();
  }

  /**
   * Applies `change` to the catalog and writes it with ifMatch; on a conflict re-reads and re-applies.
   * `change` returns false when nothing needs writing.
   */
  async mutate(change: (catalog: CatalogFile) => boolean): Promise<void> {
    if (this.foreign) throw foreignWriteError(this.foreign, 'change s3db.json');
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const draft = structuredClone(this.data);
      if (!change(draft)) return;
      draft.lastUpdated = new Date().toISOString();
      try {
        const { etag } = await this.store.put(
          CATALOG_KEY,
          JSON.stringify(draft, null, 2),
          {},
          this.etag === undefined
            ? { ifNoneMatch: '*', contentType: 'application/json' }
            : { ifMatch: this.etag, contentType: 'application/json' },
        );
        this.data = draft;
        this.etag = etag;
        return;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** attempt)));
        await this.load();
        // Damaged or deleted under us: never write a catalog that forgets resources with data.
        if (this.needsScan) await this.completeFromBucket();
      }
    }
    throw new ConflictError('s3db.json kept changing under this write', {
      hint: 'Another process is writing the catalog continuously; retry later.',
      retryable: true,
    });
  }

  /** Adds an entry for every resource with documents in the bucket but none in the catalog (LIST + GETs). */
  async completeFromBucket(concurrency = 10): Promise<void> {
    const known = new Set(Object.keys(this.data.resources));
    const { resources, problems } = await rebuildResources(this.store, known, this.salvage, concurrency);
    Object.assign(this.data.resources, resources);
    this.problems.push(...problems);
  }

  /**
   * Loads, and when the file needed repair: rebuilds what only the bucket can tell (if `scan` is 'always', or
   * 'when-needed' and the file was unreadable or lost a resource), then — unless `dryRun` — copies the damaged
   * file to `s3db.json.corrupted.<timestamp>.backup` and writes the repaired catalog with ifMatch. A concurrent
   * writer wins the race: the catalog is then re-read and re-checked. Never touches a data object.
   */
  async loadAndRepair(options: {
    scan: 'always' | 'when-needed';
    dryRun: boolean;
    concurrency?: number;
    /** Create s3db.json on an empty store (default true; false in read-only mode). */
    create?: boolean;
  }): Promise<{ problems: HealProblem[]; backups: string[] }> {
    for (let attempt = 0; ; attempt++) {
      await this.load(options.create !== false);
      if (this.foreign) return { problems: [], backups: [] }; // never repaired into this format: migrate instead
      if (options.scan === 'always' || this.needsScan) await this.completeFromBucket(options.concurrency);
      const problems = this.problems;
      if (problems.length === 0 || options.dryRun) return { problems, backups: [] };
      try {
        const backup = await this.backup();
        await this.writeRepaired();
        this.problems = [];
        return { problems: problems.map((p) => ({ ...p, repaired: true })), backups: backup ? [backup] : [] };
      } catch (e) {
        if (!(e instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw e;
      }
    }
  }

  /**
   * Declares short keys found on documents but missing from the keyMap as `field_<key>` attributes typed 'any'
   * of the current version (its hash recomputed), so their values are reachable and survive updates.
   */
  async declareFields(name: string, keys: readonly string[]): Promise<void> {
    await this.mutate((cat) => {
      const entry = cat.resources[name];
      if (!entry) return false;
      const version = entry.versions[entry.currentVersion]!;
      const known = new Set(Object.values(entry.keyMap));
      const missing = keys.filter((k) => !known.has(k));
      if (missing.length === 0) return false;
      for (const key of missing) {
        let path = `field_${key}`;
        while (path in entry.keyMap || path in version.attributes) path = `${path}_`;
        entry.keyMap[path] = key;
        version.attributes[path] = 'any';
      }
      version.hash = definitionHash(version);
      return true;
    });
  }

  /** Copies the current catalog object aside (before a repair), returning the backup key. */
  async backup(): Promise<string | null> {
    const obj = this.damagedObject ? null : await this.store.get(CATALOG_KEY);
    if (!obj) return null;
    const key = catalogBackupKey();
    await this.store.put(key, obj.body, {}, { contentType: 'application/json' });
    return key;
  }

  /** Writes the in-memory catalog (after a repair) over the version it was read at (ifMatch). */
  async writeRepaired(): Promise<void> {
    const { etag } = await this.store.put(
      CATALOG_KEY,
      JSON.stringify(this.data, null, 2),
      {},
      {
        ...(this.damagedObject ? {} : this.etag === undefined ? { ifNoneMatch: '*' as const } : { ifMatch: this.etag }),
        contentType: 'application/json',
      },
    );
    this.etag = etag;
    this.damagedObject = false;
  }
}
