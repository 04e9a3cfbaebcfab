// Insert throughput against the store's own PUT ceiling, measured in the same run at the same concurrency: raw PUT/s
// (the AWS SDK's PutObject on S3, the store's put on memory and file) of an object of the same size and metadata
// as an inserted document, then insert ops/s on resources with 0, 1 and 2 partitions, and the ratio to raw.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Database, type ObjectStore } from '../engine/index.js';
import { summarize, timeOps, type Row } from './stats.js';
import type { RawS3Target } from './stores.js';

export interface WriteBenchOptions {
  /** Operations per measurement. */
  ops: number;
  concurrencies: number[];
  /** Where raw PutObject goes on S3 (same endpoint and bucket as the store); undefined: the store's put. */
  raw?: RawS3Target;
}

type RawPut = (key: string, body: string, metadata: Record<string, string>) => Promise<unknown>;

/** A bare SDK client configured as the engine's S3 store is (keep-alive, 50 sockets, no aws-chunked checksums). */
function sdkPut(target: RawS3Target): { put: RawPut; close: () => void } {
  const client = new S3Client({
    endpoint: target.endpoint,
    region: target.region,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(target.credentials ? { credentials: target.credentials } : {}),
    requestHandler: new NodeHttpHandler({ httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }) }),
  });
  return {
    put: (key, body, metadata) =>
      client.send(
        new PutObjectCommand({
          Bucket: target.bucket,
          Key: `${target.prefix}${key}`,
          Body: body,
          Metadata: metadata,
          ContentType: 'application/json',
        }),
      ),
    close: () => client.destroy(),
  };
}

const PARTITIONS = {
  0: {},
  1: { byRegion: { fields: { region: 'string' } } },
  2: { byRegion: { fields: { region: 'string' } }, byTeam: { fields: { team: 'string' } } },
} as const;

export async function runWriteBench(
  label: string,
  createStore: () => Promise<ObjectStore>,
  o: WriteBenchOptions,
): Promise<Row[]> {
  const store = await createStore();
  const db = new Database({ store });
  await db.connect();
  const resources = [];
  for (const count of [0, 1, 2] as const) {
    const { resource } = await db.createResource({
      name: `w${count}`,
      attributes: { name: 'string', region: 'string', team: 'string', n: 'number' },
      partitions: PARTITIONS[count],
    });
    resources.push({ count, resource });
  }
  const doc = (i: number) => ({ name: `name ${i}`, region: ['EU', 'US', 'BR'][i % 3]!, team: `t${i % 7}`, n: i });
  // The raw object copies an inserted document's body and metadata, so both PUT the same bytes.
  const sample = await resources[0]!.resource.insert({ id: 'sample', ...doc(0) });
  const stored = (await store.get(`resource=w0/data/id=${String(sample.id)}`))!;
  const body = stored.body.toString('utf8');
  const metadata = stored.metadata;
  const sdk = o.raw ? sdkPut(o.raw) : undefined;
  const raw: RawPut = sdk ? sdk.put : (key, b, m) => store.put(key, b, m);
  const rawLabel = sdk ? 'raw PutObject (AWS SDK)' : 'raw store.put';
  const rows: Row[] = [];
  let run = 0;
  try {
    // Warm the connections and the catalog check before anything is timed.
    await timeOps(32, 16, (i) => raw(`raw/warm/${i}`, body, metadata));
    for (const { resource } of resources) {
      await timeOps(32, 16, (i) => resource.insert({ id: `warm${i}`, ...doc(i) }));
    }
    for (const concurrency of o.concurrencies) {
      const r = run++;
      const rawRate = summarize(await timeOps(o.ops, concurrency, (i) => raw(`raw/r${r}/${i}`, body, metadata)));
      rows.push({
        store: label,
        concurrency,
        operation: `${rawLabel}, ${body.length} B body + ${Object.keys(metadata).length} metadata fields`,
        'ops/s': rawRate['ops/s'],
        'p50 ms': rawRate['p50 ms'],
        'p99 ms': rawRate['p99 ms'],
        'of raw': '100%',
        'PUT/op': 1,
      });
      for (const { count, resource } of resources) {
        store.resetRequestCounts();
        const t = summarize(await timeOps(o.ops, concurrency, (i) => resource.insert({ id: `r${r}-${i}`, ...doc(i) })));
        const puts = store.requestCounts().byOperation.PutObject ?? 0;
        rows.push({
          store: label,
          concurrency,
          operation: `insert, ${count} partition${count === 1 ? '' : 's'}`,
          'ops/s': t['ops/s'],
          'p50 ms': t['p50 ms'],
          'p99 ms': t['p99 ms'],
          'of raw': `${Math.round((100 * t['ops/s']) / rawRate['ops/s'])}%`,
          'PUT/op': Math.round((100 * puts) / o.ops) / 100,
        });
      }
    }
  } finally {
    sdk?.close();
    await db.close();
    await store.close();
  }
  return rows;
}
