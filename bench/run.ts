// `npm run bench`: the engine on memory, file and radosgw — requests per operation, ops/s, latency, the
// partition-moving writes against s3db.js 21, PBKDF2 derivations, queries on 1,000 and 10,000 documents, and
// the cache plugin's effect, resource snapshots, the file store's LIST, replication throughput and lag to
// PostgreSQL and a second bucket, queue messages consumed per second (RabbitMQ and the SQS test endpoint),
// counter increments per second with the consolidation lag, and inserts against raw PUT/s. Flags: --quick (smaller
// sizes), --only=memory,file,s3, --snapshots-only (only the snapshot and LIST figures), --large (snapshot figures
// on 10,000 documents on radosgw and 100,000 on memory and file; default 1,000), --writes-only (only inserts
// against raw PUT/s), --no-rabbitmq (do not start a RabbitMQ for the queue figures).
// radosgw: S3DB_BENCH_S3_URL=http://KEY:SECRET@host:port, otherwise a private one is started and stopped.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCacheBench } from './cache-bench.js';
import { runCounterBench } from './counter-bench.js';
import { runCrudBench, runPartitionMoveBench, runSecretBench, type EngineBenchOptions } from './engine-bench.js';
import { runMcpCostBench } from './mcp-cost.js';
import { runPartitionBench } from './partition-bench.js';
import { openBenchQueues, runQueueBench, type BenchQueues } from './queue-bench.js';
import { runFileListBench, runSnapshotBench } from './snapshot-bench.js';
import { runReplicationBench } from './replication-bench.js';
import { printTable, type Row } from './stats.js';
import { toolListRows } from './tool-list.js';
import { runWriteBench, withLatency } from './write-bench.js';
import { openBenchStore, selectedStores, type BenchStoreName } from './stores.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const stores = selectedStores(argv);
const snapshotsOnly = argv.includes('--snapshots-only');
const writesOnly = argv.includes('--writes-only');
const large = argv.includes('--large');
const SNAPSHOT_DOCS: Record<BenchStoreName, number> = large
  ? { memory: 100_000, file: 100_000, s3: 10_000 }
  : { memory: 1000, file: 1000, s3: 1000 };

const SIZES: Record<
  BenchStoreName,
  {
    crud: EngineBenchOptions;
    moves: number;
    query: number[];
    replication: number;
    /** Queue messages consumed; counter increments per writer (20 writers). */
    messages: number;
    increments: number;
  }
> = quick
  ? {
      memory: {
        crud: { ops: 500, connects: 5, secretDocs: 1000 },
        moves: 200,
        query: [1000],
        replication: 200,
        messages: 500,
        increments: 25,
      },
      file: {
        crud: { ops: 200, connects: 5, secretDocs: 1000 },
        moves: 100,
        query: [1000],
        replication: 100,
        messages: 300,
        increments: 10,
      },
      s3: {
        crud: { ops: 100, connects: 5, secretDocs: 1000 },
        moves: 50,
        query: [1000],
        replication: 50,
        messages: 100,
        increments: 5,
      },
    }
  : {
      memory: {
        crud: { ops: 2000, connects: 20, secretDocs: 1000 },
        moves: 1000,
        query: [1000, 10_000],
        replication: 1000,
        messages: 2000,
        increments: 100,
      },
      file: {
        crud: { ops: 500, connects: 10, secretDocs: 1000 },
        moves: 300,
        query: [1000, 10_000],
        replication: 300,
        messages: 1000,
        increments: 25,
      },
      s3: {
        crud: { ops: 200, connects: 10, secretDocs: 1000 },
        moves: 100,
        query: [1000, 10_000],
        replication: 150,
        messages: 300,
        increments: 10,
      },
    };

const WRITE_OPS: Record<BenchStoreName, number> = quick
  ? { memory: 2000, file: 300, s3: 300 }
  : { memory: 10_000, file: 1000, s3: 1000 };

/** A remote S3 endpoint's round trip, simulated on the memory store (see withLatency). */
const REMOTE_MS = 20;

const t0 = Date.now();
process.stdout.write(
  `# s3db-mcp benchmark — ${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} cores, ` +
    `stores: ${stores.join(', ')}${quick ? ', --quick' : ''}\n`,
);
const crud: Row[] = [];
const moves: Row[] = [];
const secrets: Row[] = [];
const queries: Row[] = [];
const cache: Row[] = [];
const snapshots: Row[] = [];
const fileList: Row[] = [];
const replication: Row[] = [];
const writes: Row[] = [];
const queue: Row[] = [];
const counters: Row[] = [];
let queues: BenchQueues | undefined;
if (!snapshotsOnly && !writesOnly) {
  process.stderr.write('[bench] starting the queue services (RabbitMQ, the SQS test endpoint)…\n');
  queues = await openBenchQueues({ rabbitmq: !argv.includes('--no-rabbitmq') });
}
try {
  for (const name of stores) {
    const bench = await openBenchStore(name);
    try {
      if (!snapshotsOnly) {
        process.stderr.write(`[bench] ${bench.label}: insert ops/s against raw PUT/s…\n`);
        writes.push(
          ...(await runWriteBench(bench.label, () => bench.create(), {
            ops: WRITE_OPS[name],
            concurrencies: [1, 16],
            ...(bench.raw ? { raw: bench.raw() } : {}),
          })),
        );
      }
      if (name === 'memory' && !snapshotsOnly) {
        process.stderr.write(`[bench] memory + ${REMOTE_MS} ms per request: insert ops/s against raw PUT/s…\n`);
        writes.push(
          ...(await runWriteBench(
            `memory + ${REMOTE_MS} ms/request`,
            async () => withLatency(await bench.create(), REMOTE_MS),
            { ops: quick ? 64 : 200, concurrencies: [1, 16] },
          )),
        );
      }
      if (writesOnly) continue;
      process.stderr.write(`[bench] ${bench.label}: snapshots on ${SNAPSHOT_DOCS[name]} documents…\n`);
      snapshots.push(...(await runSnapshotBench(bench.label, () => bench.create(), SNAPSHOT_DOCS[name])));
      if (name === 'file') {
        const dirs: string[] = [];
        const root = async () => {
          dirs.push(await mkdtemp(path.join(os.tmpdir(), 's3db-bench-list-')));
          return dirs[dirs.length - 1]!;
        };
        fileList.push(...(await runFileListBench(root, [1000, 20_000])));
        await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
      }
      if (snapshotsOnly) continue;
      const size = SIZES[name];
      process.stderr.write(`[bench] ${bench.label}: operations…\n`);
      crud.push(...(await runCrudBench(bench.label, () => bench.create(), size.crud)));
      process.stderr.write(`[bench] ${bench.label}: partition moves, secrets…\n`);
      moves.push(...(await runPartitionMoveBench(bench.label, await bench.create(), size.moves)));
      secrets.push(...(await runSecretBench(bench.label, await bench.create(), size.crud.secretDocs)));
      process.stderr.write(`[bench] ${bench.label}: queries on ${size.query.join(', ')} documents…\n`);
      queries.push(...(await runPartitionBench(bench.label, () => bench.create(), size.query)));
      process.stderr.write(`[bench] ${bench.label}: cache plugin…\n`);
      const cacheRows = await runCacheBench(() => bench.create(), { documents: 200, repeats: quick ? 50 : 200 });
      cache.push(...cacheRows.map((r) => ({ store: bench.label, ...r })));
      process.stderr.write(`[bench] ${bench.label}: replication to PostgreSQL and a second bucket…\n`);
      replication.push(
        ...(await runReplicationBench(bench.label, () => bench.create(), { documents: size.replication })),
      );
      process.stderr.write(`[bench] ${bench.label}: queue consumer, counters…\n`);
      queue.push(...(await runQueueBench(bench.label, () => bench.create(), queues!, { messages: size.messages })));
      counters.push(...(await runCounterBench(bench.label, () => bench.create(), { increments: size.increments })));
    } finally {
      await bench.cleanup();
    }
  }
} finally {
  // A RabbitMQ left running would outlive the bench.
  await queues?.close();
}
const queueNotes = queues?.notes ?? [];
const insertVsRaw = 'Inserts against the raw PUT ceiling, same run, same concurrency (docs/benchmarks.md "Writes")';
if (writesOnly) {
  printTable(insertVsRaw, writes);
  process.stdout.write(`\nTotal time ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  process.exit(0);
}
// --snapshots-only prints the snapshot and LIST figures alone (the MCP cost needs the built binary, dist/).
if (!snapshotsOnly) process.stderr.write('[bench] MCP cost per call (memory store)…\n');
const mcp = snapshotsOnly
  ? { rows: [], throughput: [] }
  : await runMcpCostBench(quick ? { calls: 300, seconds: 2 } : { calls: 2000, seconds: 5 });
printTable(insertVsRaw, writes);
printTable('Operations: S3 requests per operation (sequential run), ops/s, latency (sequential)', crud);
printTable('One declared partition (+ timestamps): ours vs s3db.js 21.6.2 measured', moves);
printTable('Secret fields: PBKDF2 derivations (100,000 iterations each)', secrets);
printTable('Partitions and queries (requests per operation, latency over repeated runs)', queries);
printTable('Cache plugin: requests per repeated call', cache);
printTable('MCP tools/list size (what each session sends the model first)', toolListRows());
printTable('Resource snapshots: requests and latency per query (docs/queries.md "Snapshots")', snapshots);
printTable('File store LIST (1,000-key pages; a second FileStore on the same directory)', fileList);
printTable('Replication: writes with the replicator on, delivery throughput and lag per target', replication);
printTable(
  'Queue consumer: insert messages consumed per second (prefetch 50; SQS = the test endpoint, not AWS)',
  queue,
);
for (const note of queueNotes) process.stdout.write(`${note}\n`);
printTable(
  'Counters: 20 writers adding 1 to one document, consolidation every 250 ms; lag = ack → the document shows it',
  counters,
);
printTable('MCP cost of one get by id (memory store; the server is the built binary, its CPU measured)', mcp.rows);
printTable('MCP over HTTP: calls/s with concurrent clients, and the tools/list size', mcp.throughput);
process.stdout.write(`\nTotal time ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
