// Queues in: messages written into resources through the engine.
export { QUEUE_CONSUMER_PLUGIN, QueueConsumerPlugin, type QueueConsumerOptions } from './queue-consumer-plugin.js';
export { RabbitMqSource, type RabbitMqSourceOptions } from './rabbitmq-source.js';
export { SqsSource, defaultDeadLetterUrl, type SqsSourceOptions } from './sqs-source.js';
export { createQueueSource, type QueueSourceOptions } from './create-source.js';
export { MESSAGE_ACTIONS, idForMessage, type MessageAction, type QueueMessage } from './message.js';
export type { DeadLetterReason, QueueDelivery, QueueSource } from './source.js';
