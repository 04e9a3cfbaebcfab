// Snapshots across OS processes (file store and radosgw): a builder killed mid-build leaves the previous snapshot
// in force, queries stay exact while another process builds, and the killed build's segments are removed later.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Database, FileStore, type ObjectStore } from '../../engine/index.js';
import { decodeManifest, listKeys, snapshotManifestKey, snapshotSegmentsPrefix } from '../../engine/internal.js';
import { runWriter } from '../support/writer-process.js';
import {
  createTestBucket,
  openS3Store,
  removeTestBucket,
  s3ConnectionString,
  s3TestServer,
} from '../support/stores.js';

const server = s3TestServer();
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const targets: { name: string; skip: boolean; open: () => Promise<{ store: ObjectStore; connection: string }> }[] = [
  {
    name: 'file',
    skip: false,
    open: async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 's3db-snapproc-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return { store: new FileStore(dir), connection: `file://${dir}` };
    },
  },
  {
    name: 's3 (radosgw)',
    skip: server === null,
    open: async () => {
      const bucket = await createTestBucket(server!);
      const store = openS3Store(server!, bucket);
      cleanups.push(async () => {
        await store.close();
        await removeTestBucket(server!, bucket);
      });
      return { store, connection: s3ConnectionString(server!, bucket) };
    },
  },
];

for (const target of targets) {
  describe.skipIf(target.skip)(target.name, () => {
    it('a killed builder leaves the previous snapshot; another process builds while queries stay exact', async () => {
      const { store, connection } = await target.open();
      const db = new Database({ store, snapshots: { minDocuments: 0, absentTtlMs: 0 } });
      await db.connect();
      const { resource } = await db.createResource({ name: 'snap', attributes: { n: 'number', text: 'string' } });
      const items = Array.from({ length: 150 }, (_, i) => ({
        id: `s${String(i).padStart(3, '0')}`,
        n: i,
        text: 'x'.repeat(300),
      }));
      expect((await resource.insertMany(items)).errors).toEqual([]);
      const first = await db.buildSnapshot('snap');
      for (let i = 0; i < 5; i++) await resource.update(`s${String(i * 10).padStart(3, '0')}`, { n: 1000 + i });
      const plain = new Database({ store, snapshots: false });
      await plain.connect();
      const options = { filter: { n: { $gte: 20 } }, sort: { n: -1 as const }, limit: 1000 };
      const want = (await plain.resource('snap').query(options)).records;

      // Kill a builder after its third segment.
      let segments = 0;
      const killed = runWriter(connection, ['snapshot', '4096'], (line) => {
        if (line === 'segment' && ++segments === 3) killed.kill();
      });
      const crash = await killed;
      expect(crash.signal).toBe('SIGKILL');
      expect(decodeManifest((await store.get(snapshotManifestKey('snap')))!.body).buildId).toBe(first.buildId);
      const afterCrash = await resource.query(options);
      expect(afterCrash.records).toEqual(want);
      expect(afterCrash.plan.snapshot).toMatchObject({ changed: 5, fromSnapshot: 145 });

      // Another process builds to the end while this one queries.
      const builder = runWriter(connection, ['snapshot', '4096']);
      let rounds = 0;
      let done = false;
      void builder.then(() => (done = true));
      while (!done || rounds < 2) {
        const got = await resource.query(options);
        expect(got.records).toEqual(want);
        expect(got.plan.snapshot).toBeDefined();
        rounds++;
      }
      expect((await builder).stdout).toContain('committed');
      const fresh = await resource.query(options);
      expect(fresh.records).toEqual(want);
      expect(fresh.plan.snapshot).toMatchObject({ changed: 0, fromSnapshot: 150 });

      // The killed build's orphans (and the replaced snapshot) go once past the grace period.
      const last = await db.buildSnapshot('snap', { graceMs: 0 });
      const left = await listKeys(store, snapshotSegmentsPrefix('snap'));
      expect(left.length).toBe(last.segments);
      expect(left.every((k) => k.includes(last.buildId))).toBe(true);
      await db.close();
      await plain.close();
    }, 120_000);
  });
}
