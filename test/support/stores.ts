// The stores every engine suite runs against
// (`for (const s of testStores()) describe.skipIf(s.skipped !== undefined)(s.name, …)`): memory, file (a fresh
// temp directory) and s3 (a fresh bucket on the run's S3 server, with the 2 KB guard). With the S3 tier switched
// off the s3 entry stays, marked `skipped`, so its suites show as skipped in the summary instead of vanishing.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { FileStore, MemoryStore, S3Store, type ObjectStore, type S3StoreOptions } from '../../engine/index.js';
import { listKeys } from '../../engine/internal.js';
import { enforceUserMetadataLimit, type MetadataSize } from './metadata-guard.js';
import type { S3TestServer } from './s3-server.js';

export interface TestStore {
  name: string;
  /** Why this store's suites are skipped in this run (the S3 tier is switched off); undefined when it runs. */
  skipped?: string;
  /** A fresh, empty store (its own bucket or prefix). */
  create(): Promise<ObjectStore>;
  /** Removes what create() made (temp dirs); call from afterAll. Buckets live as long as the test server. */
  cleanup?(): Promise<void>;
}

const guards = new WeakMap<ObjectStore, MetadataSize[]>();

/** The user-metadata sizes the 2 KB guard saw on an s3 test store (undefined for other stores). */
export function metadataSizesSeen(store: ObjectStore): MetadataSize[] | undefined {
  return guards.get(store);
}

/** The S3 server of this test run, or null when the S3 tier is switched off (S3DB_TEST_S3=off). */
export function s3TestServer(): S3TestServer | null {
  return inject('s3Server') ?? null;
}

function fileStore(): TestStore {
  const dirs: string[] = [];
  return {
    name: 'file',
    create: async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 's3db-file-'));
      dirs.push(dir);
      return new FileStore(dir);
    },
    cleanup: async () => {
      await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

function s3Store(server: S3TestServer): TestStore {
  const credentials =
    server.accessKeyId === undefined
      ? undefined
      : { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey ?? '' };
  const stores: ObjectStore[] = [];
  return {
    name: `s3 (${server.backend})`,
    create: async () => {
      const bucket = `t-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
      const admin = new S3Client({
        endpoint: server.endpoint,
        region: server.region,
        forcePathStyle: true,
        ...(credentials ? { credentials } : {}),
      });
      try {
        await admin.send(new CreateBucketCommand({ Bucket: bucket }));
      } finally {
        admin.destroy();
      }
      const store = new S3Store({
        bucket,
        endpoint: server.endpoint,
        region: server.region,
        ...(credentials ? { credentials } : {}),
      });
      guards.set(store, enforceUserMetadataLimit(store.client));
      stores.push(store);
      return store;
    },
    cleanup: async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
    },
  };
}

/** The s3 entry of a run without the S3 tier: every suite on it is skipped, so none of its methods is called. */
function skippedS3Store(): TestStore {
  const skipped = 'S3DB_TEST_S3=off';
  return {
    name: `s3 (skipped: ${skipped})`,
    skipped,
    create: () => Promise.reject(new Error(`the S3 tier is switched off (${skipped}); this suite should be skipped`)),
  };
}

export function testStores(): TestStore[] {
  const stores: TestStore[] = [{ name: 'memory', create: async () => new MemoryStore() }, fileStore()];
  const server = s3TestServer();
  stores.push(server ? s3Store(server) : skippedS3Store());
  return stores;
}

/** A bare SDK client for the run's S3 server: no 2 KB guard, for setting buckets up (destroy() it after). */
export function plainS3Client(server: S3TestServer): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    ...(server.accessKeyId === undefined
      ? {}
      : { credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey ?? '' } }),
  });
}

/** Creates a fresh, empty bucket on the run's S3 server and returns its name (many-writer and fault tests). */
export async function createTestBucket(server: S3TestServer): Promise<string> {
  const bucket = `t-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const admin = plainS3Client(server);
  try {
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    admin.destroy();
  }
  return bucket;
}

/**
 * Another S3Store (its own client and sockets) on an existing bucket, as a second process would open it.
 * `endpoint` overrides the server's (e.g. a fault proxy in front of it); other options tune the store.
 */
export function openS3Store(
  server: S3TestServer,
  bucket: string,
  options: Omit<S3StoreOptions, 'bucket' | 'credentials'> = {},
): S3Store {
  return new S3Store({
    endpoint: server.endpoint,
    region: server.region,
    ...(server.accessKeyId === undefined
      ? {}
      : { credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey ?? '' } }),
    ...options,
    bucket,
  });
}

/** An `http://KEY:SECRET@host:port/bucket` connection string for a bucket of the run's S3 server. */
export function s3ConnectionString(server: S3TestServer, bucket: string, endpoint = server.endpoint): string {
  const url = new URL(endpoint);
  const auth =
    server.accessKeyId === undefined
      ? ''
      : `${encodeURIComponent(server.accessKeyId)}:${encodeURIComponent(server.secretAccessKey ?? '')}@`;
  return `${url.protocol}//${auth}${url.host}/${bucket}`;
}

/** Empties and deletes a bucket made by createTestBucket (the shared server caps buckets per user at 1000). */
export async function removeTestBucket(server: S3TestServer, bucket: string): Promise<void> {
  const store = openS3Store(server, bucket);
  try {
    const keys = await listKeys(store, '');
    for (let i = 0; i < keys.length; i += 1000) await store.deleteMany(keys.slice(i, i + 1000));
    await store.client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } finally {
    await store.close();
  }
}
