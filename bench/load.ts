// `npm run bench:load`: the MCP server in-process over Streamable HTTP, 50 concurrent SDK clients doing mixed
// insert / get / update / query-by-partition / count for --duration seconds (default 60) on the file store and
// radosgw. Afterwards every acknowledged insert and update must be present with its last acknowledged value.
// Exits non-zero on a lost write, an unexpected error, or a partition count that disagrees with the documents.
// Flags: --duration=SECONDS, --clients=N, --only=file,s3. radosgw: S3DB_BENCH_S3_URL or a private one.
import os from 'node:os';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Database, type ObjectStore } from '../engine/index.js';
import { configSchema, createLogger, createServer } from '../server/index.js';
import { startHttp } from '../transports/index.js';
import { percentile, printTable, type Row } from './stats.js';
import { openBenchStore, selectedStores } from './stores.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  const v = a ? Number(a.slice(name.length + 3)) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
};
const DURATION_S = flag('duration', 60);
const CLIENTS = flag('clients', 50);
const HOT_DOCS = 5;
const REGIONS = ['US', 'EU', 'BR', 'JP'] as const;
const RESOURCE = 'load';

type Outcome = 'ok' | 'conflict' | 'error';

interface ToolStats {
  latenciesMs: number[];
  ok: number;
  conflicts: number;
  errors: number;
}

interface Expected {
  region: string;
  v: number;
}

const clientField = (k: number) => `c${k}`;

function randomOf<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

function outcomeOf(result: CallToolResult): Outcome {
  if (!result.isError) return 'ok';
  const first = result.content[0];
  const text = first?.type === 'text' ? first.text : '';
  return text.startsWith('Error [CONFLICT]') ? 'conflict' : 'error';
}

async function runLoad(label: string, store: ObjectStore): Promise<{ rows: Row[]; summary: Row; failures: string[] }> {
  const db = new Database({ store });
  await db.connect();
  const attributes: Record<string, string> = { region: 'string', v: 'number', owner: 'string' };
  for (let k = 0; k < CLIENTS; k++) attributes[clientField(k)] = 'number';
  await db.createResource({
    name: RESOURCE,
    attributes,
    partitions: { byRegion: { fields: { region: 'string' } } },
  });
  const resource = db.resource(RESOURCE);
  // Hot documents every client updates (each its own field): contention, conflicts, and lost-update detection.
  for (let h = 0; h < HOT_DOCS; h++) await resource.insert({ id: `hot${h}`, region: 'US', v: 0, owner: 'none' });

  const config = configSchema.parse({ logLevel: 'silent', port: 0 });
  const logger = createLogger(config);
  const http = await startHttp(config, ({ elicitation }) => createServer({ db, config, logger, elicitation }), logger);

  const stats = new Map<string, ToolStats>();
  const unexpected: string[] = [];
  const owned = new Map<string, Expected>();
  const hotAcked: Map<string, number>[] = Array.from({ length: HOT_DOCS }, () => new Map());
  let maxRss = 0;
  let maxHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    maxRss = Math.max(maxRss, m.rss);
    maxHeap = Math.max(maxHeap, m.heapUsed);
  };
  sample();
  const sampler = setInterval(sample, 250);

  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, k) => {
      const client = new Client({ name: `load-${k}`, version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`)));
      return client;
    }),
  );

  const call = async (client: Client, tool: string, args: Record<string, unknown>): Promise<Outcome> => {
    const s = stats.get(tool) ?? { latenciesMs: [], ok: 0, conflicts: 0, errors: 0 };
    stats.set(tool, s);
    const t0 = performance.now();
    let outcome: Outcome;
    try {
      const result = (await client.callTool({ name: tool, arguments: args })) as CallToolResult;
      outcome = outcomeOf(result);
      if (outcome === 'error' && unexpected.length < 20) {
        const first = result.content[0];
        unexpected.push(`${tool}: ${first?.type === 'text' ? first.text.split('\n')[0] : 'error'}`);
      }
    } catch (err) {
      outcome = 'error';
      if (unexpected.length < 20) unexpected.push(`${tool}: ${String(err)}`);
    }
    s.latenciesMs.push(performance.now() - t0);
    if (outcome === 'ok') s.ok++;
    else if (outcome === 'conflict') s.conflicts++;
    else s.errors++;
    return outcome;
  };

  const deadline = Date.now() + DURATION_S * 1000;
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (client, k) => {
      const mine: string[] = [];
      let seq = 0;
      let version = 0;
      while (Date.now() < deadline) {
        const r = Math.random();
        if (r < 0.2 || mine.length === 0) {
          const id = `c${k}-${seq++}`;
          const doc = { region: randomOf(REGIONS), v: ++version };
          if ((await call(client, 'insert', { resource: RESOURCE, data: { id, owner: `c${k}`, ...doc } })) === 'ok') {
            mine.push(id);
            owned.set(id, doc);
          }
        } else if (r < 0.45) {
          await call(client, 'get', { resource: RESOURCE, id: randomOf(mine) });
        } else if (r < 0.65) {
          // Update one of my documents, half the time moving it to another partition.
          const id = randomOf(mine);
          const patch = { v: ++version, ...(Math.random() < 0.5 ? { region: randomOf(REGIONS) } : {}) };
          if ((await call(client, 'update', { resource: RESOURCE, id, data: patch })) === 'ok') {
            owned.set(id, { ...owned.get(id)!, ...patch });
          }
        } else if (r < 0.75) {
          const h = Math.floor(Math.random() * HOT_DOCS);
          const value = ++version;
          const data = { [clientField(k)]: value };
          if ((await call(client, 'update', { resource: RESOURCE, id: `hot${h}`, data })) === 'ok') {
            hotAcked[h]!.set(clientField(k), value);
          }
        } else if (r < 0.9) {
          await call(client, 'query', { resource: RESOURCE, filter: { region: randomOf(REGIONS) }, limit: 20 });
        } else {
          await call(client, 'count', { resource: RESOURCE, filter: { region: randomOf(REGIONS) } });
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  sample();
  await Promise.all(clients.map((c) => c.close()));
  await http.close();

  // Verification through the engine directly: every acknowledged write present with its last acknowledged value.
  const failures: string[] = [...unexpected.map((u) => `unexpected error: ${u}`)];
  const ids = [...owned.keys()];
  const read = await resource.getMany(ids, { concurrency: 32 });
  const byId = new Map(read.records.map((d) => [String(d.id), d]));
  let lost = 0;
  for (const [id, want] of owned) {
    const got = byId.get(id);
    if (!got || got.v !== want.v || got.region !== want.region) {
      lost++;
      if (failures.length < 40) {
        failures.push(`lost write ${id}: want ${JSON.stringify(want)}, got ${got ? JSON.stringify(got) : 'missing'}`);
      }
    }
  }
  for (let h = 0; h < HOT_DOCS; h++) {
    const got = await resource.get(`hot${h}`);
    for (const [field, value] of hotAcked[h]!) {
      if (got[field] !== value) {
        lost++;
        if (failures.length < 40)
          failures.push(`lost update hot${h}.${field}: want ${value}, got ${String(got[field])}`);
      }
    }
  }
  // Partition references agree with the documents: count per region equals what the acknowledged writes say.
  for (const region of REGIONS) {
    const want = [...owned.values()].filter((d) => d.region === region).length + (region === 'US' ? HOT_DOCS : 0);
    const { count } = await resource.count({ filter: { region } });
    if (count !== want) failures.push(`partition region=${region}: count ${count}, acknowledged documents ${want}`);
  }
  await db.close();

  const rows: Row[] = [];
  let totalOps = 0;
  let totalConflicts = 0;
  let totalErrors = 0;
  for (const [tool, s] of [...stats].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...s.latenciesMs].sort((a, b) => a - b);
    const calls = s.latenciesMs.length;
    totalOps += calls;
    totalConflicts += s.conflicts;
    totalErrors += s.errors;
    rows.push({
      store: label,
      tool,
      calls,
      'calls/s': Math.round(calls / seconds),
      conflicts: s.conflicts,
      errors: s.errors,
      'p50 ms': Math.round(percentile(sorted, 50) * 10) / 10,
      'p95 ms': Math.round(percentile(sorted, 95) * 10) / 10,
      'p99 ms': Math.round(percentile(sorted, 99) * 10) / 10,
    });
  }
  const summary: Row = {
    store: label,
    clients: CLIENTS,
    seconds: Math.round(seconds),
    'tool calls': totalOps,
    'calls/s': Math.round(totalOps / seconds),
    conflicts: totalConflicts,
    'unexpected errors': totalErrors,
    'acked writes checked': owned.size + hotAcked.reduce((n, m) => n + m.size, 0),
    'lost writes': lost,
    'max RSS MB': Math.round(maxRss / 2 ** 20),
    'max heap MB': Math.round(maxHeap / 2 ** 20),
  };
  return { rows, summary, failures };
}

const stores = selectedStores(argv, ['file', 's3']);
process.stdout.write(
  `# s3db-mcp load test — ${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} cores, ` +
    `${CLIENTS} Streamable HTTP clients, ${DURATION_S} s per store, stores: ${stores.join(', ')}\n`,
);
const rows: Row[] = [];
const summaries: Row[] = [];
const failures: string[] = [];
for (const name of stores) {
  const bench = await openBenchStore(name);
  try {
    process.stderr.write(`[load] ${bench.label}: ${CLIENTS} clients for ${DURATION_S} s…\n`);
    const result = await runLoad(bench.label, await bench.create());
    rows.push(...result.rows);
    summaries.push(result.summary);
    failures.push(...result.failures.map((f) => `${bench.label}: ${f}`));
  } finally {
    await bench.cleanup();
  }
}
printTable('Load: per tool (latency measured at the client, loopback HTTP)', rows);
printTable('Load: totals (RSS/heap of the one process running server and clients)', summaries);
if (failures.length > 0) {
  process.stdout.write(`\nFAILED (${failures.length}):\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('\nOK: no unexpected error, no lost acknowledged write, partition counts agree.\n');
