// `npm run bench`: the engine on memory, file and radosgw — requests per operation, ops/s, latency, the
// partition-moving writes against s3db.js 21, PBKDF2 derivations, queries on 1,000 and 10,000 documents, and
// the cache plugin's effect. Flags: --quick (smaller sizes), --only=memory,file,s3.
// radosgw: S3DB_BENCH_S3_URL=http://KEY:SECRET@host:port, otherwise a private one is started and stopped.
import os from 'node:os';
import { runCacheBench } from './cache-bench.js';
import { runCrudBench, runPartitionMoveBench, runSecretBench, type EngineBenchOptions } from './engine-bench.js';
import { runMcpCostBench } from './mcp-cost.js';
import { runPartitionBench } from './partition-bench.js';
import { printTable, type Row } from './stats.js';
import { openBenchStore, selectedStores, type BenchStoreName } from './stores.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const stores = selectedStores(argv);

const SIZES: Record<BenchStoreName, { crud: EngineBenchOptions; moves: number; query: number[] }> = quick
  ? {
      memory: { crud: { ops: 500, connects: 5, secretDocs: 1000 }, moves: 200, query: [1000] },
      file: { crud: { ops: 200, connects: 5, secretDocs: 1000 }, moves: 100, query: [1000] },
      s3: { crud: { ops: 100, connects: 5, secretDocs: 1000 }, moves: 50, query: [1000] },
    }
  : {
      memory: { crud: { ops: 2000, connects: 20, secretDocs: 1000 }, moves: 1000, query: [1000, 10_000] },
      file: { crud: { ops: 500, connects: 10, secretDocs: 1000 }, moves: 300, query: [1000, 10_000] },
      s3: { crud: { ops: 200, connects: 10, secretDocs: 1000 }, moves: 100, query: [1000, 10_000] },
    };

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
for (const name of stores) {
  const bench = await openBenchStore(name);
  try {
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
  } finally {
    await bench.cleanup();
  }
}
process.stderr.write('[bench] MCP cost per call (memory store)…\n');
const mcp = await runMcpCostBench(quick ? { calls: 300, seconds: 2 } : { calls: 2000, seconds: 5 });
printTable('Operations: S3 requests per operation (sequential run), ops/s, latency (sequential)', crud);
printTable('One declared partition (+ timestamps): ours vs s3db.js 21.6.2 measured', moves);
printTable('Secret fields: PBKDF2 derivations (100,000 iterations each)', secrets);
printTable('Partitions and queries (requests per operation, latency over repeated runs)', queries);
printTable('Cache plugin: requests per repeated call', cache);
printTable('MCP cost of one get by id (memory store; the server is the built binary, its CPU measured)', mcp.rows);
printTable('MCP over HTTP: calls/s with concurrent clients, and the tools/list size', mcp.throughput);
process.stdout.write(`\nTotal time ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
