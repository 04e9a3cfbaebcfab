// migrateFromS3dbjs on the 21.6.2 fixture: a dry run writes nothing, the copy reads back equal and passes heal,
// a second run changes nothing, and a run killed midway completes when started again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Database,
  MemoryStore,
  migrateFromS3dbjs,
  type MigrationReport,
  type ObjectStore,
} from '../../engine/index.js';
import { listKeys } from '../../engine/internal.js';
import { enforceUserMetadataLimit } from '../support/metadata-guard.js';
import { expectedRecords, fixture, loadFixture, loadFixtureUnguarded } from '../support/s3dbjs-fixture.js';
import { createTestBucket, openS3Store, removeTestBucket, s3TestServer } from '../support/stores.js';

const records = expectedRecords();

async function sourceStore(): Promise<MemoryStore> {
  const store = new MemoryStore('s3dbjs', { enforceMetadataLimit: false });
  await loadFixture(store, 'radosgw');
  return store;
}

function writes(store: ObjectStore): number {
  const c = store.requestCounts().byOperation;
  return c.PutObject + c.DeleteObject + c.DeleteObjects;
}

/** Wraps a store so that it fails every request after `n` writes, as a process killed midway would. */
function dyingAfter(store: ObjectStore, n: number): ObjectStore {
  let left = n;
  const die = () => {
    if (left-- <= 0) throw new Error('killed');
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === 'put' || prop === 'delete' || prop === 'deleteMany') {
        return (...args: unknown[]) => {
          die();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

async function readBack(store: ObjectStore): Promise<Map<string, Record<string, unknown>>> {
  const db = new Database({ store, passphrase: fixture.passphrase });
  await db.connect();
  const out = new Map<string, Record<string, unknown>>();
  for (const [resource, id] of records) out.set(`${resource}/${id}`, await db.resource(resource).get(id));
  return out;
}

const total = (r: MigrationReport, k: 'written' | 'unchanged' | 'records') => r.resources.reduce((n, x) => n + x[k], 0);

describe('migrateFromS3dbjs', () => {
  let source: MemoryStore;
  let original: Map<string, Record<string, unknown>>;
  beforeAll(async () => {
    source = await sourceStore();
    original = await readBack(source);
  });

  it('a dry run reports every resource and record and writes nothing anywhere', async () => {
    const target = new MemoryStore('target-dry');
    source.resetRequestCounts();
    const report = await migrateFromS3dbjs({ source, target, passphrase: fixture.passphrase });
    expect(report.dryRun).toBe(true);
    expect(report.format).toEqual({ format: 's3db.js', writerVersion: '21.6.2' });
    expect(report.resources.map((r) => r.name)).toHaveLength(9);
    expect(total(report, 'records')).toBe(79);
    expect(total(report, 'written')).toBe(79);
    expect(writes(source)).toBe(0);
    expect(writes(target)).toBeLessThanOrEqual(1); // connect creates the empty target catalog
  });

  it('copies every record: reads back equal, passes heal, and a second run changes nothing', async () => {
    const target = new MemoryStore('target');
    const report = await migrateFromS3dbjs({ source, target, passphrase: fixture.passphrase, dryRun: false });
    expect(report.resources.flatMap((r) => r.failed)).toEqual([]);
    expect(report.resources.map((r) => r.check)).toEqual(
      report.resources.map((r) => ({ targetCount: r.records, mismatched: [] })),
    );
    expect(report.complete).toBe(true);
    expect(total(report, 'written')).toBe(79);
    expect(await readBack(target)).toEqual(original);

    const db = new Database({ store: target, passphrase: fixture.passphrase });
    await db.connect();
    expect(db.catalogFormat).toBeUndefined();
    expect((await db.heal({ dryRun: true })).problems).toEqual([]);
    // Secrets are stored re-encrypted in this engine's format, and partitions answer queries.
    expect((await db.resource('profiles').get('F9R2m_m8ACYxcBDA6nhg7u')).apiKey).toBe(
      original.get('profiles/F9R2m_m8ACYxcBDA6nhg7u')!.apiKey,
    );
    const science = await db
      .resource('articles')
      .query({ partition: 'byCategory', partitionValues: { category: 'science' } });
    expect(science.records.length).toBeGreaterThan(0);
    expect(science.records.every((d) => d.category === 'science')).toBe(true);

    target.resetRequestCounts();
    const again = await migrateFromS3dbjs({ source, target, passphrase: fixture.passphrase, dryRun: false });
    expect(total(again, 'unchanged')).toBe(79);
    expect(total(again, 'written')).toBe(0);
    expect(writes(target)).toBe(0);
  });

  it('a run killed midway completes when started again', async () => {
    const target = new MemoryStore('target-killed');
    await expect(
      migrateFromS3dbjs({ source, target: dyingAfter(target, 40), passphrase: fixture.passphrase, dryRun: false }),
    ).rejects.toThrow('killed');
    const partial = (await listKeys(target, 'resource=')).filter((k) => k.includes('/data/')).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(79);
    const resumed = await migrateFromS3dbjs({ source, target, passphrase: fixture.passphrase, dryRun: false });
    expect(resumed.complete).toBe(true);
    expect(total(resumed, 'unchanged')).toBeGreaterThan(0);
    expect(await readBack(target)).toEqual(original);
  });

  it('refuses without the passphrase when a resource has secret fields, and never writes into the source', async () => {
    await expect(migrateFromS3dbjs({ source, target: new MemoryStore('t2'), dryRun: false })).rejects.toMatchObject({
      code: 'CONFIG',
    });
    await expect(migrateFromS3dbjs({ source, target: source, passphrase: 'x' })).rejects.toMatchObject({
      code: 'CONFIG',
    });
  });
});

const server = s3TestServer();
describe.skipIf(server === null)('migrateFromS3dbjs from radosgw to radosgw', () => {
  const buckets: string[] = [];
  afterAll(async () => {
    for (const b of buckets) await removeTestBucket(server!, b);
  });

  it('copies the fixture bucket within the 2 KB metadata limit, equal to what it read, and passes heal', async () => {
    const [from, to] = [await createTestBucket(server!), await createTestBucket(server!)];
    buckets.push(from, to);
    await loadFixtureUnguarded(server!, from);
    const source = openS3Store(server!, from);
    const target = openS3Store(server!, to);
    const sizes = enforceUserMetadataLimit(target.client);
    const report = await migrateFromS3dbjs({ source, target, passphrase: fixture.passphrase, dryRun: false });
    expect(report.complete).toBe(true);
    expect(total(report, 'written')).toBe(79);
    expect(Math.max(...sizes.map((s) => s.bytes))).toBeLessThanOrEqual(2048);
    expect(await readBack(target)).toEqual(await readBack(source));
    const db = new Database({ store: target, passphrase: fixture.passphrase });
    await db.connect();
    expect((await db.heal({ dryRun: true })).problems).toEqual([]);
  });
});
