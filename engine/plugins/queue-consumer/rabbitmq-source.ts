// RabbitMQ as a queue source (amqplib): a durable queue consumed with a prefetch window on a confirm channel,
// a durable dead-letter queue that gets poison messages with their error in headers (published and confirmed
// before the original is acknowledged), and a reconnect with backoff when the broker goes away.
import { createHash } from 'node:crypto';
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { DeadLetterReason, QueueDelivery, QueueSource } from './source.js';

export interface RabbitMqSourceOptions {
  /** amqp://user:pass@host:5672/vhost */
  url: string;
  queue: string;
  /** Default `<queue>.dead`. */
  deadLetterQueue?: string;
  /** Unacknowledged deliveries at once (default 20). */
  prefetch?: number;
  /** Reconnect delays grow from this (ms, default 200) to `maxReconnectDelayMs` (default 5000). */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** How long stop() waits for deliveries in progress before closing (ms, default 10000). */
  stopGraceMs?: number;
}

export class RabbitMqSource implements QueueSource {
  readonly kind = 'rabbitmq';
  private readonly options: Required<RabbitMqSourceOptions>;
  private connection: ChannelModel | undefined;
  private channel: ConfirmChannel | undefined;
  private consumerTag: string | undefined;
  private onDelivery: ((d: QueueDelivery) => Promise<void>) | undefined;
  private stopping = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly attempts = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private stats = { connects: 0, reconnects: 0, lastError: undefined as string | undefined };

  constructor(options: RabbitMqSourceOptions) {
    this.options = {
      deadLetterQueue: `${options.queue}.dead`,
      prefetch: 20,
      reconnectDelayMs: 200,
      maxReconnectDelayMs: 5_000,
      stopGraceMs: 10_000,
      ...options,
    };
  }

  /** Connects and consumes; a broker that is not there yet is retried in the background (see describe()). */
  async start(onDelivery: (d: QueueDelivery) => Promise<void>): Promise<void> {
    this.onDelivery = onDelivery;
    this.stopping = false;
    try {
      await this.connect();
    } catch (e) {
      this.stats.lastError = e instanceof Error ? e.message : String(e);
      this.reconnect(0);
    }
  }

  private async connect(): Promise<void> {
    const { url, queue, deadLetterQueue, prefetch } = this.options;
    // Loaded on first use: engine users without RabbitMQ never load the client.
    const { default: amqp } = await import('amqplib');
    const connection = await amqp.connect(url);
    connection.on('error', (e: Error) => (this.stats.lastError = e.message));
    connection.on('close', () => this.lost(connection));
    const channel = await connection.createConfirmChannel();
    channel.on('error', (e: Error) => (this.stats.lastError = e.message));
    await channel.assertQueue(queue, { durable: true });
    await channel.assertQueue(deadLetterQueue, { durable: true });
    await channel.prefetch(prefetch);
    this.connection = connection;
    this.channel = channel;
    this.stats.connects++;
    const { consumerTag } = await channel.consume(queue, (msg) => {
      if (!msg) return;
      const work = this.deliver(channel, msg).catch((e: unknown) => {
        this.stats.lastError = e instanceof Error ? e.message : String(e);
      });
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    });
    this.consumerTag = consumerTag;
  }

  /** The connection closed: unless stopping, reconnect with growing delays until it works. */
  private lost(connection: ChannelModel): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.channel = undefined;
    if (!this.stopping) this.reconnect(0);
  }

  /** Tries to connect again after a delay growing with `attempt` (with jitter), until it works or stop(). */
  private reconnect(attempt: number): void {
    const delay = Math.min(this.options.maxReconnectDelayMs, this.options.reconnectDelayMs * 2 ** attempt);
    this.reconnectTimer = setTimeout(
      () => {
        if (this.stopping) return;
        this.connect().then(
          () => this.stats.reconnects++,
          (e: unknown) => {
            this.stats.lastError = e instanceof Error ? e.message : String(e);
            this.reconnect(attempt + 1);
          },
        );
      },
      delay * (0.5 + Math.random() / 2),
    );
  }

  private async deliver(channel: ConfirmChannel, msg: ConsumeMessage): Promise<void> {
    const id =
      typeof msg.properties.messageId === 'string' && msg.properties.messageId !== ''
        ? msg.properties.messageId
        : createHash('sha256').update(msg.content).digest('hex');
    const attempt = (this.attempts.get(id) ?? 0) + 1;
    this.attempts.set(id, attempt);
    const settled = () => this.attempts.delete(id);
    const delivery: QueueDelivery = {
      id,
      body: msg.content,
      attempt,
      ack: async () => {
        settled();
        channel.ack(msg);
      },
      retry: async (delayMs) => {
        await new Promise((r) => setTimeout(r, delayMs));
        channel.nack(msg, false, true);
      },
      deadLetter: async (reason: DeadLetterReason) => {
        channel.sendToQueue(this.options.deadLetterQueue, msg.content, {
          persistent: true,
          messageId: id,
          contentType: msg.properties.contentType,
          headers: { ...msg.properties.headers, 'x-s3db-error-code': reason.code, 'x-s3db-error': reason.message },
        });
        await channel.waitForConfirms();
        settled();
        channel.ack(msg);
      },
    };
    await this.onDelivery?.(delivery);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const { channel, connection, consumerTag } = this;
    this.channel = undefined;
    this.connection = undefined;
    try {
      if (channel && consumerTag) await channel.cancel(consumerTag);
    } catch {
      // the channel is already gone: nothing more will be delivered
    }
    // Deliveries in progress finish (and are acknowledged); what is still open after the grace period goes back
    // to the queue when the connection closes.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((r) => (timer = setTimeout(r, this.options.stopGraceMs))),
    ]);
    clearTimeout(timer);
    await connection?.close().catch(() => undefined);
  }

  describe(): Record<string, unknown> {
    return {
      kind: this.kind,
      queue: this.options.queue,
      deadLetterQueue: this.options.deadLetterQueue,
      prefetch: this.options.prefetch,
      connected: this.channel !== undefined,
      inFlight: this.inFlight.size,
      ...this.stats,
    };
  }
}
