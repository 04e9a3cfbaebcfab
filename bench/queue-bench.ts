// Benchmark of the queue consumer: N insert messages waiting in a queue, then a consumer (prefetch 50) started —
// messages/s from the start until every document is written, the bucket requests per message and, on SQS, the
// queue requests per message. Sources: a private RabbitMQ (test/support/rabbitmq.ts; skipped with a note when it
// cannot start) and the minimal SQS endpoint of test/support (not AWS SQS: its latency is loopback, not AWS's).
// Run alone with `npx tsx bench/queue-bench.ts` (memory store), or from `npm run bench`.
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import amqp from 'amqplib';
import {
  Database,
  MemoryStore,
  QueueConsumerPlugin,
  RabbitMqSource,
  SqsSource,
  type ObjectStore,
  type QueueSource,
} from '../engine/index.js';
import { startBroker, type TestBroker } from '../test/support/rabbitmq.js';
import { startSqsServer, type SqsTestServer } from '../test/support/sqs-server.js';
import { printTable, type Row } from './stats.js';

const PREFETCH = 50;
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };

interface BenchQueue {
  name: string;
  /** Puts the message bodies in a fresh queue and returns the source that consumes it. */
  fill(bodies: string[]): Promise<QueueSource>;
  /** Queue requests so far (SQS only). */
  requests?(): number;
}

/** The queue services the bench uses; `close()` stops what it started. */
export interface BenchQueues {
  queues: BenchQueue[];
  notes: string[];
  close(): Promise<void>;
}

let queueNumber = 0;

export async function openBenchQueues(options: { rabbitmq?: boolean } = {}): Promise<BenchQueues> {
  const queues: BenchQueue[] = [];
  const notes: string[] = [];
  let broker: TestBroker | undefined;
  if (options.rabbitmq !== false) {
    try {
      broker = await startBroker();
      const url = broker.url;
      queues.push({
        name: 'rabbitmq',
        fill: async (bodies) => {
          const queue = `bench${++queueNumber}-${Date.now()}`;
          const connection = await amqp.connect(url);
          const channel = await connection.createConfirmChannel();
          await channel.assertQueue(queue, { durable: true });
          bodies.forEach((b, i) =>
            channel.sendToQueue(queue, Buffer.from(b), { persistent: true, messageId: `m${i}` }),
          );
          await channel.waitForConfirms();
          await connection.close();
          return new RabbitMqSource({ url, queue, prefetch: PREFETCH });
        },
      });
    } catch (e) {
      notes.push(`RabbitMQ skipped: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const sqs: SqsTestServer = await startSqsServer();
  const client = new SQSClient({ region: 'us-east-1', endpoint: sqs.endpoint, credentials });
  queues.push({
    name: 'sqs (test endpoint)',
    fill: async (bodies) => {
      const name = `bench${++queueNumber}`;
      const queueUrl = sqs.queueUrl(name);
      sqs.queueUrl(`${name}-dead`);
      for (let i = 0; i < bodies.length; i += 10) {
        await client.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: bodies.slice(i, i + 10).map((b, j) => ({
              Id: String(j),
              MessageBody: b,
              MessageAttributes: { messageId: { DataType: 'String', StringValue: `m${i + j}` } },
            })),
          }),
        );
      }
      return new SqsSource({ queueUrl, endpoint: sqs.endpoint, credentials, prefetch: PREFETCH, waitTimeSeconds: 1 });
    },
    requests: () => sqs.requests,
  });
  return {
    queues,
    notes,
    close: async () => {
      client.destroy();
      await sqs.close();
      await broker?.stop();
    },
  };
}

export async function runQueueBench(
  label: string,
  createStore: () => Promise<ObjectStore>,
  queues: BenchQueues,
  options: { messages?: number } = {},
): Promise<Row[]> {
  const n = options.messages ?? 500;
  const rows: Row[] = [];
  for (const q of queues.queues) {
    const bodies = Array.from({ length: n }, (_, i) =>
      JSON.stringify({ resource: 'events', action: 'insert', data: { kind: i % 2 ? 'click' : 'view', n: i } }),
    );
    const source = await q.fill(bodies);
    const consumer = new QueueConsumerPlugin({ source });
    // The resource exists before the consumer starts, so the timing is consumption alone.
    const setup = new Database({ store: await createStore() });
    await setup.connect();
    await setup.createResource({ name: 'events', attributes: { kind: 'string', n: 'number' } });
    await setup.close();
    const db = new Database({ store: setup.store, plugins: [consumer] });
    setup.store.resetRequestCounts();
    const queueRequests0 = q.requests?.() ?? 0;
    const start = performance.now();
    await db.connect();
    const deadline = Date.now() + 300_000;
    while (consumer.stats().applied! + consumer.stats().duplicates! < n) {
      if (Date.now() > deadline) throw new Error(`queue bench: only ${JSON.stringify(consumer.stats())} of ${n}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const seconds = (performance.now() - start) / 1000;
    const requests = db.store.requestCounts().total;
    const queueRequests = (q.requests?.() ?? queueRequests0) - queueRequests0;
    await db.close();
    const round = (x: number) => Math.round(x * 100) / 100;
    rows.push({
      store: label,
      queue: q.name,
      messages: n,
      prefetch: PREFETCH,
      'messages/s': Math.round(n / seconds),
      'bucket requests/message': round(requests / n),
      'queue requests/message': q.requests ? round(queueRequests / n) : '',
      'dead-lettered': consumer.stats().deadLettered!,
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const queues = await openBenchQueues();
  try {
    printTable(
      'Queue consumer: messages/s (memory store)',
      await runQueueBench('memory', async () => new MemoryStore(), queues, { messages: 2000 }),
    );
    for (const note of queues.notes) process.stdout.write(`${note}\n`);
  } finally {
    await queues.close();
  }
}
