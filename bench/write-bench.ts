// Insert throughput against the store's own PUT ceiling, measured in the same run at the same concurrency: raw PUT/s
// (the AWS SDK's PutObject on S3, the store's put on memory and file) of an object of the same size and metadata
// as an inserted document, then inserts with 0, 1 and 2 partitions: with a generated id (references written beside
// the data object) and with an explicit id (references after it), and the ratio of each to raw.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Database, type ObjectStore } from '../engine/index.js';
import { summarize, timeOps, type Row, type Timing } from './stats.js';

const ROUNDS = 4;
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
          // Given, so the SDK does not take an empty reference body for a stream of unknown length (and warn).
          ContentLength: Buffer.byteLength(body),
          Metadata: metadata,
          ContentType: 'application/json',
        }),
      ),
    close: () => client.destroy(),
  };
}

const STORE_CALLS = new Set(['get', 'head', 'put', 'delete', 'deleteMany', 'list']);

/**
 * `store` with `ms` added before every request, as on a remote endpoint: where a round trip, not the server's CPU,
 * is the cost (this machine's loopback radosgw is CPU-bound), requests issued together overlap.
 */
export function withLatency(store: ObjectStore, ms: number): ObjectStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !STORE_CALLS.has(prop) || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await new Promise((r) => setTimeout(r, ms));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
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
  try {
    // Warm the connections and the catalog check before anything is timed.
    await timeOps(32, 16, (i) => raw(`raw/warm/${i}`, body, metadata));
    for (const { resource } of resources) {
      await timeOps(32, 16, (i) => resource.insert(doc(i)));
    }
    for (const concurrency of o.concurrencies) {
      // Rounds alternate the variants so that a drift of a shared machine weighs on all of them alike.
      const total = new Map<string, Timing>();
      const puts = new Map<string, number>();
      const variants: [string, (round: number, i: number) => Promise<unknown>][] = [
        ['raw', (k, i) => raw(`raw/c${concurrency}/${k}/${i}`, body, metadata)],
        // What sending two requests at once can give on this server: the floor for references beside the data.
        [
          'pair',
          (k, i) =>
            Promise.all([
              raw(`raw/c${concurrency}/${k}/p${i}`, body, metadata),
              raw(`raw/c${concurrency}/${k}/p${i}/ref`, '', { '-v': 'v0' }),
            ]),
        ],
        ...resources.map(
          ({ count, resource }) =>
            [`${count}`, (_k: number, i: number) => resource.insert(doc(i))] as [string, () => Promise<unknown>],
        ),
        ...resources
          .filter(({ count }) => count > 0)
          .map(
            ({ count, resource }) =>
              [
                `${count} id`,
                (k: number, i: number) => resource.insert({ id: `c${concurrency}-${k}-${i}`, ...doc(i) }),
              ] as [string, (k: number, i: number) => Promise<unknown>],
          ),
      ];
      const perRound = Math.ceil(o.ops / ROUNDS);
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, op] of variants) {
          store.resetRequestCounts();
          const t = await timeOps(perRound, concurrency, (i) => op(round, i));
          puts.set(name, (puts.get(name) ?? 0) + (store.requestCounts().byOperation.PutObject ?? 0));
          const sum = total.get(name);
          total.set(
            name,
            sum
              ? {
                  ops: sum.ops + t.ops,
                  seconds: sum.seconds + t.seconds,
                  latenciesMs: [...sum.latenciesMs, ...t.latenciesMs],
                }
              : t,
          );
        }
      }
      const rawRate = summarize(total.get('raw')!);
      for (const [name] of variants) {
        const t = summarize(total.get(name)!);
        const n = total.get(name)!.ops;
        const putsPerOp = name === 'raw' ? 1 : name === 'pair' ? 2 : Math.round((100 * puts.get(name)!) / n) / 100;
        const [count, withId] = name.split(' ');
        rows.push({
          store: label,
          concurrency,
          operation:
            name === 'raw'
              ? `${rawLabel}, ${body.length} B body + ${Object.keys(metadata).length} metadata fields`
              : name === 'pair'
                ? `${rawLabel} ×2 at once (that object + an empty one)`
                : `insert${withId ? ' with an id' : ''}, ${count} partition${count === '1' ? '' : 's'}`,
          'ops/s': t['ops/s'],
          'p50 ms': t['p50 ms'],
          'p99 ms': t['p99 ms'],
          'PUT/op': putsPerOp,
          'ops/s of raw': `${Math.round((100 * t['ops/s']) / rawRate['ops/s'])}%`,
          'PUT/s of raw': `${Math.round((100 * t['ops/s'] * putsPerOp) / rawRate['ops/s'])}%`,
          // On a shared machine the mean is at the mercy of a few stalls; the median latency ratio is steadier.
          'raw p50 / p50': `${Math.round((100 * rawRate['p50 ms']) / t['p50 ms'])}%`,
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
