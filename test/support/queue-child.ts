// A queue consumer in its own OS process (test/engine/queue-consumer.test.ts): a Database on the file store in
// S3DB_QUEUE_STORE consuming S3DB_QUEUE_URL / S3DB_QUEUE_NAME until SIGTERM (graceful) or SIGKILL.
import { Database, FileStore, QueueConsumerPlugin, RabbitMqSource } from '../../engine/index.js';

const store = new FileStore(process.env.S3DB_QUEUE_STORE ?? '');
const consumer = new QueueConsumerPlugin({
  source: new RabbitMqSource({
    url: process.env.S3DB_QUEUE_URL ?? '',
    queue: process.env.S3DB_QUEUE_NAME ?? '',
    prefetch: 50,
    reconnectDelayMs: 100,
    maxReconnectDelayMs: 1_000,
  }),
  // A loaded test machine can make a write fail transiently many times; none of these messages is poison.
  maxAttempts: 50,
});
const db = new Database({ store, plugins: [consumer] });
await db.connect();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void db.close().then(() => process.exit(0));
});
