// The stores the benchmarks run on: memory, file (a temp directory) and s3 (radosgw: S3DB_BENCH_S3_URL, or a
// private one started with the test harness). Each create() gives a fresh, empty store (own dir, or own prefix
// in a bucket the run creates and deletes).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { FileStore, MemoryStore, S3Store, type ObjectStore } from '../engine/index.js';
import { external, startRadosgw } from '../test/support/global-setup.js';
import type { S3TestServer } from '../test/support/s3-server.js';

export const BENCH_STORES = ['memory', 'file', 's3'] as const;
export type BenchStoreName = (typeof BENCH_STORES)[number];

export interface BenchStore {
  name: BenchStoreName;
  /** Human label for tables, e.g. "s3 (radosgw)". */
  label: string;
  create(): Promise<ObjectStore>;
  /** On S3: a prefix in the run's bucket for a bare SDK client measuring the raw ceiling beside the engine. */
  raw?(): RawS3Target;
  /** Removes temp dirs, closes clients, stops a radosgw this process started. */
  cleanup(): Promise<void>;
}

/** A bucket and prefix on an S3 endpoint, for a client outside the engine. */
export interface RawS3Target {
  endpoint: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  bucket: string;
  prefix: string;
}

function say(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

export function memoryBench(): BenchStore {
  return { name: 'memory', label: 'memory', create: async () => new MemoryStore(), cleanup: async () => {} };
}

export function fileBench(): BenchStore {
  const dirs: string[] = [];
  return {
    name: 'file',
    label: 'file',
    create: async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 's3db-bench-'));
      dirs.push(dir);
      return new FileStore(dir);
    },
    cleanup: async () => {
      await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

/** An S3 server for the benchmarks: S3DB_BENCH_S3_URL when set, otherwise a private radosgw. */
export async function benchS3Server(): Promise<{ server: S3TestServer; stop: () => Promise<void> }> {
  const url = process.env.S3DB_BENCH_S3_URL;
  if (url) {
    const server = external(url);
    say(`s3: external endpoint ${server.endpoint} (S3DB_BENCH_S3_URL)`);
    return { server, stop: async () => {} };
  }
  say('s3: starting a private radosgw (set S3DB_BENCH_S3_URL to use a running one)…');
  const t0 = Date.now();
  const started = await startRadosgw();
  say(`s3: radosgw at ${started.server.endpoint}, started in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return started;
}

function adminClient(server: S3TestServer): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    ...(server.accessKeyId === undefined
      ? {}
      : { credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey ?? '' } }),
  });
}

/** Empties and removes a bucket (servers cap buckets per user, so every run removes its own). */
export async function deleteBucket(server: S3TestServer, bucket: string): Promise<void> {
  const admin = adminClient(server);
  try {
    let token: string | undefined;
    do {
      const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length > 0) await admin.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
  } finally {
    admin.destroy();
  }
}

/**
 * One bucket per benchmark run on `server`; each create() is a fresh, empty prefix in it (an empty prefix costs
 * the engine the same requests as an empty bucket). cleanup() deletes the bucket with everything in it.
 */
export async function s3Bench(): Promise<BenchStore> {
  const { server, stop } = await benchS3Server();
  const bucket = `bench-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const admin = adminClient(server);
  try {
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    admin.destroy();
  }
  const credentials =
    server.accessKeyId === undefined
      ? undefined
      : { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey ?? '' };
  const stores: ObjectStore[] = [];
  let n = 0;
  return {
    name: 's3',
    label: `s3 (${server.backend === 'external' ? 'radosgw, external' : server.backend})`,
    create: async () => {
      const store = new S3Store({
        bucket,
        prefix: `run${n++}/`,
        endpoint: server.endpoint,
        region: server.region,
        ...(credentials ? { credentials } : {}),
      });
      stores.push(store);
      return store;
    },
    raw: () => ({
      endpoint: server.endpoint,
      region: server.region,
      ...(credentials ? { credentials } : {}),
      bucket,
      prefix: 'raw/',
    }),
    cleanup: async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      try {
        await deleteBucket(server, bucket);
      } finally {
        await stop();
      }
    },
  };
}

export async function openBenchStore(name: BenchStoreName): Promise<BenchStore> {
  if (name === 'memory') return memoryBench();
  if (name === 'file') return fileBench();
  return s3Bench();
}

/** `--only=memory,file,s3` (default: all of `allowed`). */
export function selectedStores(argv: string[], allowed: readonly BenchStoreName[] = BENCH_STORES): BenchStoreName[] {
  const only = argv.find((a) => a.startsWith('--only='));
  if (!only) return [...allowed];
  const names = only.slice('--only='.length).split(',').filter(Boolean);
  for (const n of names) {
    if (!(allowed as readonly string[]).includes(n)) {
      throw new Error(`--only: unknown store "${n}"; choose from ${allowed.join(', ')}`);
    }
  }
  return allowed.filter((n) => names.includes(n));
}
