// QueueConsumerPlugin on a real RabbitMQ: every message applied exactly once in effect (also across a consumer
// killed with SIGKILL mid-batch and a broker restart), poison messages in the dead-letter queue with their error.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, FileStore, MemoryStore, QueueConsumerPlugin, RabbitMqSource } from '../../engine/index.js';
import { idForMessage } from '../../engine/internal.js';
import { prometheusText } from '../../server/index.js';
import { startQueueConsumerProcess } from '../support/queue-consumer-process.js';
import { startBroker, type TestBroker } from '../support/rabbitmq.js';
import { until } from '../support/until.js';

let broker: TestBroker;
let queueNumber = 0;

beforeAll(async () => {
  broker = await startBroker();
}, 120_000);
afterAll(async () => broker?.stop(), 60_000);

/** Publishes messages (persistent, confirmed) to a durable queue. */
async function publish(queue: string, messages: { id: string; body: unknown }[]): Promise<void> {
  const connection = await amqp.connect(broker.url);
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true });
  for (const m of messages) {
    const content = Buffer.from(typeof m.body === 'string' ? m.body : JSON.stringify(m.body));
    channel.sendToQueue(queue, content, { persistent: true, messageId: m.id, contentType: 'application/json' });
  }
  await channel.waitForConfirms();
  await connection.close();
}

/** Every message left in a queue (consumed and acknowledged). */
async function drain(queue: string): Promise<{ body: string; headers: Record<string, unknown> }[]> {
  const connection = await amqp.connect(broker.url);
  const channel = await connection.createChannel();
  await channel.assertQueue(queue, { durable: true });
  const out = [];
  for (let msg = await channel.get(queue); msg; msg = await channel.get(queue)) {
    out.push({ body: msg.content.toString(), headers: (msg.properties.headers ?? {}) as Record<string, unknown> });
    channel.ack(msg);
  }
  await connection.close();
  return out;
}

/** Checks once a second: some checks count a 10,000-document resource. */
const eachSecond = (check: () => Promise<boolean>, ms: number, what: string, state?: () => Promise<unknown>) =>
  until(check, ms, what, state, 1_000);

describe('queue consumer on RabbitMQ', () => {
  it('applies each action, dead-letters poison messages with their error, and never blocks the rest', async () => {
    const queue = `q${++queueNumber}`;
    const consumer = new QueueConsumerPlugin({ source: new RabbitMqSource({ url: broker.url, queue, prefetch: 5 }) });
    const db = new Database({ store: new MemoryStore(), plugins: [consumer] });
    await db.connect();
    const orders = (
      await db.createResource({ name: 'orders', attributes: { total: 'number', status: 'string|optional' } })
    ).resource;
    await db.createResource({ name: 'plg_secret', createdBy: 'SomePlugin', attributes: { x: 'string' } });
    await publish(queue, [
      { id: 'm1', body: { resource: 'orders', action: 'insert', data: { id: 'o1', total: 10 } } },
      { id: 'm2', body: { resource: 'orders', action: 'insert', data: { total: 20 } } },
      { id: 'm2', body: { resource: 'orders', action: 'insert', data: { total: 20 } } }, // redelivered copy
      { id: 'm3', body: { resource: 'orders', action: 'update', id: 'o1', data: { status: 'paid' } } },
      { id: 'm4', body: { resource: 'orders', action: 'upsert', id: 'o3', data: { total: 30 } } },
      { id: 'm5', body: { resource: 'orders', action: 'insert', data: { id: 'gone', total: 1 } } },
      { id: 'p1', body: 'not json' },
      { id: 'p2', body: { resource: 'orders', action: 'explode', data: {} } },
      { id: 'p3', body: { resource: 'orders', action: 'update', data: { total: 1 } } },
      { id: 'p4', body: { resource: 'nope', action: 'insert', data: {} } },
      { id: 'p5', body: { resource: 'plg_secret', action: 'insert', data: { x: 'forged' } } },
      { id: 'p6', body: { resource: 'orders', action: 'insert', data: { total: 'ten' } } },
      { id: 'p7', body: { resource: 'orders', action: 'update', id: 'missing', data: { total: 1 } } },
      { id: 'm6', body: { resource: 'orders', action: 'delete', id: 'gone' } },
      { id: 'm6', body: { resource: 'orders', action: 'delete', id: 'gone' } }, // redelivered copy
    ]);
    // Two copies of one message running at once may both find work to do (two deletes of one document): the effect
    // is the same; what counts is applied + duplicates. The update of a missing document is retried, then dead.
    await eachSecond(
      async () => {
        const stats = consumer.stats();
        return stats.deadLettered === 7 && stats.applied! + stats.duplicates! === 8;
      },
      60_000,
      'every message settled',
      async () => consumer.stats(),
    );
    expect((await orders.get('o1')).status).toBe('paid');
    expect((await orders.get(idForMessage('m2'))).total).toBe(20);
    expect((await orders.get('o3')).total).toBe(30);
    expect(await orders.exists('gone')).toBe(false);
    expect((await orders.count()).count).toBe(3);
    const dead = await drain(`${queue}.dead`);
    const codeOf = (body: string) => dead.find((d) => d.body === body)?.headers['x-s3db-error-code'];
    const errorOf = (body: string) => String(dead.find((d) => d.body === body)?.headers['x-s3db-error']);
    expect(dead.map((d) => d.headers['x-s3db-error-code']).sort()).toEqual([
      'NOT_FOUND',
      'VALIDATION',
      'VALIDATION',
      'VALIDATION',
      'VALIDATION',
      'VALIDATION',
      'VALIDATION',
    ]);
    expect(codeOf('not json')).toBe('VALIDATION');
    expect(errorOf('not json')).toMatch(/not JSON/);
    expect(errorOf(JSON.stringify({ resource: 'orders', action: 'update', data: { total: 1 } }))).toMatch(
      /id is required for update/,
    );
    expect(errorOf(JSON.stringify({ resource: 'plg_secret', action: 'insert', data: { x: 'forged' } }))).toMatch(
      /may not write resource "plg_secret"/,
    );
    expect(codeOf(JSON.stringify({ resource: 'orders', action: 'update', id: 'missing', data: { total: 1 } }))).toBe(
      'NOT_FOUND',
    );
    expect((await db.getStats()).plugins.find((p) => p.name === 'QueueConsumerPlugin')?.details).toMatchObject({
      stats: { deadLettered: 7 },
    });
    await db.close();
  }, 60_000);

  it('10,000 messages, a consumer killed with SIGKILL mid-batch and a broker restart: each applied exactly once', async () => {
    const queue = `q${++queueNumber}`;
    const root = mkdtempSync(path.join(os.tmpdir(), 's3db-queue-'));
    const store = new FileStore(root);
    const db = new Database({ store });
    await db.connect();
    const items = (await db.createResource({ name: 'items', attributes: { n: 'number' } })).resource;
    const N = Number(process.env.S3DB_QUEUE_TEST_N ?? 10_000);
    await publish(
      queue,
      Array.from({ length: N }, (_, i) => ({
        id: `m${i}`,
        body: { resource: 'items', action: 'insert', data: { n: i } },
      })),
    );
    const startConsumer = (): Promise<ChildProcess> =>
      startQueueConsumerProcess({ S3DB_QUEUE_STORE: root, S3DB_QUEUE_URL: broker.url, S3DB_QUEUE_NAME: queue });
    const count = async () => (await items.count()).count;
    let consumer: ChildProcess | undefined;
    try {
      consumer = await startConsumer();
      await eachSecond(async () => (await count()) >= N / 5, 120_000, 'a fifth applied', count);
      consumer.kill('SIGKILL');
      await new Promise((r) => consumer!.once('exit', r));
      const afterKill = await count();
      consumer = await startConsumer();
      await eachSecond(
        async () => (await count()) >= Math.max(N / 2, afterKill + N / 20),
        120_000,
        'half applied',
        count,
      );
      await broker.halt();
      await broker.restart();
      await eachSecond(
        async () => (await count()) === N,
        300_000,
        `${N} applied`,
        async () => ({
          count: await count(),
          dead: (await drain(`${queue}.dead`)).map((d) => d.headers),
        }),
      );
      consumer.kill('SIGTERM');
      await new Promise((r) => consumer!.once('exit', r));
      // Exactly once in effect: N documents, each the one its message describes, and nothing dead-lettered.
      const { ids } = await items.listIds({ limit: N + 10 });
      expect(ids.length).toBe(N);
      const expected = new Set(Array.from({ length: N }, (_, i) => idForMessage(`m${i}`)));
      expect(ids.filter((id) => !expected.has(id))).toEqual([]);
      const picks = [0, Math.floor(N / 3), Math.floor(N / 2), N - 1];
      const sample = await items.getMany(picks.map((i) => idForMessage(`m${i}`)));
      expect(sample.records.map((r) => r.n)).toEqual(picks);
      expect(await drain(`${queue}.dead`)).toEqual([]);
      expect(await drain(queue)).toEqual([]);
    } finally {
      if (consumer && consumer.exitCode === null) consumer.kill('SIGKILL');
      await db.close();
      rmSync(root, { recursive: true, force: true });
    }
  }, 420_000);

  it('a consumer started while the broker is down connects when it is back, and /metrics counts its messages', async () => {
    const queue = `q${++queueNumber}`;
    await broker.halt();
    const source = new RabbitMqSource({ url: broker.url, queue, reconnectDelayMs: 100, maxReconnectDelayMs: 500 });
    const consumer = new QueueConsumerPlugin({ source });
    const db = new Database({ store: new MemoryStore(), plugins: [consumer] });
    try {
      await db.connect(); // does not wait for the broker
      expect(source.describe()).toMatchObject({ connected: false });
      expect(String(source.describe().lastError)).not.toBe('undefined');
      const notes = (await db.createResource({ name: 'notes', attributes: { text: 'string' } })).resource;
      await broker.restart();
      await publish(queue, [
        { id: 'n1', body: { resource: 'notes', action: 'insert', data: { id: 'n1', text: 'hi' } } },
      ]);
      await eachSecond(async () => await notes.exists('n1'), 60_000, 'the note');
      expect(source.describe()).toMatchObject({ connected: true });
      expect(prometheusText(db)).toMatch(/s3db_queue_messages_total\{outcome="applied"\} 1/);
    } finally {
      await db.close();
    }
  }, 120_000);
});
