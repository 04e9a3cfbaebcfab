// The counters plugin through MCP (`increment` listed only with the plugin, exact increments, update's {$inc}) and the server config of the counters and queue plugins (amqp:// and sqs:// queue URLs).
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  Database,
  EventualConsistencyPlugin,
  MemoryStore,
  QueueConsumerPlugin,
  createQueueSource,
} from '../../engine/index.js';
import { buildPlugins, loadConfig } from '../../server/index.js';
import { connect, structured, textOf, type Connected } from './support/connect.js';

describe('counters through the MCP tools (memory store)', () => {
  let mcp: Connected | undefined;
  afterEach(async () => mcp?.close());

  it('lists increment only with the plugin, and applies increments exactly', async () => {
    const plain = new Database({ store: new MemoryStore() });
    await plain.connect();
    mcp = await connect(plain);
    expect((await mcp.client.listTools()).tools.map((t) => t.name)).not.toContain('increment');
    await mcp.close();

    const counters = new EventualConsistencyPlugin({ resources: { accounts: ['balance'] } });
    const db = new Database({ store: new MemoryStore(), plugins: [counters] });
    await db.connect();
    mcp = await connect(db);
    expect((await mcp.client.listTools()).tools.map((t) => t.name)).toContain('increment');
    await mcp.call('createResource', { name: 'accounts', attributes: { balance: 'number' } });
    await mcp.call('insert', { resource: 'accounts', data: { id: 'a1', balance: 100 } });
    const pending = structured<{ value: number; consolidated: boolean }>(
      await mcp.call('increment', { resource: 'accounts', id: 'a1', field: 'balance', by: -30 }),
    );
    expect(pending).toMatchObject({ value: 70, consolidated: false });
    expect(
      (await mcp.call('update', { resource: 'accounts', id: 'a1', data: { balance: { $inc: 5 } } })).isError,
    ).toBeFalsy();
    const done = structured<{ value: number }>(
      await mcp.call('increment', { resource: 'accounts', id: 'a1', field: 'balance', by: 1, consolidate: true }),
    );
    expect(done.value).toBe(76);
    expect(
      structured<{ record: { balance: number } }>(await mcp.call('get', { resource: 'accounts', id: 'a1' })).record
        .balance,
    ).toBe(76);

    const missing = await mcp.call('increment', { resource: 'accounts', id: 'zz', field: 'balance', by: 1 });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/No document "zz"/);
    const notCounted = await mcp.call('increment', { resource: 'accounts', id: 'a1', field: 'other', by: 1 });
    expect(notCounted.isError).toBe(true);
    expect(textOf(notCounted)).toMatch(/not a counted field/);
  });

  it('is configured by --plugins=counters --counters=resource:field', () => {
    const loaded = loadConfig(['--plugins=counters', '--counters=accounts:balance+stock'], {});
    expect(loaded.action).toBe('run');
    const config = (loaded as { config: Parameters<typeof buildPlugins>[0] }).config;
    const [plugin] = buildPlugins(config);
    expect(plugin).toBeInstanceOf(EventualConsistencyPlugin);
    expect((plugin as EventualConsistencyPlugin).counted).toEqual({ accounts: ['balance', 'stock'] });
    expect(() => loadConfig(['--plugins=counters'], {})).toThrow(/counters plugin needs --counters/);
  });
});

describe('queue consumer configuration', () => {
  it('--plugins=queue needs --queue-url (and --queue-name for RabbitMQ), and builds a RabbitMQ consumer', () => {
    expect(() => loadConfig(['--plugins=queue'], {})).toThrow(/queue plugin needs --queue-url/);
    expect(() => loadConfig(['--plugins=queue', '--queue-url=http://x', '--queue-name=q'], {})).toThrow(/amqp/);
    const loaded = loadConfig(
      ['--plugins=queue', '--queue-name=orders', '--queue-prefetch=7', '--queue-resources=orders,items'],
      { S3DB_QUEUE_URL: 'amqp://u:p@127.0.0.1:5672' },
    );
    const config = (loaded as { config: Parameters<typeof buildPlugins>[0] }).config;
    const [plugin] = buildPlugins(config);
    expect(plugin).toBeInstanceOf(QueueConsumerPlugin);
    expect((plugin as QueueConsumerPlugin).describe()).toMatchObject({
      resources: ['orders', 'items'],
      source: { kind: 'rabbitmq', queue: 'orders', deadLetterQueue: 'orders.dead', prefetch: 7, connected: false },
    });
    expect(() => loadConfig(['--plugins=queue', '--queue-url=amqp://h'], {})).toThrow(/--queue-name/);
  });

  it('--queue-url=sqs://… builds an SQS consumer; the queue is named in the URL, the dead-letter queue apart', () => {
    const loaded = loadConfig(
      ['--plugins=queue', '--queue-url=sqs://K:S@127.0.0.1:9324/000000000000/orders?insecure=true'],
      { S3DB_QUEUE_DEAD_LETTER: 'orders-poison' },
    );
    const config = (loaded as { config: Parameters<typeof buildPlugins>[0] }).config;
    const [plugin] = buildPlugins(config);
    expect((plugin as QueueConsumerPlugin).describe()).toMatchObject({
      source: {
        kind: 'sqs',
        queueUrl: 'http://127.0.0.1:9324/000000000000/orders',
        deadLetterQueueUrl: 'http://127.0.0.1:9324/000000000000/orders-poison',
        prefetch: 20,
        connected: false,
      },
    });
    expect(() =>
      loadConfig(['--plugins=queue', '--queue-url=sqs://h/000000000000/orders', '--queue-name=orders'], {}),
    ).toThrow(/named in its URL/);
    expect(() => loadConfig(['--plugins=queue', '--queue-url=sqs://h'], {})).toThrow(/sqs:\/\/HOST/);
  });

  it('createQueueSource: amqp:// and sqs:// URLs, dead-letter names, and clear errors', () => {
    const s = createQueueSource('sqs://K:S@127.0.0.1:9324/000000000000/orders?insecure=true', { prefetch: 7 });
    expect(s.describe()).toMatchObject({
      kind: 'sqs',
      queueUrl: 'http://127.0.0.1:9324/000000000000/orders',
      deadLetterQueueUrl: 'http://127.0.0.1:9324/000000000000/orders-dead',
      prefetch: 7,
      fifo: false,
    });
    expect(
      createQueueSource('sqs://sqs.eu-west-1.amazonaws.com/123456789012/o.fifo', {
        deadLetterQueue: 'bad.fifo',
      }).describe(),
    ).toMatchObject({ fifo: true, deadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/bad.fifo' });
    expect(createQueueSource('sqs://sqs.eu-west-1.amazonaws.com/1/o.fifo').describe()).toMatchObject({
      deadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/o-dead.fifo',
    });
    expect(createQueueSource('amqp://u:p@h/v', { queue: 'orders' }).describe()).toMatchObject({
      kind: 'rabbitmq',
      deadLetterQueue: 'orders.dead',
    });
    expect(() => createQueueSource('amqp://h')).toThrow(ConfigError);
    expect(() => createQueueSource('sqs://h/1/q', { queue: 'q' })).toThrow(/named in its URL/);
    expect(() => createQueueSource('https://u:secret@h/1/q')).toThrow(/not a queue URL/);
    expect(() => createQueueSource('https://u:secret@h/1/q')).not.toThrow(/secret/);
  });
});
