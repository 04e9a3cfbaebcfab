// QueueConsumerPlugin on SQS (the minimal SQS-protocol endpoint in test/support, not AWS): every message applied
// exactly once in effect across a consumer killed with SIGKILL and an endpoint restart, poison messages in the
// dead-letter queue with their error, retries by visibility, in-flight messages returned on a graceful stop.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Database,
  FileStore,
  MemoryStore,
  QueueConsumerPlugin,
  SqsSource,
  type SqsSourceOptions,
} from '../../engine/index.js';
import { idForMessage } from '../../engine/internal.js';
import { buildPlugins, loadConfig, prometheusText } from '../../server/index.js';
import { startQueueConsumerProcess } from '../support/queue-consumer-process.js';
import { startSqsServer, type SqsTestServer } from '../support/sqs-server.js';
import { until } from '../support/until.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let sqs: SqsTestServer;
let client: SQSClient;
let queueNumber = 0;

beforeAll(async () => {
  sqs = await startSqsServer();
  client = new SQSClient({ region: 'us-east-1', endpoint: sqs.endpoint, credentials });
});
afterAll(async () => {
  client?.destroy();
  await sqs?.close();
});

/** A queue and its dead-letter queue (`<name>-dead`, the default), `visibilityTimeout` seconds. */
function queues(visibilityTimeout = 30): { name: string; url: string } {
  const name = `q${++queueNumber}`;
  sqs.queueUrl(`${name}-dead`);
  return { name, url: sqs.queueUrl(name, { visibilityTimeout }) };
}

/** Sends messages in batches of 10; `id` becomes the `messageId` attribute when given. */
async function send(
  url: string,
  messages: { id?: string; body: unknown; attributes?: Record<string, string> }[],
): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const out = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: messages.slice(i, i + 10).map((m, j) => ({
          Id: String(j),
          MessageBody: typeof m.body === 'string' ? m.body : JSON.stringify(m.body),
          MessageAttributes: Object.fromEntries(
            Object.entries({ ...m.attributes, ...(m.id === undefined ? {} : { messageId: m.id }) }).map(([k, v]) => [
              k,
              { DataType: 'String', StringValue: v },
            ]),
          ),
        })),
      }),
    );
    expect(out.Failed ?? []).toEqual([]);
  }
}

function source(url: string, options: Partial<SqsSourceOptions> = {}): SqsSource {
  return new SqsSource({
    queueUrl: url,
    endpoint: sqs.endpoint,
    credentials,
    waitTimeSeconds: 1,
    reconnectDelayMs: 100,
    maxReconnectDelayMs: 500,
    ...options,
  });
}

const attribute = (m: { attributes: Record<string, { StringValue?: string }> }, name: string) =>
  m.attributes[name]?.StringValue;

describe('queue consumer on SQS (test endpoint)', () => {
  it('applies each action, retries by visibility, dead-letters poison messages with their error', async () => {
    const q = queues();
    const consumer = new QueueConsumerPlugin({ source: source(q.url, { prefetch: 5 }), maxAttempts: 3 });
    const db = new Database({ store: new MemoryStore(), plugins: [consumer] });
    await db.connect();
    const orders = (
      await db.createResource({ name: 'orders', attributes: { total: 'number', status: 'string|optional' } })
    ).resource;
    await db.createResource({ name: 'plg_secret', createdBy: 'SomePlugin', attributes: { x: 'string' } });
    const insertNoId = { resource: 'orders', action: 'insert', data: { total: 20 } };
    await send(q.url, [
      { id: 'm1', body: { resource: 'orders', action: 'insert', data: { id: 'o1', total: 10 } } },
      { id: 'm2', body: insertNoId },
      { id: 'm2', body: insertNoId }, // the producer sent it twice: one document
      { body: { resource: 'orders', action: 'insert', data: { total: 40 } } }, // no messageId: SQS's stands in
      { id: 'm4', body: { resource: 'orders', action: 'upsert', id: 'o3', data: { total: 30 } } },
      { id: 'm5', body: { resource: 'orders', action: 'insert', data: { id: 'gone', total: 1 } } },
      { id: 'p1', body: 'not json', attributes: { tenant: 'acme' } },
      { id: 'p2', body: { resource: 'orders', action: 'explode', data: {} } },
      { id: 'p3', body: { resource: 'orders', action: 'update', data: { total: 1 } } },
      { id: 'p4', body: { resource: 'nope', action: 'insert', data: {} } },
      { id: 'p5', body: { resource: 'plg_secret', action: 'insert', data: { x: 'forged' } } },
      { id: 'p6', body: { resource: 'orders', action: 'insert', data: { total: 'ten' } } },
      { id: 'p7', body: { resource: 'orders', action: 'update', id: 'missing', data: { total: 1 } } },
    ]);
    await until(async () => (await orders.exists('gone')) && (await orders.exists('o1')), 30_000, 'o1 and gone');
    await send(q.url, [
      { id: 'm3', body: { resource: 'orders', action: 'update', id: 'o1', data: { status: 'paid' } } },
      { id: 'm6', body: { resource: 'orders', action: 'delete', id: 'gone' } },
      { id: 'm6', body: { resource: 'orders', action: 'delete', id: 'gone' } },
    ]);
    await until(
      () => {
        const s = consumer.stats();
        return s.deadLettered === 7 && s.applied! + s.duplicates! === 9;
      },
      60_000,
      'every message settled',
      () => consumer.stats(),
    );
    await until(() => sqs.depth(q.name).inFlight === 0, 10_000, 'the last deletes');
    expect((await orders.get('o1')).status).toBe('paid');
    expect((await orders.get(idForMessage('m2'))).total).toBe(20);
    expect((await orders.get('o3')).total).toBe(30);
    expect(await orders.exists('gone')).toBe(false);
    // o1, m2's document, o3, and the one without a messageId (its id derives from SQS's MessageId).
    expect((await orders.count()).count).toBe(4);
    const noId = sqs.sent(q.name).find((m) => m.body === JSON.stringify({ ...insertNoId, data: { total: 40 } }))!;
    expect((await orders.get(idForMessage(noId.messageId))).total).toBe(40);
    // Nothing left in the queue; the dead-letter queue has the seven poison messages with their errors.
    expect(sqs.messages(q.name)).toEqual([]);
    const dead = sqs.messages(`${q.name}-dead`);
    expect(dead.map((d) => attribute(d, 'messageId')).sort()).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
    const byId = (id: string) => dead.find((d) => attribute(d, 'messageId') === id)!;
    expect(dead.map((d) => attribute(d, 'x-s3db-error-code')).sort()).toEqual([
      'NOT_FOUND',
      ...Array<string>(6).fill('VALIDATION'),
    ]);
    expect(byId('p1').body).toBe('not json');
    expect(attribute(byId('p1'), 'tenant')).toBe('acme'); // the producer's attributes travel with it
    expect(attribute(byId('p1'), 'x-s3db-error')).toMatch(/not JSON/);
    expect(attribute(byId('p3'), 'x-s3db-error')).toMatch(/id is required for update/);
    expect(attribute(byId('p5'), 'x-s3db-error')).toMatch(/may not write resource "plg_secret"/);
    expect(attribute(byId('p7'), 'x-s3db-error-code')).toBe('NOT_FOUND');
    // The update of a missing document was made visible again and received maxAttempts (3) times in all.
    const p7 = sqs.sent(q.name).find((m) => attribute(m, 'messageId') === 'p7')!;
    expect(p7.receiveCount).toBe(3);
    expect(consumer.stats()).toMatchObject({ retried: 2, deadLettered: 7 });
    expect(consumer.describe()).toMatchObject({
      source: { kind: 'sqs', queueUrl: q.url, deadLetterQueueUrl: `${q.url}-dead`, connected: true },
    });
    await db.close();
  }, 90_000);

  it('2,000 messages, a consumer killed with SIGKILL mid-batch and an endpoint restart: each applied exactly once', async () => {
    const q = queues(2);
    const root = mkdtempSync(path.join(os.tmpdir(), 's3db-queue-sqs-'));
    const db = new Database({ store: new FileStore(root) });
    await db.connect();
    const items = (await db.createResource({ name: 'items', attributes: { n: 'number' } })).resource;
    const N = Number(process.env.S3DB_QUEUE_SQS_TEST_N ?? 2_000);
    await send(
      q.url,
      Array.from({ length: N }, (_, i) => ({
        id: `m${i}`,
        body: { resource: 'items', action: 'insert', data: { n: i } },
      })),
    );
    const startConsumer = (): Promise<ChildProcess> =>
      startQueueConsumerProcess({
        S3DB_QUEUE_STORE: root,
        S3DB_QUEUE_SQS_URL: q.url,
        S3DB_QUEUE_SQS_ENDPOINT: sqs.endpoint,
      });
    const count = async () => (await items.count()).count;
    let consumer: ChildProcess | undefined;
    try {
      consumer = await startConsumer();
      await until(async () => (await count()) >= N / 5, 120_000, 'a fifth applied', count);
      consumer.kill('SIGKILL');
      await new Promise((r) => consumer!.once('exit', r));
      // Up to `prefetch` messages were in flight in the killed consumer: invisible now, back after 2 s.
      const afterKill = await count();
      consumer = await startConsumer();
      await until(async () => (await count()) >= Math.max(N / 2, afterKill + N / 20), 120_000, 'half applied', count);
      await sqs.halt();
      await new Promise((r) => setTimeout(r, 1_500));
      await sqs.restart();
      await until(
        async () => (await count()) === N && sqs.messages(q.name).length === 0,
        180_000,
        `${N} applied`,
        async () => ({
          count: await count(),
          depth: sqs.depth(q.name),
          dead: sqs.messages(`${q.name}-dead`).length,
        }),
      );
      consumer.kill('SIGTERM');
      await new Promise((r) => consumer!.once('exit', r));
      const { ids } = await items.listIds({ limit: N + 10 });
      expect(ids.length).toBe(N);
      const expected = new Set(Array.from({ length: N }, (_, i) => idForMessage(`m${i}`)));
      expect(ids.filter((id) => !expected.has(id))).toEqual([]);
      const picks = [0, Math.floor(N / 3), Math.floor(N / 2), N - 1];
      expect((await items.getMany(picks.map((i) => idForMessage(`m${i}`)))).records.map((r) => r.n)).toEqual(picks);
      expect(sqs.messages(`${q.name}-dead`)).toEqual([]);
      // The kill left messages in flight that were received again by the second consumer.
      expect(sqs.sent(q.name).filter((m) => m.receiveCount > 1).length).toBeGreaterThan(0);
    } finally {
      if (consumer && consumer.exitCode === null) consumer.kill('SIGKILL');
      await db.close();
      rmSync(root, { recursive: true, force: true });
    }
  }, 300_000);

  it('a graceful stop returns the messages still in flight at once, long before their visibility timeout', async () => {
    const q = queues(60);
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    // Writes that hang until the gate opens: the first consumer holds its messages in flight.
    class GatedStore extends MemoryStore {
      override async put(...args: Parameters<MemoryStore['put']>) {
        if (args[0].includes('/data/')) await gate;
        return super.put(...args);
      }
    }
    const first = source(q.url, { prefetch: 10, stopGraceMs: 200 });
    const db1 = new Database({ store: new GatedStore(), plugins: [new QueueConsumerPlugin({ source: first })] });
    await db1.connect();
    await db1.createResource({ name: 'notes', attributes: { text: 'string' } });
    await send(
      q.url,
      Array.from({ length: 5 }, (_, i) => ({
        id: `g${i}`,
        body: { resource: 'notes', action: 'insert', data: { text: `${i}` } },
      })),
    );
    await until(
      () => first.describe().inFlight === 5,
      20_000,
      'five in flight',
      () => first.describe(),
    );
    expect(sqs.depth(q.name)).toEqual({ visible: 0, inFlight: 5 });
    const t0 = Date.now();
    await db1.close();
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(sqs.depth(q.name)).toEqual({ visible: 5, inFlight: 0 });
    expect(first.describe()).toMatchObject({ returned: 5 });

    const second = new QueueConsumerPlugin({ source: source(q.url) });
    const db2 = new Database({ store: new MemoryStore(), plugins: [second] });
    await db2.connect();
    const notes = (await db2.createResource({ name: 'notes', attributes: { text: 'string' } })).resource;
    await until(async () => (await notes.count()).count === 5, 20_000, 'the second consumer');
    await until(() => sqs.messages(q.name).length === 0, 10_000, 'the queue empty');
    // The first consumer's writes end later; their deletes name stale receipt handles and change nothing.
    open();
    await new Promise((r) => setTimeout(r, 300));
    expect(sqs.sent(q.name).map((m) => m.receiveCount)).toEqual([2, 2, 2, 2, 2]);
    await db2.close();
  }, 60_000);

  it('a write slower than the visibility timeout keeps its message invisible (renewed), so it is received once', async () => {
    const q = queues(2);
    class HeldStore extends MemoryStore {
      hold: Promise<void> | undefined;
      override async put(...args: Parameters<MemoryStore['put']>) {
        if (this.hold && args[0].includes('/data/')) await this.hold;
        return super.put(...args);
      }
    }
    const store = new HeldStore();
    const src = source(q.url, { visibilityTimeoutSeconds: 2 });
    const db = new Database({ store, plugins: [new QueueConsumerPlugin({ source: src })] });
    await db.connect();
    const notes = (await db.createResource({ name: 'notes', attributes: { text: 'string' } })).resource;
    let release!: () => void;
    store.hold = new Promise<void>((r) => (release = r));
    await send(q.url, [{ id: 's1', body: { resource: 'notes', action: 'insert', data: { id: 's1', text: 'slow' } } }]);
    await until(() => src.describe().inFlight === 1, 10_000, 'in flight');
    await new Promise((r) => setTimeout(r, 5_000)); // 2.5 visibility timeouts
    expect(sqs.sent(q.name)[0]!.receiveCount).toBe(1);
    expect(sqs.depth(q.name)).toEqual({ visible: 0, inFlight: 1 });
    release();
    await until(() => notes.exists('s1'), 10_000, 'the note');
    await until(() => sqs.messages(q.name).length === 0, 10_000, 'the message deleted');
    expect(sqs.sent(q.name)[0]!.receiveCount).toBe(1);
    await db.close();
  }, 30_000);

  it('a FIFO queue: a group waits while one of its messages is in flight; poison goes to the FIFO dead-letter queue', async () => {
    const name = `f${++queueNumber}.fifo`;
    const url = sqs.queueUrl(name);
    sqs.queueUrl(`f${queueNumber}-dead.fifo`);
    // Writes that take a random 0–20 ms: applied in parallel, the updates would finish in any order.
    class JitterStore extends MemoryStore {
      override async put(...args: Parameters<MemoryStore['put']>) {
        await new Promise((r) => setTimeout(r, Math.random() * 20));
        return super.put(...args);
      }
    }
    const db = new Database({
      store: new JitterStore(),
      plugins: [new QueueConsumerPlugin({ source: source(url, { prefetch: 20 }) })],
    });
    await db.connect();
    const items = (await db.createResource({ name: 'items', attributes: { n: 'number' } })).resource;
    await items.insert({ id: 'x', n: -1 });
    // Ten updates of one document in one group, received together: applied in order, so the last one wins.
    const out = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: Array.from({ length: 10 }, (_, i) => ({
          Id: String(i),
          MessageBody: JSON.stringify({ resource: 'items', action: 'update', id: 'x', data: { n: i } }),
          MessageGroupId: 'x',
          MessageDeduplicationId: `u${i}`,
        })),
      }),
    );
    expect(out.Failed ?? []).toEqual([]);
    await client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'poison',
        MessageGroupId: 'p',
        MessageDeduplicationId: 'p',
      }),
    );
    await until(
      () => sqs.messages(name).length === 0,
      30_000,
      'the queue empty',
      () => sqs.depth(name),
    );
    expect((await items.get('x')).n).toBe(9);
    const dead = sqs.messages(`f${queueNumber}-dead.fifo`);
    expect(dead.map((d) => [d.body, d.groupId, attribute(d, 'x-s3db-error-code')])).toEqual([
      ['poison', 'p', 'VALIDATION'],
    ]);
    await db.close();
  }, 30_000);

  it('a consumer started while the endpoint is down consumes once it is back, and /metrics counts its messages', async () => {
    const q = queues();
    await sqs.halt();
    const src = source(q.url);
    const db = new Database({ store: new MemoryStore(), plugins: [new QueueConsumerPlugin({ source: src })] });
    try {
      await db.connect(); // does not wait for the endpoint
      const notes = (await db.createResource({ name: 'notes', attributes: { text: 'string' } })).resource;
      await until(() => src.describe().receiveErrors !== 0, 10_000, 'a failed receive');
      expect(src.describe()).toMatchObject({ connected: false });
      expect(String(src.describe().lastError)).not.toBe('undefined');
      await sqs.restart();
      await send(q.url, [{ id: 'n1', body: { resource: 'notes', action: 'insert', data: { id: 'n1', text: 'hi' } } }]);
      await until(() => notes.exists('n1'), 30_000, 'the note');
      expect(src.describe()).toMatchObject({ connected: true });
      // A 503 outage: receives fail, then resume.
      sqs.down(true);
      const errors = Number(src.describe().receiveErrors);
      await until(() => Number(src.describe().receiveErrors) > errors, 10_000, 'a 503');
      sqs.down(false);
      await send(q.url, [{ id: 'n2', body: { resource: 'notes', action: 'insert', data: { id: 'n2', text: 'yo' } } }]);
      await until(() => notes.exists('n2'), 30_000, 'the second note');
      expect(prometheusText(db)).toMatch(/s3db_queue_messages_total\{outcome="applied"\} 2/);
    } finally {
      sqs.down(false);
      await sqs.restart().catch(() => undefined);
      await db.close();
    }
  }, 60_000);

  it('the server flags --plugins=queue --queue-url=sqs://…?insecure=true consume from that endpoint', async () => {
    const q = queues();
    const poison = `${q.name}-poison`;
    sqs.queueUrl(poison);
    const port = new URL(sqs.endpoint).port;
    const loaded = loadConfig(
      [
        '--plugins=queue',
        `--queue-url=sqs://test:test@127.0.0.1:${port}/000000000000/${q.name}?insecure=true`,
        `--queue-dead-letter=${poison}`,
      ],
      {},
    );
    const db = new Database({
      store: new MemoryStore(),
      plugins: buildPlugins((loaded as { config: Parameters<typeof buildPlugins>[0] }).config),
    });
    await db.connect();
    try {
      const notes = (await db.createResource({ name: 'notes', attributes: { text: 'string' } })).resource;
      await send(q.url, [
        { id: 'c1', body: { resource: 'notes', action: 'insert', data: { id: 'c1', text: 'from flags' } } },
        { id: 'c2', body: 'poison' },
      ]);
      await until(() => notes.exists('c1'), 30_000, 'the note');
      await until(() => sqs.messages(poison).length === 1, 30_000, 'the poison message');
      expect(sqs.messages(`${q.name}-dead`)).toEqual([]);
    } finally {
      await db.close();
    }
  }, 60_000);
});
