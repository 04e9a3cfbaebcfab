// A partitioned insert whose references go beside its data object keeps the index honest at every crash point and failed request: reads never show a missing or misfiled document, a failure cleans up after itself, heal repairs a crash.
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Database, StorageError, type ObjectStore } from '../../engine/index.js';
import { DelegatingStore } from '../support/delegating-store.js';
import { testStores } from '../support/stores.js';

type Decision = 'pass' | 'fail' | 'lost';

/**
 * A real store with faults on the writes of one resource: while armed, each put/delete/deleteMany under the
 * resource's prefix is numbered in the order issued and `decide` says whether it reaches the store ('pass'),
 * never does ('fail'), or does but its caller sees an error ('lost': the response was lost). `beforeNewData`
 * runs before an `ifNoneMatch` data PUT is forwarded (another writer can take the id there).
 */
class FaultyStore extends DelegatingStore {
  writes: string[] = [];
  decide: ((index: number, key: string) => Decision) | undefined;
  beforeNewData: ((key: string) => Promise<void>) | undefined;
  constructor(
    inner: ObjectStore,
    private readonly prefix: string,
  ) {
    super(inner);
  }

  private async write<T>(key: string, run: () => Promise<T>): Promise<T> {
    if (!this.decide || !key.startsWith(this.prefix)) return run();
    const decision = this.decide(this.writes.push(key) - 1, key);
    if (decision === 'fail') throw new StorageError('NETWORK', `injected failure before ${key}`);
    const out = await run();
    if (decision === 'lost') throw new StorageError('NETWORK', `injected lost response after ${key}`);
    return out;
  }
  override async put(...args: Parameters<ObjectStore['put']>): ReturnType<ObjectStore['put']> {
    const [key, , , options] = args;
    if (this.decide && options?.ifNoneMatch === '*' && key.startsWith(this.prefix)) await this.beforeNewData?.(key);
    return this.write(key, () => this.inner.put(...args));
  }
  override delete(key: string): Promise<void> {
    return this.write(key, () => this.inner.delete(key));
  }
  override deleteMany(keys: string[]): ReturnType<ObjectStore['deleteMany']> {
    return this.write(keys[0] ?? this.prefix, () => this.inner.deleteMany(keys));
  }
}

const TEAMS = ['red', 'blue'] as const;
const REGIONS = ['eu', undefined] as const;
interface Values {
  team: (typeof TEAMS)[number];
  region: (typeof REGIONS)[number];
}
const values = fc.record({ team: fc.constantFrom(...TEAMS), region: fc.constantFrom(...REGIONS) });

// Keys written out by hand from the documented layout (docs/storage.md "On the bucket").
function expectedRefs(name: string, id: string, v: Record<string, unknown>): string[] {
  const refs = [`resource=${name}/partition=byTeam/team=${String(v.team)}/id=${id}`];
  if (v.region !== undefined)
    refs.push(`resource=${name}/partition=byRegionTeam/region=eu/team=${String(v.team)}/id=${id}`);
  return refs;
}

const definition = (name: string) => ({
  name,
  attributes: { team: 'string', region: 'string|optional' },
  partitions: {
    byTeam: { fields: { team: 'string' } },
    byRegionTeam: { fields: { team: 'string', region: 'string' } },
  },
});

/**
 * The invariant, read through a fresh Database on the real store: every partition query returns only documents
 * that exist and hold that value (always); with `clean`, every reference in the bucket belongs to an existing
 * document with those values, so LIST-only counts and listPartitions never count a document that is not there.
 */
async function checkIndex(store: ObjectStore, name: string, clean: boolean) {
  const db = new Database({ store });
  await db.connect();
  const r = db.resource(name);
  const truth = new Map((await r.query({ limit: 1000 })).records.map((d) => [String(d.id), d]));
  const expected = new Set([...truth].flatMap(([id, d]) => expectedRefs(name, id, d)));
  const refs = (await store.list({ prefix: `resource=${name}/partition=` })).objects.map((o) => o.key);
  for (const team of TEAMS) {
    const holding = [...truth.values()].filter((d) => d.team === team).map((d) => String(d.id));
    const found = (await r.query({ partition: 'byTeam', partitionValues: { team } })).records.map((d) => String(d.id));
    expect(holding).toEqual(expect.arrayContaining(found));
    const both = (await r.query({ filter: { team, region: 'eu' } })).records;
    for (const d of both) expect(truth.get(String(d.id))).toMatchObject({ team, region: 'eu' });
    if (clean) {
      expect((await r.count({ filter: { team } })).count).toBeLessThanOrEqual(holding.length);
      const listed = (await r.listPartitions('byTeam'))[0]!.values!.find((v) => v.values.team === team);
      expect(listed?.count ?? 0).toBeLessThanOrEqual(holding.length);
    }
  }
  if (clean) expect([...expected]).toEqual(expect.arrayContaining(refs));
  await db.close();
  return { truth, expected, refs };
}

/** After heal (31 s later, past the settling time of a young reference) the index is exactly the documents'. */
async function checkHealed(store: ObjectStore, name: string) {
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    vi.setSystemTime(Date.now() + 31_000);
    const db = new Database({ store });
    await db.connect();
    await db.heal({ dryRun: false, resource: name });
    expect((await db.heal({ dryRun: true, resource: name })).problems).toEqual([]);
    const r = db.resource(name);
    const { truth, expected, refs } = await checkIndex(store, name, true);
    expect(refs.sort()).toEqual([...expected].sort());
    for (const team of TEAMS) {
      const holding = [...truth.values()].filter((d) => d.team === team).length;
      expect((await r.count({ filter: { team } })).count).toBe(holding);
    }
    await db.close();
  } finally {
    vi.useRealTimers();
  }
}

const RUNS: Record<string, number> = { memory: 40, file: 20 };

for (const s of testStores()) {
  describe.skipIf(s.skipped !== undefined)(s.name, () => {
    afterAll(() => s.cleanup?.());
    let run = 0;

    /** A fresh resource with `existing` documents (explicit ids), and a Database on a FaultyStore for it. */
    const open = async (inner: ObjectStore, existing: Values[]) => {
      const name = `f${run++}`;
      const store = new FaultyStore(inner, `resource=${name}/`);
      const db = new Database({ store });
      await db.connect();
      const { resource } = await db.createResource(definition(name));
      for (const [i, v] of existing.entries()) await resource.insert({ id: `e${i}`, ...v });
      return { name, store, db, r: resource };
    };

    it('an insert without an id writes its references beside the data object (one round trip, not two)', async () => {
      const inner = await s.create();
      const { store, db, r } = await open(inner, []);
      const order: string[] = [];
      store.decide = (_i, key) => {
        order.push(key);
        return 'pass';
      };
      const doc = await r.insert({ team: 'red', region: 'eu' });
      // Issued together: both references before the data PUT, without waiting for it.
      expect(order.map((k) => k.split('/')[1])).toEqual(['partition=byTeam', 'partition=byRegionTeam', 'data']);
      order.length = 0;
      await r.insert({ id: 'explicit', team: 'red' });
      expect(order.map((k) => k.split('/')[1])).toEqual(['data', 'partition=byTeam']);
      store.decide = undefined;
      expect((await r.query({ partition: 'byTeam', partitionValues: { team: 'red' } })).records).toHaveLength(2);
      expect((await r.get(String(doc.id))).team).toBe('red');
      await db.close();
    });

    it('a failed data PUT leaves no reference; a lost response keeps them (the document is there)', async () => {
      const inner = await s.create();
      const { name, store, db, r } = await open(inner, [{ team: 'red', region: 'eu' }]);
      store.decide = (_i, key) => (key.includes('/data/') ? 'fail' : 'pass');
      await expect(r.insert({ team: 'red', region: 'eu' })).rejects.toMatchObject({ code: 'NETWORK' });
      store.decide = undefined;
      const after = await checkIndex(inner, name, true);
      expect(after.truth.size).toBe(1);
      expect(after.refs.sort()).toEqual(expectedRefs(name, 'e0', { team: 'red', region: 'eu' }).sort());

      store.decide = (_i, key) => (key.includes('/data/') ? 'lost' : 'pass');
      await expect(r.insert({ team: 'blue' })).rejects.toMatchObject({ code: 'NETWORK' });
      store.decide = undefined;
      const lost = await checkIndex(inner, name, true);
      expect(lost.truth.size).toBe(2);
      expect(lost.refs.sort()).toEqual([...lost.expected].sort());
      await db.close();
    });

    it('an id taken meanwhile (same or other values) is a CONFLICT that leaves exactly the holder’s references', async () => {
      const inner = await s.create();
      for (const other of [
        { team: 'blue', region: undefined },
        { team: 'red', region: 'eu' },
      ] as Values[]) {
        const { name, store, db, r } = await open(inner, []);
        const holder = new Database({ store: inner });
        await holder.connect();
        store.beforeNewData = async (key) => {
          await holder.resource(name).insert({ id: key.slice(key.lastIndexOf('/id=') + 4), ...other });
        };
        store.decide = () => 'pass';
        await expect(r.insert({ team: 'red', region: 'eu' })).rejects.toMatchObject({ code: 'CONFLICT' });
        store.decide = undefined;
        const { truth, expected, refs } = await checkIndex(inner, name, true);
        expect(truth.size).toBe(1);
        expect(refs.sort()).toEqual([...expected].sort());
        await holder.close();
        await db.close();
      }
    });

    it('an insert that waits out a delete of its id rewrites the references the delete removed', async () => {
      const inner = await s.create();
      const { name, store, db, r } = await open(inner, []);
      let deleted: Promise<unknown> | undefined;
      store.beforeNewData = async (key) => {
        store.beforeNewData = undefined;
        const id = key.slice(key.lastIndexOf('/id=') + 4);
        // A delete in progress: its tombstone holds the id; it then removes the references and the tombstone.
        await inner.put(key, '', { '-x': '1' });
        deleted = new Promise((done) => setTimeout(done, 100)).then(async () => {
          await inner.deleteMany(expectedRefs(name, id, { team: 'red', region: 'eu' }));
          await inner.delete(key);
        });
      };
      store.decide = () => 'pass';
      const doc = await r.insert({ team: 'red', region: 'eu' });
      store.decide = undefined;
      await deleted;
      const { truth, expected, refs } = await checkIndex(inner, name, true);
      expect([...truth.keys()]).toEqual([String(doc.id)]);
      expect(refs.sort()).toEqual([...expected].sort());
      expect(refs).toHaveLength(2);
      await db.close();
    });

    it('property: any crash point or failed write keeps reads honest; heal restores an exact index', async () => {
      const inner = await s.create();
      const mode = fc.oneof(
        // A crash: of the insert's first writes only those marked landed reach the bucket, nothing after.
        fc.record({
          kind: fc.constant('crash' as const),
          landed: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        }),
        // One write fails (or its response is lost); everything else, cleanup included, goes through.
        fc.record({ kind: fc.constant('fail' as const), target: fc.nat(3), lost: fc.boolean() }),
      );
      await fc.assert(
        fc.asyncProperty(mode, values, fc.array(values, { maxLength: 3 }), async (m, v, existing) => {
          const { name, store, db, r } = await open(inner, existing);
          const first = 1 + (v.region === undefined ? 1 : 2);
          store.decide = (i) => {
            if (m.kind === 'crash') return i < first && m.landed[i] ? 'pass' : 'fail';
            return i === m.target ? (m.lost ? 'lost' : 'fail') : 'pass';
          };
          const outcome = await r.insert({ ...v }).then(
            () => 'ok',
            (e: unknown) => (e as { code?: string }).code,
          );
          store.decide = undefined;
          const failedSomething = m.kind === 'crash' ? m.landed.slice(0, first).includes(false) : m.target < first;
          expect(outcome).toBe(failedSomething ? 'NETWORK' : 'ok');
          // Without a crash, the insert's own cleanup leaves nothing a count or listPartitions could overcount.
          await checkIndex(inner, name, m.kind === 'fail');
          await checkHealed(inner, name);
          await db.close();
        }),
        { numRuns: RUNS[s.name] ?? 10 },
      );
    }, 120_000);

    it('heal leaves a young reference of a generated id (an insert in flight) and removes it once settled', async () => {
      const inner = await s.create();
      const { name, db, r } = await open(inner, []);
      const doc = await r.insert({ team: 'red' });
      // The data object of a generated id not stored yet: its reference alone.
      await inner.delete(`resource=${name}/data/id=${String(doc.id)}`);
      const ref = expectedRefs(name, String(doc.id), { team: 'red' });
      expect((await db.heal({ dryRun: false, resource: name })).problems).toEqual([]);
      expect((await inner.list({ prefix: `resource=${name}/partition=` })).objects.map((o) => o.key)).toEqual(ref);
      // An orphan with an id of another shape is removed at once.
      await inner.put(`resource=${name}/partition=byTeam/team=red/id=ghost`, '', { '-v': 'v0' });
      const report = await db.heal({ dryRun: false, resource: name });
      expect(report.repaired.map((p) => `${p.kind}:${p.key}`)).toEqual([
        `orphan-reference:resource=${name}/partition=byTeam/team=red/id=ghost`,
      ]);
      await checkHealed(inner, name);
      expect((await inner.list({ prefix: `resource=${name}/partition=` })).objects).toEqual([]);
      await db.close();
    });
  });
}
