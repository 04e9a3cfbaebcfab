// Engine benchmark: per-operation S3 requests (by type), ops/s sequential and 16-concurrent and latency for
// connect / insert / get / update / delete / count / exists-missing; the partition-moving insert and update
// against s3db.js 21's measured counts; and PBKDF2 derivations for 1,000 inserts with a secret field.
import { Database, type ObjectStore, type RequestCounts, type StoreOperation } from '../engine/index.js';
import { summarize, timeOps, type Row, type Timing } from './stats.js';

export const CONCURRENCY = 16;

const SHORT: Record<StoreOperation, string> = {
  GetObject: 'GET',
  HeadObject: 'HEAD',
  PutObject: 'PUT',
  DeleteObject: 'DEL',
  DeleteObjects: 'DELS',
  ListObjectsV2: 'LIST',
};

const round2 = (x: number) => Math.round(x * 100) / 100;

/** "2.00 (GET 1, PUT 1)": requests per operation, total then by type. */
export function perOp(counts: RequestCounts, ops: number): string {
  const parts = Object.entries(counts.byOperation)
    .filter(([, n]) => n > 0)
    .map(([op, n]) => `${SHORT[op as StoreOperation]} ${round2(n / ops) || '<0.01'}`);
  return `${round2(counts.total / ops)}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

interface Measured {
  requests: string;
  seq: Timing;
  conc?: Timing;
}

function row(store: string, operation: string, m: Measured): Row {
  const s = summarize(m.seq);
  const c = m.conc ? summarize(m.conc) : undefined;
  return {
    store,
    operation,
    'requests/op': m.requests,
    'seq ops/s': s['ops/s'],
    [`${CONCURRENCY}-conc ops/s`]: c ? c['ops/s'] : '',
    'p50 ms': s['p50 ms'],
    'p95 ms': s['p95 ms'],
    'p99 ms': s['p99 ms'],
  };
}

/** Runs op sequentially over [0, n) (requests counted there), then 16-concurrent over [n, 2n). */
async function measure(
  store: ObjectStore,
  n: number,
  op: (i: number) => Promise<unknown>,
  concurrent = true,
): Promise<Measured> {
  store.resetRequestCounts();
  const seq = await timeOps(n, 1, op);
  const requests = perOp(store.requestCounts(), n);
  if (!concurrent) return { requests, seq };
  const conc = await timeOps(n, CONCURRENCY, (i) => op(n + i));
  return { requests, seq, conc };
}

export interface EngineBenchOptions {
  /** Operations per measurement (each op runs n times sequentially and n times concurrently). */
  ops: number;
  /** Connect measurements (each on a fresh store for the empty-bucket case). */
  connects: number;
  /** Documents inserted with a secret field. */
  secretDocs: number;
}

export async function runCrudBench(label: string, createStore: () => Promise<ObjectStore>, o: EngineBenchOptions) {
  const rows: Row[] = [];
  // connect on an empty bucket: a fresh store each time.
  const empties: ObjectStore[] = [];
  for (let i = 0; i < o.connects; i++) empties.push(await createStore());
  const emptyCounts: RequestCounts[] = [];
  const emptyTiming = await timeOps(o.connects, 1, async (i) => {
    const store = empties[i]!;
    store.resetRequestCounts();
    const db = new Database({ store });
    await db.connect();
    emptyCounts.push(store.requestCounts());
    await db.close();
  });
  rows.push(
    row(label, 'connect, empty bucket', { requests: perOp(sumCounts(emptyCounts), o.connects), seq: emptyTiming }),
  );
  // connect on an existing bucket: the first store now holds a catalog; add a resource so there is one to load.
  const store = empties[0]!;
  {
    const db = new Database({ store });
    await db.connect();
    await db.createResource({ name: 'crud', attributes: { name: 'string', region: 'string', n: 'number' } });
    await db.close();
  }
  const existing = await measure(
    store,
    o.connects,
    async () => {
      const db = new Database({ store });
      await db.connect();
      await db.close();
    },
    false,
  );
  rows.push(row(label, 'connect, existing bucket', existing));
  for (const s of empties.slice(1)) await s.close();

  const db = new Database({ store });
  await db.connect();
  const crud = db.resource('crud');
  const id = (i: number) => `doc${String(i).padStart(6, '0')}`;
  const n = o.ops;
  rows.push(
    row(label, 'insert', await measure(store, n, (i) => crud.insert({ id: id(i), name: `n${i}`, region: 'EU', n: i }))),
  );
  rows.push(row(label, 'get', await measure(store, n, (i) => crud.get(id(i)))));
  rows.push(row(label, 'update', await measure(store, n, (i) => crud.update(id(i), { n: i + 1 }))));
  rows.push(row(label, `count (${2 * n} docs)`, await measure(store, Math.min(n, 100), () => crud.count())));
  rows.push(row(label, 'exists, missing id', await measure(store, n, (i) => crud.exists(`missing${i}`))));
  rows.push(row(label, 'delete', await measure(store, n, (i) => crud.delete(id(i)))));
  await db.close();
  return rows;
}

function sumCounts(list: RequestCounts[]): RequestCounts {
  const byOperation = {} as Record<StoreOperation, number>;
  let total = 0;
  for (const c of list) {
    for (const [op, k] of Object.entries(c.byOperation) as [StoreOperation, number][]) {
      byOperation[op] = (byOperation[op] ?? 0) + k;
    }
    total += c.total;
  }
  return { byOperation, total };
}

/** Insert and partition-moving update on a resource with one partition (and timestamps, as s3db.js measured). */
export async function runPartitionMoveBench(label: string, store: ObjectStore, n: number): Promise<Row[]> {
  const db = new Database({ store });
  await db.connect();
  const { resource } = await db.createResource({
    name: 'moves',
    attributes: { name: 'string', region: 'string' },
    partitions: { byRegion: { fields: { region: 'string' } } },
    timestamps: true,
  });
  const id = (i: number) => `m${String(i).padStart(6, '0')}`;
  const insert = await measure(store, n, (i) => resource.insert({ id: id(i), name: `n${i}`, region: 'US' }));
  const move = await measure(store, n, (i) => resource.update(id(i), { region: 'EU' }));
  await db.close();
  const out = (operation: string, m: Measured, theirs: string): Row => ({
    ...row(label, operation, m),
    's3db.js 21 requests/op': theirs,
  });
  return [
    out('insert, 1 partition + timestamps', insert, '7 (PUT 7)'),
    out('update moving the partition', move, '~11'),
  ];
}

/** PBKDF2 derivations for inserting (then reading back) documents with a secret field. */
export async function runSecretBench(label: string, store: ObjectStore, docs: number): Promise<Row[]> {
  const db = new Database({ store, passphrase: 'bench passphrase' });
  await db.connect();
  const { resource } = await db.createResource({ name: 'secrets', attributes: { name: 'string', token: 'secret' } });
  const before = db.cipher.derivations;
  const t0 = performance.now();
  const inserted = await resource.insertMany(
    Array.from({ length: docs }, (_, i) => ({ id: `s${i}`, name: `n${i}`, token: `tok-${i}` })),
    { concurrency: 32 },
  );
  const insertMs = performance.now() - t0;
  const insertDerivations = db.cipher.derivations - before;
  await db.close();
  // Read back from a new connection (a new session: its key cache starts empty).
  const reader = new Database({ store, passphrase: 'bench passphrase' });
  await reader.connect();
  const t1 = performance.now();
  const read = await reader.resource('secrets').getMany(
    Array.from({ length: docs }, (_, i) => `s${i}`),
    { concurrency: 32 },
  );
  const readMs = performance.now() - t1;
  const readDerivations = reader.cipher.derivations;
  await reader.close();
  if (inserted.errors.length > 0) throw new Error(`secret bench: ${inserted.errors.length} inserts failed`);
  if (read.records.length !== docs || read.records[0]?.token !== 'tok-0') {
    throw new Error(`secret bench: read back ${read.records.length}/${docs} documents or a wrong plaintext`);
  }
  return [
    {
      store: label,
      operation: `insertMany ${docs} docs with a secret field`,
      'PBKDF2 derivations': insertDerivations,
      ms: Math.round(insertMs),
      's3db.js 21': `${docs} (one per secret field per write)`,
    },
    {
      store: label,
      operation: `getMany ${docs} docs (decrypt, new connection)`,
      'PBKDF2 derivations': readDerivations,
      ms: Math.round(readMs),
      's3db.js 21': `${docs} (one per secret field per read)`,
    },
  ];
}
