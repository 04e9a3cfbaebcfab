// What a queue driver gives the consumer: deliveries it can acknowledge, return for another try, or move to a
// dead-letter queue with the reason. RabbitMQ and SQS each implement it.

export interface DeadLetterReason {
  code: string;
  message: string;
}

export interface QueueDelivery {
  /**
   * The message id (a redelivery keeps it): the producer's when it set one, else the queue's own (SQS MessageId),
   * else a hash of the body (RabbitMQ).
   */
  readonly id: string;
  readonly body: Buffer;
  /** Deliveries of this message seen by this consumer, this one included. */
  readonly attempt: number;
  /** Done: remove it from the queue. */
  ack(): Promise<void>;
  /** Not done: let the queue deliver it again (after `delayMs`). */
  retry(delayMs: number): Promise<void>;
  /** Never applicable: move it to the dead-letter queue with the reason, then remove it. */
  deadLetter(reason: DeadLetterReason): Promise<void>;
}

export interface QueueSource {
  /** e.g. `rabbitmq` or `sqs`. */
  readonly kind: string;
  /** Starts receiving; `onDelivery` runs once per delivery, up to the source's prefetch at once. */
  start(onDelivery: (delivery: QueueDelivery) => Promise<void>): Promise<void>;
  /** Stops receiving; deliveries not acknowledged by then go back to the queue. */
  stop(): Promise<void>;
  describe(): Record<string, unknown>;
}
