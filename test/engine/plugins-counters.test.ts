// EventualConsistencyPlugin: counters changed from many writers and consolidators (in one process, in several
// processes on radosgw, and with a consolidator that dies mid-run) end exact — 0 lost, 0 doubled — and analytics agree.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Database,
  EventualConsistencyPlugin,
  MemoryStore,
  StorageError,
  ValidationError,
  type ObjectStore,
} from '../../engine/index.js';
import {
  createTestBucket,
  openS3Store,
  removeTestBucket,
  s3ConnectionString,
  s3TestServer,
  testStores,
} from '../support/stores.js';

async function open(store: ObjectStore, options: { retentionMs?: number } = {}) {
  const counters = new EventualConsistencyPlugin({ resources: { accounts: ['balance', 'stats.visits'] }, ...options });
  const db = new Database({ store, plugins: [counters] });
  await db.connect();
  if (!db.hasResource('accounts')) {
    await db.createResource({
      name: 'accounts',
      attributes: { owner: 'string', balance: 'number|optional', stats: { visits: 'number|optional' } },
    });
  }
  return { db, counters };
}

for (const t of testStores()) {
  describe.skipIf(t.skipped !== undefined)(`eventual consistency on ${t.name}`, () => {
    afterAll(async () => t.cleanup?.());

    it('add/sub/set are transactions until consolidated; the value then lands in the document', async () => {
      const store = await t.create();
      const { db, counters } = await open(store);
      const accounts = db.resource('accounts');
      await accounts.insert({ id: 'a', owner: 'ann', balance: 0 });
      await counters.add('accounts', 'a', 'balance', 100);
      await counters.sub('accounts', 'a', 'balance', 30);
      await counters.add('accounts', 'a', 'stats.visits', 1);
      expect(await counters.value('accounts', 'a', 'balance')).toBe(0);
      expect(await counters.value('accounts', 'a', 'balance', { pending: true })).toBe(70);
      expect((await accounts.get('a')).balance).toBe(0);
      const report = await counters.consolidate('accounts', 'a', 'balance');
      expect(report).toMatchObject({ value: 70, applied: 2, pruned: 2 });
      await counters.consolidate('accounts', 'a', 'stats.visits');
      expect(await accounts.get('a')).toMatchObject({ balance: 70, stats: { visits: 1 } });
      await counters.set('accounts', 'a', 'balance', 5);
      await counters.add('accounts', 'a', 'balance', 2);
      expect((await counters.consolidate('accounts', 'a', 'balance')).value).toBe(7);
      // A second consolidation with nothing pending changes nothing.
      expect(await counters.consolidate('accounts', 'a', 'balance')).toMatchObject({ value: 7, applied: 0 });
      await db.close();
    });

    it('update accepts {$inc} on a counted field and refuses it on a missing document', async () => {
      const store = await t.create();
      const { db, counters } = await open(store);
      const accounts = db.resource('accounts');
      await accounts.insert({ id: 'b', owner: 'bo', balance: 10 });
      const out = await accounts.update('b', { owner: 'bob', balance: { $inc: -3 } });
      expect(out).toMatchObject({ owner: 'bob', balance: 10 });
      await counters.set('accounts', 'b', 'balance', 10);
      await accounts.update('b', { balance: { $inc: -3 } });
      // In time order: -3 (from 10, the document's value when the counter began), set 10, -3.
      expect((await counters.consolidate('accounts', 'b', 'balance')).value).toBe(7);
      await expect(accounts.update('nope', { balance: { $inc: 1 } })).rejects.toMatchObject({
        code: 'PLUGIN',
        details: { causeCode: 'NOT_FOUND' },
      });
      expect(await counters.value('accounts', 'nope', 'balance', { pending: true })).toBe(0);
      await expect(counters.add('accounts', 'b', 'owner', 1)).rejects.toBeInstanceOf(ValidationError);
      await expect(counters.add('accounts', 'b', 'balance', Number.NaN)).rejects.toBeInstanceOf(ValidationError);
      await db.close();
    });

    it('two databases, 10 writers x 20 increments and 4 racing consolidators: the value is exact', async () => {
      const store = await t.create();
      const first = await open(store);
      const second = await open(store);
      await first.db.resource('accounts').insert({ id: 'c', owner: 'cy' });
      let writing = true;
      const consolidators = [first, second, first, second].map(async ({ counters }) => {
        while (writing) await counters.consolidate('accounts', 'c', 'balance');
      });
      const sums = await Promise.all(
        Array.from({ length: 10 }, async (_, w) => {
          const { counters } = w % 2 === 0 ? first : second;
          let sum = 0;
          for (let i = 0; i < 20; i++) {
            const n = ((w + i) % 5) - 1; // negative, zero and positive changes
            await counters.add('accounts', 'c', 'balance', n);
            sum += n;
          }
          return sum;
        }),
      );
      writing = false;
      await Promise.all(consolidators);
      const total = sums.reduce((a, b) => a + b, 0);
      expect((await second.counters.consolidate('accounts', 'c', 'balance')).value).toBe(total);
      expect((await first.db.resource('accounts').get('c')).balance).toBe(total);
      // Every transaction was applied once and then deleted.
      const left = await first.db.withoutPlugins().resource(first.counters.transactionResource('accounts', 'balance'));
      expect((await left.listIds()).ids).toEqual([]);
      // Analytics: 200 changes whose sum is the value.
      const [day] = await first.counters.analytics('accounts', 'balance', 'day');
      expect(day).toMatchObject({ count: 200, sum: total, min: -1, max: 3 });
      await first.db.close();
      await second.db.close();
    }, 120_000);
  });
}

describe('a consolidator that dies mid-run', () => {
  it('loses nothing: for any crash point, the next consolidation is exact', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 12 }),
        fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 8 }),
        async (crashAfter, amounts) => {
          const store = new MemoryStore();
          const { db, counters } = await open(store);
          await db.resource('accounts').insert({ id: 'd', owner: 'di' });
          for (const n of amounts) await counters.add('accounts', 'd', 'balance', n);
          // The crashing consolidator: its store fails every request after `crashAfter` writes.
          let writes = 0;
          const failing = new Proxy(store, {
            get(target, prop, receiver) {
              if (prop === 'put' || prop === 'delete' || prop === 'deleteMany') {
                return (...args: unknown[]) => {
                  if (writes++ >= crashAfter) throw new StorageError('STORAGE', 'simulated crash');
                  return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
                };
              }
              return Reflect.get(target, prop, receiver) as unknown;
            },
          });
          const crashing = await open(failing).catch(() => null);
          if (crashing) {
            await crashing.counters.consolidate('accounts', 'd', 'balance').catch(() => undefined);
          }
          const final = await counters.consolidate('accounts', 'd', 'balance');
          expect(final.value).toBe(amounts.reduce((a, b) => a + b, 0));
          const [day] = await counters.analytics('accounts', 'balance', 'day');
          expect(day?.sum).toBe(final.value);
          expect(day?.count).toBe(amounts.length);
          await db.close();
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});

const server = s3TestServer();
const here = path.dirname(fileURLToPath(import.meta.url));

/** Runs test/support/counter-child.ts in its own node process; resolves with the sum it added. */
function counterProcess(connection: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, '../support/counter-child.ts'), ...args],
      {
        env: { ...process.env, S3DB_WRITER_CONNECTION: connection },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('close', (code) =>
      code === 0 ? resolve(Number(out.trim())) : reject(new Error(`counter process exited ${code}: ${err}`)),
    );
  });
}

describe.skipIf(server === null)('counters from 3 processes on radosgw', () => {
  // skipIf: separate OS processes need a shared real S3 bucket (S3DB_TEST_S3_URL / the suite's radosgw).
  it('3 processes x 20 writers x 50 increments, consolidating in two of them: 0 lost, 0 doubled', async () => {
    const bucket = await createTestBucket(server!);
    const store = openS3Store(server!, bucket);
    try {
      const setup = await open(store);
      await setup.db.resource('accounts').insert({ id: 'a', owner: 'proc' });
      const connection = s3ConnectionString(server!, bucket);
      const sums = await Promise.all([
        counterProcess(connection, ['20', '50', '1']),
        counterProcess(connection, ['20', '50', '1']),
        counterProcess(connection, ['20', '50', '0']),
      ]);
      const total = sums.reduce((a, b) => a + b, 0);
      const final = await setup.counters.consolidate('accounts', 'a', 'balance');
      expect(final.value).toBe(total);
      expect((await setup.db.resource('accounts').get('a')).balance).toBe(total);
      const [day] = await setup.counters.analytics('accounts', 'balance', 'day');
      expect(day).toMatchObject({ count: 3000, sum: total });
      await setup.db.close();
    } finally {
      await store.close();
      await removeTestBucket(server!, bucket);
    }
  }, 240_000);
});
