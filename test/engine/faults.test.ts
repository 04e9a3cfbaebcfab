// Faults between the engine and radosgw (fault proxy, closed port, kill -9): retried, recognised as our own write, bounded, healable.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Database, StorageError, isS3dbError, type S3Store } from '../../engine/index.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import {
  createTestBucket,
  openS3Store,
  removeTestBucket,
  s3ConnectionString,
  s3TestServer,
} from '../support/stores.js';
import { runWriter } from '../support/writer-process.js';
import { createLogger, loadConfig, openDatabase } from '../../server/index.js';
import { freePort } from '../support/free-port.js';

const server = s3TestServer();

/** Rejects after ms: a guard against hangs, not a timing assertion. */
function deadline(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} still pending after ${ms} ms`)), ms));
}

describe.skipIf(server === null)('faults in front of radosgw', () => {
  // skipIf above: the proxy needs a real S3 server behind it (S3DB_TEST_S3_URL).
  const cleanups: (() => Promise<unknown>)[] = [];
  // One bucket for the file, a prefix per test: the shared server caps buckets per user.
  let bucket = '';
  let n = 0;
  const nextPrefix = () => `f${++n}`;
  beforeAll(async () => {
    bucket = await createTestBucket(server!);
  });
  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    if (bucket !== '') await removeTestBucket(server!, bucket);
  });

  let proxy: FaultProxy;
  let store: S3Store;
  let db: Database;

  async function setup(tuning: { requestTimeoutMs?: number; maxAttempts?: number } = {}) {
    proxy = await startFaultProxy(server!.endpoint);
    store = openS3Store(server!, bucket, { endpoint: proxy.url, prefix: nextPrefix(), ...tuning });
    db = new Database({ store });
    await db.connect();
    cleanups.push(
      () => proxy.close(),
      () => store.close(),
      () => db.close(),
    );
    await db.createResource({
      name: 'items',
      attributes: { n: 'number', tag: 'string|optional' },
      partitions: { byTag: { fields: { tag: 'string' } } },
    });
    store.resetRequestCounts();
    return db.resource('items');
  }

  afterEach(() => proxy?.clear());

  it('503 SlowDown, 500 and connection resets are retried and the calls succeed', async () => {
    const items = await setup();
    proxy.inject({ fault: 'slowdown', times: 2, method: 'PUT', pathIncludes: 'id=a' });
    await items.insert({ id: 'a', n: 1 });
    expect(store.requestCounts().byOperation.PutObject).toBe(3);

    proxy.inject({ fault: 'internal', times: 1, method: 'GET', pathIncludes: 'id=a' });
    expect((await items.get('a')).n).toBe(1);
    expect(store.requestCounts().byOperation.GetObject).toBe(2);

    proxy.inject({ fault: 'reset', times: 1, method: 'PUT', pathIncludes: 'id=b' });
    await items.insert({ id: 'b', n: 2 });
    expect(store.requestCounts().byOperation.PutObject).toBe(5);
    expect(proxy.stats().applied).toMatchObject({ slowdown: 2, internal: 1, reset: 1 });
  });

  it('an insert whose response was dropped after the write landed succeeds, without a false conflict', async () => {
    const items = await setup();
    proxy.inject({ fault: 'drop-response', method: 'PUT', pathIncludes: 'id=lost' });
    const doc = await items.insert({ id: 'lost', n: 7, tag: 'x' });
    expect(doc.n).toBe(7);
    expect(proxy.stats().applied['drop-response']).toBe(1);
    // The first attempt landed, the SDK's retry got 412 on its own write: 2 PUTs of the data object + 1 reference.
    expect(store.requestCounts().byOperation.PutObject).toBe(3);
    expect((await items.get('lost')).n).toBe(7);
    expect((await db.heal({ dryRun: true })).problems).toEqual([]);
    // A real duplicate is still a conflict.
    await expect(items.insert({ id: 'lost', n: 8 })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('an update whose response was dropped is applied once and reports success', async () => {
    const items = await setup();
    await items.insert({ id: 'u', n: 1, tag: 'a' });
    proxy.inject({ fault: 'drop-response', method: 'PUT', pathIncludes: 'id=u' });
    store.resetRequestCounts();
    const doc = await items.update('u', { n: 2, tag: 'b' });
    expect(doc).toMatchObject({ n: 2, tag: 'b' });
    // 1 GET, 2 PUT attempts, then the own-write check's GET; a second application would add a GET and a PUT.
    expect(store.requestCounts().byOperation).toMatchObject({ GetObject: 2 });
    expect((await items.get('u')).n).toBe(2);
    expect((await db.heal({ dryRun: true })).problems).toEqual([]);
  });

  it('a stalled server is bounded by requestTimeoutMs: a retryable TIMEOUT with a hint', async () => {
    const items = await setup({ requestTimeoutMs: 300, maxAttempts: 2 });
    proxy.inject({ fault: 'stall', times: 10, method: 'GET' });
    const err: unknown = await Promise.race([items.get('nothing').catch((e: unknown) => e), deadline(20_000, 'get')]);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect((err as StorageError).hint).toMatch(/requestTimeoutMs/);
    expect(proxy.stats().applied.stall).toBe(2);
  });

  it('the server config bounds a stall too: --request-timeout-ms and --max-attempts reach the s3 store', async () => {
    const stalling = await startFaultProxy(server!.endpoint);
    cleanups.push(() => stalling.close());
    const loaded = loadConfig(
      [
        '--request-timeout-ms=300',
        `--connection-string=${s3ConnectionString(server!, bucket, stalling.url)}/${nextPrefix()}`,
      ],
      { S3DB_MAX_ATTEMPTS: '2', LOG_LEVEL: 'silent' },
    );
    if (loaded.action !== 'run') throw new Error('expected a config');
    expect(loaded.config).toMatchObject({ requestTimeoutMs: 300, maxAttempts: 2 });
    stalling.inject({ fault: 'stall', times: 10 });
    const err: unknown = await Promise.race([
      openDatabase(loaded.config, createLogger(loaded.config)).catch((e: unknown) => e),
      deadline(20_000, 'openDatabase'),
    ]);
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(stalling.stats().applied.stall).toBe(2);
  });

  it('an unreachable endpoint (closed port) fails fast with a hint, not a hang', async () => {
    const port = await freePort(); // nothing listens there
    const dead = openS3Store(server!, 'nobucket', { endpoint: `http://127.0.0.1:${port}`, maxAttempts: 2 });
    cleanups.push(() => dead.close());
    const err: unknown = await Promise.race([
      new Database({ store: dead }).connect().catch((e: unknown) => e),
      deadline(20_000, 'connect'),
    ]);
    expect(isS3dbError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'NETWORK', retryable: true });
    expect((err as StorageError).hint).toMatch(/127\.0\.0\.1/);
  });

  it('kill -9 mid-insertMany: heal restores consistency and every acknowledged id is present', async () => {
    const prefix = nextPrefix();
    const store2 = openS3Store(server!, bucket, { prefix });
    const db2 = new Database({ store: store2 });
    await db2.connect();
    cleanups.push(
      () => store2.close(),
      () => db2.close(),
    );
    await db2.createResource({
      name: 'bulk',
      attributes: { n: 'number', g: 'string' },
      partitions: { byG: { fields: { g: 'string' } } },
    });
    const acked: string[] = [];
    const child = runWriter(`${s3ConnectionString(server!, bucket)}/${prefix}`, ['bulk', '2000'], (line) => {
      if (line !== '') acked.push(line);
      if (acked.length >= 60) child.kill();
    });
    const result = await child;
    expect(result.signal, result.stderr).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(60);
    await db2.heal({ dryRun: false });
    expect((await db2.heal({ dryRun: true })).problems).toEqual([]);
    const { missing } = await db2.resource('bulk').getMany(acked);
    expect(missing).toEqual([]);
  });
});
