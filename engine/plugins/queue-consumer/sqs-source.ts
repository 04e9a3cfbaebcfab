// Amazon SQS as a queue source (@aws-sdk/client-sqs, loaded on first use): long polling with at most `prefetch`
// messages in flight, a message deleted only after its write succeeded (DeleteMessageBatch, up to 10 a request),
// a failed one made visible again after the retry delay, a poison one sent to the dead-letter queue with its
// error (as message attributes) before it is deleted, in-flight messages kept invisible while their write runs
// and returned (visibility 0) on stop, and receives retried with backoff while the endpoint is unreachable.
// Tested against the minimal SQS-protocol endpoint in test/support/, never against AWS SQS itself.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type * as SqsSdk from '@aws-sdk/client-sqs';
import type { Message, MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterReason, QueueDelivery, QueueSource } from './source.js';

export interface SqsSourceOptions {
  /** The queue URL, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/orders. */
  queueUrl: string;
  /** Default: the same account's `<queue>-dead` (`<queue>-dead.fifo` for a FIFO queue). It must exist. */
  deadLetterQueueUrl?: string;
  region?: string;
  /** An endpoint other than AWS's (default: the SDK's for the region). */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Messages in flight at once (default 20). */
  prefetch?: number;
  /** Long polling: how long a receive waits for messages (s, 0–20, default 20). */
  waitTimeSeconds?: number;
  /** How long a received message stays invisible (s, default 30); extended while its write runs. */
  visibilityTimeoutSeconds?: number;
  /** Receive retry delays grow from this (ms, default 200) to `maxReconnectDelayMs` (default 5000). */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** How long stop() waits for deliveries in progress before returning them to the queue (ms, default 10000). */
  stopGraceMs?: number;
}

/** A queue URL's dead-letter queue by default: `<name>-dead` (SQS names allow no `.` except in `.fifo`). */
export function defaultDeadLetterUrl(queueUrl: string): string {
  return queueUrl.replace(/(\.fifo)?\/*$/, (_, fifo: string | undefined) => `-dead${fifo ?? ''}`);
}

interface InFlight {
  work: Promise<void>;
  /** Settled by the consumer (deleted, retried or dead-lettered): no more visibility changes from here. */
  done: boolean;
  heartbeat: NodeJS.Timeout;
}

type Sdk = typeof SqsSdk;

/**
 * A received message's attributes as they can be sent again: DataType and the value only (a response may carry
 * the list fields SQS reserves and does not accept).
 */
function kept(attributes: Record<string, MessageAttributeValue> | undefined): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, a] of Object.entries(attributes ?? {})) {
    out[name] = {
      DataType: a.DataType,
      ...(a.StringValue === undefined ? {} : { StringValue: a.StringValue }),
      ...(a.BinaryValue === undefined ? {} : { BinaryValue: a.BinaryValue }),
    };
  }
  return out;
}

/** SQS attribute values are at most 256 KiB in total with the body; an error message needs far less. */
const MAX_ERROR_CHARS = 1_000;
/** Deletes wait this long for others to share a DeleteMessageBatch (up to 10): ~1 request per 10 messages. */
const DELETE_BATCH_MS = 10;

export class SqsSource implements QueueSource {
  readonly kind = 'sqs';
  private readonly options: Required<Omit<SqsSourceOptions, 'region' | 'endpoint' | 'credentials'>> & SqsSourceOptions;
  private readonly fifo: boolean;
  private sdk: Promise<{ sdk: Sdk; client: SQSClient }> | undefined;
  private onDelivery: ((d: QueueDelivery) => Promise<void>) | undefined;
  private stopping = false;
  private abort = new AbortController();
  private pollers: Promise<void>[] = [];
  /** Receipt handle → delivery in progress. */
  private readonly inFlight = new Map<string, InFlight>();
  /** Slots taken by receives under way, so two pollers never exceed `prefetch` together. */
  private reserved = 0;
  private wake: (() => void)[] = [];
  private deletes: { receipt: string; done: () => void }[] = [];
  /** FIFO: the last delivery of each message group in flight, which the next one of the group waits for. */
  private readonly groups = new Map<string, Promise<void>>();
  private deleteTimer: NodeJS.Timeout | undefined;
  private stats = {
    connected: false,
    receives: 0,
    received: 0,
    deleteFailures: 0,
    returned: 0,
    receiveErrors: 0,
    lastError: undefined as string | undefined,
  };

  constructor(options: SqsSourceOptions) {
    this.options = {
      deadLetterQueueUrl: defaultDeadLetterUrl(options.queueUrl),
      prefetch: 20,
      waitTimeSeconds: 20,
      visibilityTimeoutSeconds: 30,
      reconnectDelayMs: 200,
      maxReconnectDelayMs: 5_000,
      stopGraceMs: 10_000,
      ...options,
    };
    this.fifo = options.queueUrl.endsWith('.fifo');
  }

  private connect() {
    // Loaded on first use: engine users without SQS never load the client.
    this.sdk ??= import('@aws-sdk/client-sqs').then((sdk) => ({
      sdk,
      client: new sdk.SQSClient({
        region: this.options.region ?? 'us-east-1',
        ...(this.options.endpoint === undefined ? {} : { endpoint: this.options.endpoint }),
        ...(this.options.credentials === undefined ? {} : { credentials: this.options.credentials }),
      }),
    }));
    return this.sdk;
  }

  /** Starts receiving in the background: an endpoint that is not reachable yet is retried (see describe()). */
  async start(onDelivery: (d: QueueDelivery) => Promise<void>): Promise<void> {
    this.onDelivery = onDelivery;
    this.stopping = false;
    this.abort = new AbortController();
    await this.connect();
    // One receive returns at most 10 messages: enough pollers to fill the prefetch window without waiting.
    const pollers = Math.min(4, Math.ceil(this.options.prefetch / 10));
    this.pollers = Array.from({ length: pollers }, () => this.poll());
  }

  private room(): number {
    return this.options.prefetch - this.inFlight.size - this.reserved;
  }

  private async poll(): Promise<void> {
    const { sdk, client } = await this.connect();
    let failures = 0;
    while (!this.stopping) {
      const n = Math.min(10, this.room());
      if (n <= 0) {
        await new Promise<void>((r) => this.wake.push(r));
        continue;
      }
      this.reserved += n;
      let messages: Message[];
      try {
        const out = await client.send(
          new sdk.ReceiveMessageCommand({
            QueueUrl: this.options.queueUrl,
            MaxNumberOfMessages: n,
            WaitTimeSeconds: this.options.waitTimeSeconds,
            VisibilityTimeout: this.options.visibilityTimeoutSeconds,
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.abort.signal },
        );
        messages = out.Messages ?? [];
        this.stats.receives++;
        this.stats.connected = true;
        failures = 0;
      } catch (e) {
        if (this.stopping) break;
        this.stats.connected = false;
        this.stats.receiveErrors++;
        this.stats.lastError = e instanceof Error ? e.message || e.name : String(e);
        const delay = Math.min(this.options.maxReconnectDelayMs, this.options.reconnectDelayMs * 2 ** failures++);
        await sleep(delay * (0.5 + Math.random() / 2), undefined, { signal: this.abort.signal }).catch(() => {});
        continue;
      } finally {
        this.reserved -= n;
      }
      this.stats.received += messages.length;
      if (this.stopping) {
        // Received while stopping: give them straight back rather than start writes stop() would not wait for.
        await Promise.allSettled(
          messages.map((m) => this.changeVisibility(m.ReceiptHandle ?? '', 0).then(() => this.stats.returned++)),
        );
        break;
      }
      for (const m of messages) this.deliver(m);
    }
  }

  private deliver(m: Message): void {
    const receipt = m.ReceiptHandle ?? '';
    const body = Buffer.from(m.Body ?? '', 'utf8');
    // The producer's id when it set one (a `messageId` attribute, like AMQP's messageId property), else SQS's own
    // MessageId, which a redelivery keeps.
    const given = m.MessageAttributes?.messageId?.StringValue;
    const id = given || m.MessageId || createHash('sha256').update(body).digest('hex');
    const attempt = Number(m.Attributes?.ApproximateReceiveCount ?? 1);
    // Keep the message invisible while its write runs, however long that takes (a crash stops the renewals).
    const visibility = this.options.visibilityTimeoutSeconds;
    const heartbeat = setInterval(
      () => {
        if (!entry.done) void this.changeVisibility(receipt, visibility).catch(() => {});
      },
      Math.max(1_000, (visibility * 1000) / 2),
    );
    heartbeat.unref();
    const settle = () => {
      entry.done = true;
      clearInterval(heartbeat);
    };
    const delivery: QueueDelivery = {
      id,
      body,
      attempt,
      ack: () => {
        settle();
        return this.deleteLater(receipt);
      },
      retry: async (delayMs) => {
        settle();
        // Visible again after the delay (whole seconds in SQS); if this fails, after the visibility timeout.
        await this.changeVisibility(receipt, Math.ceil(delayMs / 1000)).catch(() => {});
      },
      deadLetter: (reason) => {
        settle();
        return this.deadLetter(m, id, receipt, reason);
      },
    };
    const entry: InFlight = { work: Promise.resolve(), done: false, heartbeat };
    // FIFO: SQS hands out a group's messages in order and holds the group while they are in flight; applying them
    // one after the other keeps that order (other groups run in parallel).
    const group = this.fifo ? m.Attributes?.MessageGroupId : undefined;
    const before = group === undefined ? undefined : this.groups.get(group);
    entry.work = (async () => {
      try {
        await before;
        await this.onDelivery?.(delivery);
      } catch (e) {
        // Not acknowledged: it reappears after the visibility timeout.
        this.stats.lastError = e instanceof Error ? e.message : String(e);
      } finally {
        clearInterval(heartbeat);
        this.inFlight.delete(receipt);
        if (group !== undefined && this.groups.get(group) === entry.work) this.groups.delete(group);
        this.wake.splice(0).forEach((w) => w());
        if (this.stopping && this.inFlight.size === 0) this.release();
      }
    })();
    this.inFlight.set(receipt, entry);
    if (group !== undefined) this.groups.set(group, entry.work);
  }

  /** Deletes a message in the next DeleteMessageBatch; resolves once that request has answered. */
  private deleteLater(receipt: string): Promise<void> {
    return new Promise((done) => {
      this.deletes.push({ receipt, done });
      if (this.deletes.length >= 10) this.flushDeletes();
      else this.deleteTimer ??= setTimeout(() => this.flushDeletes(), DELETE_BATCH_MS);
    });
  }

  private flushDeletes(): void {
    clearTimeout(this.deleteTimer);
    this.deleteTimer = undefined;
    while (this.deletes.length > 0) void this.deleteBatch(this.deletes.splice(0, 10));
  }

  private async deleteBatch(batch: { receipt: string; done: () => void }[]): Promise<void> {
    // A delete that fails is not an error: the write is done, so the message comes back after its visibility
    // timeout and is applied as a duplicate.
    const failed = (n: number, reason: unknown) => {
      this.stats.deleteFailures += n;
      this.stats.lastError = reason instanceof Error ? reason.message : String(reason);
    };
    try {
      const { sdk, client } = await this.connect();
      const out = await client.send(
        new sdk.DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: batch.map((b, i) => ({ Id: String(i), ReceiptHandle: b.receipt })),
        }),
      );
      for (const f of out.Failed ?? []) failed(1, `${f.Code}: ${f.Message ?? ''}`);
    } catch (e) {
      failed(batch.length, e);
    } finally {
      for (const b of batch) b.done();
    }
  }

  /** Sends the original body and attributes to the dead-letter queue with the error, then deletes the original. */
  private async deadLetter(m: Message, id: string, receipt: string, reason: DeadLetterReason): Promise<void> {
    const { sdk, client } = await this.connect();
    const text = (s: string): MessageAttributeValue => ({ DataType: 'String', StringValue: s || '-' });
    await client.send(
      new sdk.SendMessageCommand({
        QueueUrl: this.options.deadLetterQueueUrl,
        MessageBody: m.Body || ' ',
        MessageAttributes: {
          ...kept(m.MessageAttributes),
          messageId: text(id),
          'x-s3db-error-code': text(reason.code),
          'x-s3db-error': text(reason.message.slice(0, MAX_ERROR_CHARS)),
        },
        ...(this.options.deadLetterQueueUrl.endsWith('.fifo')
          ? {
              MessageGroupId: m.Attributes?.MessageGroupId ?? 'dead',
              MessageDeduplicationId: createHash('sha256').update(id).digest('hex'),
            }
          : {}),
      }),
    );
    // Sent: now the original may go. Should this delete fail, the message comes back and is dead-lettered again.
    await client.send(new sdk.DeleteMessageCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: receipt }));
  }

  private async changeVisibility(receipt: string, seconds: number): Promise<void> {
    const { sdk, client } = await this.connect();
    await client.send(
      new sdk.ChangeMessageVisibilityCommand({
        QueueUrl: this.options.queueUrl,
        ReceiptHandle: receipt,
        VisibilityTimeout: seconds,
      }),
    );
  }

  /**
   * Stops receiving (an open long poll is cancelled); deliveries in progress finish and are deleted (up to
   * `stopGraceMs`); those still running then are made visible again at once for another consumer.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    this.wake.splice(0).forEach((w) => w());
    await Promise.allSettled(this.pollers);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight.values()].map((e) => e.work)),
      new Promise((r) => (timer = setTimeout(r, this.options.stopGraceMs))),
    ]);
    clearTimeout(timer);
    await Promise.allSettled(
      [...this.inFlight].map(async ([receipt, entry]) => {
        if (entry.done) return;
        entry.done = true;
        clearInterval(entry.heartbeat);
        await this.changeVisibility(receipt, 0);
        this.stats.returned++;
      }),
    );
    this.stats.connected = false;
    // A write that outlived the grace period still deletes its message when it ends: the client goes after it.
    if (this.inFlight.size === 0) this.release();
  }

  private release(): void {
    const sdk = this.sdk;
    this.sdk = undefined;
    void sdk?.then(({ client }) => client.destroy());
  }

  describe(): Record<string, unknown> {
    return {
      kind: this.kind,
      queueUrl: this.options.queueUrl,
      deadLetterQueueUrl: this.options.deadLetterQueueUrl,
      fifo: this.fifo,
      prefetch: this.options.prefetch,
      inFlight: this.inFlight.size,
      ...this.stats,
    };
  }
}
