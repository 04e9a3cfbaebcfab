// The replicator's parts on the memory store: outbox keys round-trip, revisions are unique and ordered across writers, failed deliveries retry until they land, rules filter and transform, target URLs are parsed or refused with a hint.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  Database,
  MemoryStore,
  ReplicatorPlugin,
  S3dbTarget,
  createTarget,
  type Document,
  type ReplicationChange,
  type ReplicationTarget,
} from '../../engine/index.js';
import { replicatorOutboxKey, splitReplicatorOutboxKey } from '../../engine/keys.js';
import { RevisionClock } from '../../engine/plugins/replicator/revision-clock.js';
import { parseSqsUrl } from '../../engine/plugins/replicator/targets/index.js';

/** A target that keeps the last state applied per document in memory, and can fail its next applies. */
class RecordingTarget implements ReplicationTarget {
  readonly kind = 'postgres' as const;
  readonly secrets = 'encrypted' as const;
  readonly docs = new Map<string, { revision: number; document: Document }>();
  readonly applied: ReplicationChange[] = [];
  failNext = 0;
  constructor(
    readonly name: string,
    readonly ordered: boolean,
  ) {}
  prepare(): Promise<void> {
    return Promise.resolve();
  }
  async apply(change: ReplicationChange): Promise<void> {
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('target unavailable');
    }
    this.applied.push(change);
    const cur = this.docs.get(change.id);
    if (this.ordered && cur && cur.revision > change.revision) return;
    if (change.operation === 'delete') this.docs.delete(change.id);
    else this.docs.set(change.id, { revision: change.revision, document: change.document! });
  }
  async *entries(): AsyncIterable<{ id: string }> {
    for (const id of [...this.docs.keys()].sort()) yield { id };
  }
  describe() {
    return { name: this.name };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function open(store: MemoryStore, targets: ReplicationTarget[], extra: object = {}) {
  const rep = new ReplicatorPlugin({ targets, retryMs: 5, maxRetryMs: 20, drainIntervalMs: 0, ...extra });
  const db = new Database({ store, plugins: [rep], passphrase: 'p' });
  await db.connect();
  await db.createResource({
    name: 'items',
    attributes: { n: 'number', note: 'string|optional', s: 'secret|optional' },
  });
  return { db, rep };
}

describe('replicator parts', () => {
  it('outbox keys round-trip any resource name and id', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,20}$/),
        fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes('/')),
        (resource, id) => {
          const key = replicatorOutboxKey('0abc-12', resource, id);
          expect(splitReplicatorOutboxKey(key)).toEqual({ stamp: '0abc-12', resource, id });
        },
      ),
    );
    expect(splitReplicatorOutboxKey('plugin=replicator/revisions/x')).toBeNull();
    expect(splitReplicatorOutboxKey('elsewhere')).toBeNull();
  });

  it('numbers states uniquely and in order across concurrent clocks; the same state keeps its number', async () => {
    const store = new MemoryStore();
    const clocks = Array.from({ length: 4 }, () => new RevisionClock(store, 'plugin=replicator/'));
    expect(await clocks[0]!.number('r', 'x', '-')).toBe(0); // absent and never numbered
    const numbers = await Promise.all(clocks.map((c, i) => c.number('r', 'x', `etag${i}`)));
    expect([...numbers].sort()).toEqual([1, 2, 3, 4]);
    const last = numbers.indexOf(4);
    expect(await clocks[1]!.number('r', 'x', `etag${last}`)).toBe(4);
    expect(await clocks[2]!.number('r', 'x', '-')).toBe(5);
    await store.put('plugin=replicator/revisions/resource=r/id=bad', 'not json');
    expect(await clocks[0]!.number('r', 'bad', 'e')).toBe(1);
  });

  it('concurrent writers through three processes: ordered and unordered targets end on the bucket state', async () => {
    const store = new MemoryStore();
    const ordered = new RecordingTarget('ordered', true);
    const unordered = new RecordingTarget('unordered', false);
    const rigs = await Promise.all([0, 1, 2].map(() => open(store, [ordered, unordered])));
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const r = rigs[i % 3]!.db.resource('items');
        return i % 10 === 9 ? r.delete(`k${i % 4}`).catch(() => undefined) : r.upsert({ id: `k${i % 4}`, n: i });
      }),
    );
    await Promise.all(rigs.map((r) => r.rep.flush()));
    const bucket = new Map((await rigs[0]!.db.resource('items').list()).records.map((d) => [d.id, d]));
    for (const t of [ordered, unordered]) {
      expect(new Map([...t.docs].map(([id, v]) => [id, v.document]))).toEqual(bucket);
    }
    // Revisions per document only ever go up at the ordered target's last write.
    for (const [id, v] of ordered.docs) {
      const max = Math.max(...ordered.applied.filter((c) => c.id === id).map((c) => c.revision));
      expect(v.revision).toBe(max);
    }
    await Promise.all(rigs.map((r) => r.db.close()));
  });

  it('retries a failing target with backoff until it lands, counting failures', async () => {
    const target = new RecordingTarget('flaky', true);
    target.failNext = 3;
    const { db, rep } = await open(new MemoryStore(), [target]);
    await db.resource('items').insert({ id: 'a', n: 1 });
    await rep.flush();
    const deadline = Date.now() + 5000;
    while (rep.stats()[0]!.pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(rep.stats()[0]).toMatchObject({ pending: 0, failed: 3, delivered: 1, lastError: 'target unavailable' });
    expect(target.docs.get('a')?.document).toEqual({ id: 'a', n: 1 });
    await db.close();
  });

  it('applies resource rules (fields, transform), awaits delivery when asked, skips unlisted resources', async () => {
    const target = new RecordingTarget('rules', true);
    const { db, rep } = await open(new MemoryStore(), [target], {
      awaitDelivery: true,
      resources: {
        items: { fields: ['n'], transform: (d: Document) => (d.n === 13 ? null : { ...d, n: (d.n as number) * 10 }) },
      },
    });
    await db.createResource({ name: 'other', attributes: { n: 'number' } });
    await db.resource('items').insert({ id: 'a', n: 1, note: 'dropped' });
    await db.resource('items').insert({ id: 'b', n: 13 });
    await db.resource('other').insert({ id: 'c', n: 1 });
    expect([...target.docs]).toEqual([['a', { revision: 1, document: { id: 'a', n: 10 } }]]);
    expect(rep.appliesTo({ name: 'other', createdBy: 'user' })).toBe(false);
    expect(db.describeResource('items').plugins).toEqual(['ReplicatorPlugin']);
    await db.close();
  });

  it('sends secret fields encrypted by default, and refuses to replicate them without the passphrase', async () => {
    const target = new RecordingTarget('secrets', true);
    const store = new MemoryStore();
    const { db, rep } = await open(store, [target], { awaitDelivery: true });
    await db.resource('items').insert({ id: 's', n: 1, s: 'hunter2' });
    const sent = target.docs.get('s')!.document.s as string;
    expect(sent).not.toBe('hunter2');
    expect(await db.cipher.decrypt(sent, 's')).toBe('hunter2');
    await db.close();
    const blind = new ReplicatorPlugin({ targets: [target], drainIntervalMs: 0 });
    const db2 = new Database({ store, plugins: [blind] });
    await db2.connect();
    await db2.resource('items').update('s', { n: 2 });
    await blind.flush();
    expect(blind.stats()[0]!.lastError).toMatch(/secret fields and the passphrase is not set/);
    await db2.close();
    expect(rep.describe()).toMatchObject({ awaitDelivery: true });
  });

  it('resync with reset rebuilds an s3db target; a queue target is reported as not checkable', async () => {
    const copy = new MemoryStore();
    const s3db = new S3dbTarget({ connection: copy, passphrase: 'p' });
    const { db, rep } = await open(new MemoryStore(), [s3db]);
    await db
      .withoutPlugins()
      .resource('items')
      .insertMany([
        { id: 'x', n: 1 },
        { id: 'y', n: 2 },
      ]);
    const [report] = await rep.resync({ reset: true });
    expect(report).toMatchObject({ resource: 'items', documents: 2, removed: 0 });
    await db.withoutPlugins().resource('items').delete('x');
    expect((await rep.check())[0]).toMatchObject({ extra: 1, examples: { extra: ['x'] } });
    const [again] = await rep.resync({ resource: 'items', reset: true });
    expect(again).toMatchObject({ documents: 1 });
    expect(await s3db.read('items', 'x')).toBeNull();
    expect(await s3db.read('items', 'y')).toMatchObject({ n: 2 });
    await db.close();

    const sqs = createTarget('sqs://KEY:SECRET@127.0.0.1:9/000/q?insecure=true&region=eu-west-1');
    const r2 = await open(new MemoryStore(), [sqs]);
    expect((await r2.rep.check({ resource: 'items' }))[0]).toMatchObject({ checked: false, inSync: false });
    await r2.db.close();
  });

  it('parses target URLs, names them, and refuses unknown schemes with a hint', () => {
    expect(createTarget('postgresql://u:p@h/db#wh')).toMatchObject({ name: 'wh', kind: 'postgres', ordered: true });
    expect(createTarget('memory://x', {}, 2)).toMatchObject({ name: 's3db-3', kind: 's3db', ordered: false });
    expect(parseSqsUrl('sqs://sqs.eu-west-1.amazonaws.com/123456789012/changes.fifo')).toEqual({
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/changes.fifo',
      region: 'eu-west-1',
    });
    expect(parseSqsUrl('sqs://K:S@127.0.0.1:9324/000/q?insecure=true')).toMatchObject({
      queueUrl: 'http://127.0.0.1:9324/000/q',
      endpoint: 'http://127.0.0.1:9324',
      credentials: { accessKeyId: 'K', secretAccessKey: 'S' },
    });
    expect(() => parseSqsUrl('sqs://host')).toThrow(ConfigError);
    expect(() => parseSqsUrl('sqs://%')).toThrow(ConfigError);
    expect(() => createTarget('bigquery://p/d')).toThrow(/BigQuery is not supported|Unknown replication target/);
    expect(() => new ReplicatorPlugin({ targets: [] })).toThrow(/at least one target/);
    expect(() => new ReplicatorPlugin({ targets: ['memory://a', 'memory://b#s3db'] })).toThrow(/named "s3db"/);
  });
});
