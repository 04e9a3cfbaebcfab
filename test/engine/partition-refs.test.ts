// Partition references: written after the data object for an insert with an id (beside it without one: partition-refs-faults), moved on update (new before old removed), removed on delete.
import { afterAll, describe, expect, it } from 'vitest';
import { Database, type ObjectStore } from '../../engine/index.js';
import { DelegatingStore } from '../support/delegating-store.js';
import { testStores } from '../support/stores.js';

/** One write the engine asked of the store: when it was issued (`start`) and when the store acknowledged it (`done`). */
interface Step {
  op: 'put' | 'delete';
  phase: 'start' | 'done';
  key: string;
}

/**
 * An observer around a real store: forwards every call unchanged and records, in order, the start and the
 * acknowledgement of each put and delete (deleteMany counts as a delete of each of its keys).
 */
class RecordingStore extends DelegatingStore {
  readonly steps: Step[] = [];
  constructor(inner: ObjectStore) {
    super(inner);
  }

  override async put(...args: Parameters<ObjectStore['put']>): ReturnType<ObjectStore['put']> {
    const key = args[0];
    this.steps.push({ op: 'put', phase: 'start', key });
    const out = await this.inner.put(...args);
    this.steps.push({ op: 'put', phase: 'done', key });
    return out;
  }
  override async delete(key: string): Promise<void> {
    this.steps.push({ op: 'delete', phase: 'start', key });
    await this.inner.delete(key);
    this.steps.push({ op: 'delete', phase: 'done', key });
  }
  override async deleteMany(keys: string[]): ReturnType<ObjectStore['deleteMany']> {
    for (const key of keys) this.steps.push({ op: 'delete', phase: 'start', key });
    const out = await this.inner.deleteMany(keys);
    for (const key of out.deleted) this.steps.push({ op: 'delete', phase: 'done', key });
    return out;
  }

  /** The steps recorded since `mark` (a length of `steps` taken earlier). */
  since(mark: number): Step[] {
    return this.steps.slice(mark);
  }
}

/** Index of a step in `steps`; fails the test when the step is not there. */
function at(steps: Step[], op: Step['op'], phase: Step['phase'], key: string): number {
  const i = steps.findIndex((s) => s.op === op && s.phase === phase && s.key === key);
  expect(i, `${phase} of ${op} ${key} in ${JSON.stringify(steps)}`).toBeGreaterThanOrEqual(0);
  return i;
}

// Keys written out by hand from the documented layout (docs: "On the bucket"), not by the engine's key builder:
//   resource=NAME/data/id=ID
//   resource=NAME/partition=PART/FIELD=VALUE[/FIELD=VALUE…]/id=ID   (fields in alphabetical order)
const data = (id: string) => `resource=m/data/id=${id}`;
const byTeam = (team: string, id: string) => `resource=m/partition=byTeam/team=${team}/id=${id}`;
const byRegionTeam = (region: string, team: string, id: string) =>
  `resource=m/partition=byRegionTeam/region=${region}/team=${team}/id=${id}`;

const DEFINITION = {
  name: 'm',
  attributes: { team: 'string|optional', region: 'string|optional', n: 'number|optional' },
  // The definition names team before region; the key must still put region first.
  partitions: {
    byTeam: { fields: { team: 'string' } },
    byRegionTeam: { fields: { team: 'string', region: 'string' } },
  },
};

for (const s of testStores()) {
  describe.skipIf(s.skipped !== undefined)(s.name, () => {
    afterAll(() => s.cleanup?.());

    const open = async (asyncPartitions = false) => {
      const store = new RecordingStore(await s.create());
      const db = new Database({ store });
      await db.connect();
      const { resource } = await db.createResource({ ...DEFINITION, ...(asyncPartitions ? { asyncPartitions } : {}) });
      /** Every partition reference of resource m in the bucket, in key order. */
      const refs = async (): Promise<string[]> =>
        (await store.list({ prefix: 'resource=m/partition=' })).objects.map((o) => o.key).sort();
      return { store, resource, refs };
    };

    it('insert with an id writes each reference only after the data object is stored, and nothing else', async () => {
      const { store, resource: r, refs } = await open();
      let mark = store.steps.length;
      await r.insert({ id: 'a', team: 'red', region: 'eu' });
      const steps = store.since(mark);
      const dataDone = at(steps, 'put', 'done', data('a'));
      for (const ref of [byTeam('red', 'a'), byRegionTeam('eu', 'red', 'a')]) {
        expect(at(steps, 'put', 'start', ref)).toBeGreaterThan(dataDone);
      }
      expect(steps.filter((x) => x.phase === 'start').map((x) => x.key)).toHaveLength(3);
      expect(await refs()).toEqual([byRegionTeam('eu', 'red', 'a'), byTeam('red', 'a')]);
      expect((await store.head(byTeam('red', 'a')))?.metadata['-v']).toBe('v0');

      // A document without a region is in byTeam only.
      mark = store.steps.length;
      await r.insert({ id: 'b', team: 'blue' });
      expect(at(store.since(mark), 'put', 'start', byTeam('blue', 'b'))).toBeGreaterThan(
        at(store.since(mark), 'put', 'done', data('b')),
      );
      expect(await refs()).toEqual([byRegionTeam('eu', 'red', 'a'), byTeam('blue', 'b'), byTeam('red', 'a')]);
    });

    it('an update that moves a document writes the new reference before removing the old one', async () => {
      const { store, resource: r, refs } = await open();
      await r.insert({ id: 'a', team: 'red', region: 'eu' });
      await r.insert({ id: 'b', team: 'red', region: 'us' });

      const mark = store.steps.length;
      await r.update('a', { team: 'blue' });
      const steps = store.since(mark);
      const dataDone = at(steps, 'put', 'done', data('a'));
      const moves = [
        { from: byTeam('red', 'a'), to: byTeam('blue', 'a') },
        { from: byRegionTeam('eu', 'red', 'a'), to: byRegionTeam('eu', 'blue', 'a') },
      ];
      for (const { from, to } of moves) {
        expect(at(steps, 'put', 'start', to)).toBeGreaterThan(dataDone);
        expect(at(steps, 'delete', 'start', from)).toBeGreaterThan(at(steps, 'put', 'done', to));
      }
      expect(await refs()).toEqual([
        byRegionTeam('eu', 'blue', 'a'),
        byRegionTeam('us', 'red', 'b'),
        byTeam('blue', 'a'),
        byTeam('red', 'b'),
      ]);
    });

    it('an update that keeps the partition values touches no reference', async () => {
      const { store, resource: r, refs } = await open();
      await r.insert({ id: 'a', team: 'red', region: 'eu', n: 1 });
      const mark = store.steps.length;
      await r.update('a', { n: 2 });
      expect(store.since(mark).map((x) => `${x.phase} ${x.op} ${x.key}`)).toEqual([
        `start put ${data('a')}`,
        `done put ${data('a')}`,
      ]);
      expect(await refs()).toEqual([byRegionTeam('eu', 'red', 'a'), byTeam('red', 'a')]);
    });

    it('replace and upsert move references; a dropped field drops its partition', async () => {
      const { resource: r, refs } = await open();
      await r.insert({ id: 'a', team: 'red', region: 'eu' });
      await r.replace('a', { team: 'green' });
      expect(await refs()).toEqual([byTeam('green', 'a')]);
      await r.upsert({ id: 'a', team: 'green', region: 'us' });
      await r.upsert({ id: 'c', team: 'red' });
      expect(await refs()).toEqual([byRegionTeam('us', 'green', 'a'), byTeam('green', 'a'), byTeam('red', 'c')]);
    });

    it('delete removes the document and exactly its references', async () => {
      const { store, resource: r, refs } = await open();
      await r.insert({ id: 'a', team: 'red', region: 'eu' });
      await r.insert({ id: 'b', team: 'red', region: 'eu' });
      const mark = store.steps.length;
      await r.delete('a');
      const deleted = store
        .since(mark)
        .filter((x) => x.op === 'delete' && x.phase === 'done')
        .map((x) => x.key)
        .sort();
      expect(deleted).toEqual([data('a'), byRegionTeam('eu', 'red', 'a'), byTeam('red', 'a')].sort());
      expect(await refs()).toEqual([byRegionTeam('eu', 'red', 'b'), byTeam('red', 'b')]);
      await r.delete('b');
      expect(await refs()).toEqual([]);
    });

    it('after a mixed workload the references are exactly those of the surviving documents', async () => {
      const { resource: r, refs } = await open();
      const teams = ['red', 'blue', 'green'];
      const docs = new Map<string, { team: string; region?: string }>();
      for (let i = 0; i < 24; i++) {
        const doc = { team: teams[i % 3]!, ...(i % 4 === 0 ? {} : { region: i % 2 === 0 ? 'eu' : 'us' }) };
        docs.set(`d${String(i).padStart(2, '0')}`, doc);
      }
      const bulk = await r.insertMany([...docs].map(([id, d]) => ({ id, ...d })));
      expect(bulk.errors).toEqual([]);
      for (const id of ['d01', 'd05', 'd09']) {
        await r.update(id, { team: 'blue', region: 'ap' });
        docs.set(id, { team: 'blue', region: 'ap' });
      }
      for (const id of ['d02', 'd13']) {
        await r.delete(id);
        docs.delete(id);
      }
      const expected = [...docs].flatMap(([id, d]) => [
        byTeam(d.team, id),
        ...(d.region === undefined ? [] : [byRegionTeam(d.region, d.team, id)]),
      ]);
      expect(await refs()).toEqual(expected.sort());
    });

    it('a value holding / or = stays inside its own segment', async () => {
      const { resource: r, refs } = await open();
      await r.insert({ id: 'x', team: 'a/b=c' });
      const keys = await refs();
      expect(keys).toHaveLength(1);
      const key = keys[0]!;
      expect(key.startsWith('resource=m/partition=byTeam/team=')).toBe(true);
      expect(key.endsWith('/id=x')).toBe(true);
      expect(key.split('/')).toHaveLength(4);
    });

    it('with asyncPartitions the references follow the data', async () => {
      const { store, resource: r, refs } = await open(true);
      const until = async (want: string[]) => {
        const deadline = Date.now() + 10_000;
        let got = await refs();
        while (JSON.stringify(got) !== JSON.stringify(want) && Date.now() < deadline) {
          await new Promise((res) => setTimeout(res, 10));
          got = await refs();
        }
        return got;
      };
      await r.insert({ id: 'x', team: 'red' });
      // The data object is stored by the time insert returns; the reference may come later, but never before it.
      expect(await store.head(data('x'))).not.toBeNull();
      expect(await until([byTeam('red', 'x')])).toEqual([byTeam('red', 'x')]);
      expect(at(store.steps, 'put', 'start', byTeam('red', 'x'))).toBeGreaterThan(
        at(store.steps, 'put', 'done', data('x')),
      );
      await r.update('x', { team: 'blue' });
      expect(await until([byTeam('blue', 'x')])).toEqual([byTeam('blue', 'x')]);
      expect(at(store.steps, 'delete', 'start', byTeam('red', 'x'))).toBeGreaterThan(
        at(store.steps, 'put', 'done', byTeam('blue', 'x')),
      );
    });
  });
}
