// The queue consumer: documents arrive as messages (RabbitMQ, SQS) and are written through the engine, each
// acknowledged only after its write succeeded. Delivery is at-least-once; applying is idempotent (message.ts),
// so a redelivery after a crash or a broker restart changes nothing more. A message that is not valid, names a
// resource the consumer may not write, or keeps failing goes to the dead-letter queue with its error and never
// blocks the rest. docs/queues.md.
import { isS3dbError, NotFoundError, ValidationError } from '../../errors.js';
import type { Plugin, PluginHost } from '../../pipeline/index.js';
import { applyMessage, parseMessage } from './message.js';
import type { QueueDelivery, QueueSource } from './source.js';

export const QUEUE_CONSUMER_PLUGIN = 'QueueConsumerPlugin';

export interface QueueConsumerOptions {
  source: QueueSource;
  /** Resources messages may write; default: every user resource (plugin-owned ones never, unless listed). */
  resources?: string[];
  /** Deliveries of one message before a retryable failure sends it to the dead-letter queue (default 5). */
  maxAttempts?: number;
  /** Delay before a retried message is returned to the queue, doubled per attempt (ms, default 100). */
  retryDelayMs?: number;
}

export class QueueConsumerPlugin implements Plugin {
  readonly name = QUEUE_CONSUMER_PLUGIN;
  readonly source: QueueSource;
  private readonly allowed: Set<string> | undefined;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private db: PluginHost | undefined;
  private counters = { consumed: 0, applied: 0, duplicates: 0, retried: 0, failed: 0, deadLettered: 0 };

  constructor(options: QueueConsumerOptions) {
    if (!options?.source) {
      throw new ValidationError('QueueConsumerPlugin needs a source', {
        hint: "Use e.g. new QueueConsumerPlugin({ source: new RabbitMqSource({ url, queue: 'orders' }) }).",
      });
    }
    this.source = options.source;
    this.allowed = options.resources ? new Set(options.resources) : undefined;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 100;
  }

  async setup(db: PluginHost): Promise<void> {
    this.db = db;
    await this.source.start((delivery) => this.handle(delivery));
  }

  /** Stops receiving; deliveries in progress finish first (graceful), the rest return to the queue. */
  async teardown(): Promise<void> {
    await this.source.stop();
  }

  /** The consumer sees no operation: it is a writer, not a stage. */
  appliesTo(): boolean {
    return false;
  }

  stats(): Record<string, number> {
    return { ...this.counters };
  }

  describe(): Record<string, unknown> {
    return {
      source: this.source.describe(),
      ...(this.allowed ? { resources: [...this.allowed] } : {}),
      maxAttempts: this.maxAttempts,
      stats: this.stats(),
    };
  }

  private writable(name: string): void {
    const db = this.db!;
    const permitted = this.allowed
      ? this.allowed.has(name)
      : db.hasResource(name) && db.resource(name).createdBy === 'user';
    if (!permitted) {
      throw new ValidationError(`Messages may not write resource "${name}"`, {
        details: { resource: name },
        hint: this.allowed
          ? `This consumer writes only: ${[...this.allowed].join(', ')}.`
          : 'Create the resource first; plugin-owned resources are never written from a queue unless listed.',
      });
    }
  }

  private async handle(delivery: QueueDelivery): Promise<void> {
    this.counters.consumed++;
    try {
      const message = parseMessage(delivery.body);
      this.writable(message.resource);
      const outcome = await applyMessage(this.db!.resource(message.resource), message, delivery.id);
      this.counters[outcome === 'applied' ? 'applied' : 'duplicates']++;
      await delivery.ack();
    } catch (e) {
      this.counters.failed++;
      // An update may overtake the insert of its document when both are in flight: a missing document is worth
      // a few more tries before it is dead-lettered.
      const retryable = e instanceof NotFoundError || (isS3dbError(e) ? e.retryable : !(e instanceof ValidationError));
      if (retryable && delivery.attempt < this.maxAttempts) {
        this.counters.retried++;
        await delivery.retry(this.retryDelayMs * 2 ** (delivery.attempt - 1));
        return;
      }
      this.counters.deadLettered++;
      await delivery.deadLetter({
        code: isS3dbError(e) ? e.code : 'INTERNAL',
        message: e instanceof Error ? e.message : String(e),
      });
    }
  }
}
