// The one place a queue URL becomes a source: amqp(s):// is RabbitMQ (the queue named apart), sqs:// is SQS in the
// same form as the replicator's SQS target (sqs://[KEY:SECRET@]HOST/ACCOUNT/QUEUE[?region=…&insecure=true]).
import { ConfigError } from '../../errors.js';
import { parseSqsUrl, redactUrl } from '../replicator/targets/index.js';
import { RabbitMqSource } from './rabbitmq-source.js';
import type { QueueSource } from './source.js';
import { SqsSource } from './sqs-source.js';

export interface QueueSourceOptions {
  /** RabbitMQ: the queue to consume (SQS names it in the URL). */
  queue?: string;
  /** The dead-letter queue's name (default `<queue>.dead` on RabbitMQ, `<queue>-dead` on SQS, same account). */
  deadLetterQueue?: string;
  prefetch?: number;
}

/** A source for a queue URL; throws a ConfigError naming what is wrong (nothing connects yet). */
export function createQueueSource(url: string, options: QueueSourceOptions = {}): QueueSource {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  const { queue, deadLetterQueue, prefetch } = options;
  switch (scheme) {
    case 'amqp':
    case 'amqps':
      if (queue === undefined) {
        throw new ConfigError('A RabbitMQ queue consumer needs the queue name', { hint: 'Set --queue-name=NAME.' });
      }
      return new RabbitMqSource({
        url,
        queue,
        ...(deadLetterQueue === undefined ? {} : { deadLetterQueue }),
        ...(prefetch === undefined ? {} : { prefetch }),
      });
    case 'sqs': {
      if (queue !== undefined) {
        throw new ConfigError('An SQS queue is named in its URL, not apart', {
          hint: 'Use --queue-url=sqs://HOST/ACCOUNT/QUEUE without --queue-name.',
        });
      }
      const { queueUrl, region, endpoint, credentials } = parseSqsUrl(url);
      return new SqsSource({
        queueUrl,
        ...(deadLetterQueue === undefined
          ? {}
          : { deadLetterQueueUrl: `${queueUrl.slice(0, queueUrl.lastIndexOf('/'))}/${deadLetterQueue}` }),
        ...(region === undefined ? {} : { region }),
        ...(endpoint === undefined ? {} : { endpoint }),
        ...(credentials === undefined ? {} : { credentials }),
        ...(prefetch === undefined ? {} : { prefetch }),
      });
    }
    default:
      throw new ConfigError(`"${redactUrl(url)}" is not a queue URL`, {
        hint: 'Use amqp://user:pass@host:5672/vhost (RabbitMQ) or sqs://HOST/ACCOUNT/QUEUE (SQS).',
      });
  }
}
