// A queue consumer in its own OS process (test/engine/queue-consumer*.test.ts): a Database on the file store in
// S3DB_QUEUE_STORE consuming until SIGTERM (graceful) or SIGKILL — RabbitMQ S3DB_QUEUE_URL / S3DB_QUEUE_NAME, or
// the SQS queue S3DB_QUEUE_SQS_URL on the endpoint S3DB_QUEUE_SQS_ENDPOINT (visibility timeout 2 s, so messages of
// a killed consumer come back quickly).
import { Database, FileStore, QueueConsumerPlugin, RabbitMqSource, SqsSource } from '../../engine/index.js';

const store = new FileStore(process.env.S3DB_QUEUE_STORE ?? '');
const sqsUrl = process.env.S3DB_QUEUE_SQS_URL;
const source = sqsUrl
  ? new SqsSource({
      queueUrl: sqsUrl,
      endpoint: process.env.S3DB_QUEUE_SQS_ENDPOINT ?? '',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      prefetch: 50,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 2,
      reconnectDelayMs: 100,
      maxReconnectDelayMs: 1_000,
    })
  : new RabbitMqSource({
      url: process.env.S3DB_QUEUE_URL ?? '',
      queue: process.env.S3DB_QUEUE_NAME ?? '',
      prefetch: 50,
      reconnectDelayMs: 100,
      maxReconnectDelayMs: 1_000,
    });
// A loaded test machine can make a write fail transiently many times; none of these messages is poison.
const consumer = new QueueConsumerPlugin({ source, maxAttempts: 50 });
const db = new Database({ store, plugins: [consumer] });
await db.connect();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void db.close().then(() => process.exit(0));
});
