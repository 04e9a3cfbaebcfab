// Reading a bucket s3db.js 21.6.2 wrote (test/fixtures/s3dbjs-21.6.2): every record through the engine,
// compared with what s3db.js itself read back, on the memory store (both metadata spellings) and on radosgw.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, MemoryStore, type ObjectStore } from '../../engine/index.js';
import { listKeys } from '../../engine/internal.js';
import {
  acceptable,
  expectedRecords,
  fixture,
  isResponseField,
  loadFixture,
  loadFixtureUnguarded,
  type View,
} from '../support/s3dbjs-fixture.js';
import { enforceUserMetadataLimit } from '../support/metadata-guard.js';
import { createTestBucket, openS3Store, removeTestBucket, s3TestServer } from '../support/stores.js';

const records = expectedRecords();

/** Deep equality, where a `$notes` value clipped as `start…[N chars total]` matches the text it was cut from. */
function matches(got: unknown, want: unknown): boolean {
  const clipped = typeof want === 'string' ? /^([\s\S]*)…\[(\d+) chars total\]$/.exec(want) : null;
  if (clipped && typeof got === 'string') {
    const total = Number(clipped[2]);
    return got.startsWith(clipped[1]!) && (got.length === total || [...got].length === total);
  }
  try {
    expect(got).toEqual(want);
    return true;
  } catch {
    return false;
  }
}

/** Compares one document with s3db.js's read (expected-aws.json), field by field, with the documented exceptions. */
function checkAgainstAws(resource: string, id: string, doc: Record<string, unknown>): void {
  const exp = fixture.expectedAws[resource]![id]!;
  const fields = new Set([...Object.keys(exp), ...Object.keys(doc)].filter((f) => !isResponseField(f)));
  for (const field of fields) {
    const want = acceptable(fixture.expectedAws, resource, id, field);
    const got = doc[field];
    const options = 'exact' in want ? [want.exact] : want.oneOf;
    expect(
      options.some((o) => matches(got, o)),
      `${resource}/${id}.${field} = ${JSON.stringify(got)?.slice(0, 80)}, want ${JSON.stringify(options).slice(0, 200)}`,
    ).toBe(true);
  }
}

async function openOver(store: ObjectStore, passphrase = fixture.passphrase): Promise<Database> {
  const db = new Database({ store, passphrase });
  await db.connect();
  return db;
}

async function expectHealChangesNothing(db: Database, store: ObjectStore): Promise<void> {
  const before = await snapshot(store);
  store.resetRequestCounts();
  for (const dryRun of [true, false]) {
    for (const quarantine of [false, true]) {
      const report = await db.heal({ dryRun, quarantine });
      expect(report.problems.map((p) => p.kind)).toEqual(['foreign-format']);
      expect(report.problems[0]!.message).toMatch(/s3db\.js 21\.6\.2 format: 9 resource\(s\), 79 record\(s\)/);
      expect(report.problems[0]!.message).toContain('s3db migrate --from-s3dbjs');
      expect(report.repaired).toEqual([]);
      expect(report.backups).toEqual([]);
    }
  }
  const c = store.requestCounts().byOperation;
  expect(c.PutObject + c.DeleteObject + c.DeleteObjects).toBe(0);
  expect(await snapshot(store)).toEqual(before);
}

/** Every key with its ETag. */
async function snapshot(store: ObjectStore): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of await listKeys(store, '')) out.set(key, (await store.head(key))!.etag);
  return out;
}

async function readAll(db: Database): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const [resource, id] of records) out.set(`${resource}/${id}`, await db.resource(resource).get(id));
  return out;
}

describe.each<View>(['aws', 'radosgw'])('s3db.js 21.6.2 bucket on the memory store (%s metadata names)', (view) => {
  let db: Database;
  let store: MemoryStore;
  beforeAll(async () => {
    store = new MemoryStore(`s3dbjs-${view}`, { enforceMetadataLimit: false });
    await loadFixture(store, view);
    db = await openOver(store);
  });

  it('lists the nine resources of the s3db.js catalog, read-only', () => {
    expect(db.listResources().map((r) => r.name)).toEqual([
      'articles',
      'attachments',
      'comments',
      'documents',
      'gadgets',
      'notes',
      'products',
      'profiles',
      'scalars',
    ]);
  });

  it('reads every record as s3db.js wrote it (expected-aws.json, with the documented exceptions)', async () => {
    const docs = await readAll(db);
    expect(docs.size).toBe(79);
    for (const [resource, id] of records) checkAgainstAws(resource, id, docs.get(`${resource}/${id}`)!);
  });

  it('matches expected.json on every field s3db.js itself read right on radosgw', async () => {
    const docs = await readAll(db);
    let compared = 0;
    for (const [resource, id] of records) {
      const exp = fixture.expected[resource]![id]!;
      const noted = new Set(
        (fixture.expected.$notes[resource]?.[id]?.differences ?? []).map((d) => d.field.split('.')[0]),
      );
      for (const [field, value] of Object.entries(exp)) {
        if (isResponseField(field) || noted.has(field) || field.includes('-')) continue;
        expect(docs.get(`${resource}/${id}`)![field], `${resource}/${id}.${field}`).toEqual(value);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(600);
  });

  it('returns what s3db.js stored where its own read changes it (JSON-looking strings, quoted dates, buffers)', async () => {
    const scalars = db.resource('scalars');
    let checked = 0;
    for (const [id, notes] of Object.entries(fixture.expectedAws.$notes.scalars!)) {
      const doc = await scalars.get(id);
      for (const d of notes.differences ?? []) {
        if (d.field === 'note' && /looks like JSON/.test(d.reason)) expect(doc.note).toBe(d.wrote);
        else if (d.field === 'legacyDate') expect(doc.legacyDate).toBe(d.wrote);
        else if (d.field === 'blob' || d.field === 'flags')
          expect(doc[d.field]).toBe((d.wrote as { $buffer: string }).$buffer);
        else continue;
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  it('query and count see every record; secrets are masked without the passphrase', async () => {
    for (const resource of db.listResources().map((r) => r.name)) {
      const ids = records.filter(([r]) => r === resource).map(([, id]) => id);
      expect((await db.resource(resource).count()).count).toBe(ids.length);
      const { records: found } = await db.resource(resource).query({ limit: 100 });
      expect(found.map((d) => d.id).sort()).toEqual([...ids].sort());
    }
    // s3db.js partition references are not trusted for reads (unescaped values, no trailing `/`).
    expect(await db.resource('articles').listPartitions()).toEqual([]);
    const blind = await openOver(store, '');
    const doc = await blind.resource('profiles').get('F9R2m_m8ACYxcBDA6nhg7u');
    expect(doc.apiKey).toBe('[encrypted]');
  });

  it('heal, dry run or not, reports the format and how to migrate, and changes nothing', async () => {
    await expectHealChangesNothing(db, store);
  });

  it('refuses every write with a hint to migrate, and connect wrote nothing', async () => {
    const before = (await store.get('s3db.json'))!.etag;
    const articles = db.resource('articles');
    for (const attempt of [
      () => articles.insert({ title: 'x' }),
      () => articles.update('EXIwFkuvmUae6L5_JS6gF7', { title: 'x' }),
      () => articles.delete('EXIwFkuvmUae6L5_JS6gF7', { confirm: true }),
      () => db.createResource({ name: 'fresh', attributes: { a: 'string' } }),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'CONFIG', hint: expect.stringContaining('--from-s3dbjs') });
    }
    expect((await store.get('s3db.json'))!.etag).toBe(before);
    expect((await db.resource('articles').get('EXIwFkuvmUae6L5_JS6gF7')).title).toBeDefined();
  });
});

const server = s3TestServer();
describe.skipIf(server === null)('s3db.js 21.6.2 bucket on radosgw', () => {
  let bucket: string;
  let db: Database;
  let store: ObjectStore;
  beforeAll(async () => {
    bucket = await createTestBucket(server!);
    await loadFixtureUnguarded(server!, bucket);
    const s3 = openS3Store(server!, bucket);
    enforceUserMetadataLimit(s3.client);
    store = s3;
    db = await openOver(store);
  });
  afterAll(async () => {
    if (bucket) await removeTestBucket(server!, bucket);
  });

  it('reads every record as on the memory store', async () => {
    const memory = new MemoryStore('s3dbjs-ref', { enforceMetadataLimit: false });
    await loadFixture(memory, 'aws');
    const reference = await readAll(await openOver(memory));
    const docs = await readAll(db);
    for (const [resource, id] of records) checkAgainstAws(resource, id, docs.get(`${resource}/${id}`)!);
    expect(docs).toEqual(reference);
  });

  it('heal, dry run or not, reports the format and changes nothing', async () => {
    await expectHealChangesNothing(db, store);
  });
});
