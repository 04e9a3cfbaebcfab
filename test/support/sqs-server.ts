// A minimal SQS endpoint speaking the AWS JSON 1.0 protocol that @aws-sdk/client-sqs uses (X-Amz-Target:
// AmazonSQS.<Action>): CreateQueue, GetQueueUrl, SendMessage, ReceiveMessage, DeleteMessage, for the replication
// tests. No SQS server installs on this machine, so the SQS driver is only ever tested against this; signatures
// are not checked. FIFO queues (name ending .fifo) drop a MessageDeduplicationId seen in the last 5 minutes.
// `down(true)` answers every request with a 503 (a queue service outage).
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface SqsMessage {
  messageId: string;
  body: string;
  groupId?: string;
  attributes: Record<string, { DataType: string; StringValue?: string }>;
}

interface Queue {
  name: string;
  messages: SqsMessage[];
  dedup: Map<string, number>;
}

export interface SqsTestServer {
  endpoint: string;
  /** The URL of a queue (created on first use). */
  queueUrl(name: string): string;
  /** Every message sent to a queue, in order (received or not). */
  sent(name: string): SqsMessage[];
  down(on: boolean): void;
  requests: number;
  close(): Promise<void>;
}

const ACCOUNT = '000000000000';

export async function startSqsServer(): Promise<SqsTestServer> {
  const queues = new Map<string, Queue>();
  const log = new Map<string, SqsMessage[]>();
  let isDown = false;
  const queue = (name: string): Queue => {
    let q = queues.get(name);
    if (!q) {
      q = { name, messages: [], dedup: new Map() };
      queues.set(name, q);
      log.set(name, []);
    }
    return q;
  };
  const nameOf = (url: unknown) =>
    String(url ?? '')
      .split('/')
      .pop() ?? '';
  const state = { requests: 0 };

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, type: string, message: string) =>
    reply(res, status, { __type: `com.amazonaws.sqs#${type}`, message });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      if (isDown) return fail(res, 503, 'ServiceUnavailable', 'the test queue service is down');
      const action = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return fail(res, 400, 'InvalidParameterValue', 'body is not JSON');
      }
      const base = `http://${req.headers.host}`;
      switch (action) {
        case 'CreateQueue':
        case 'GetQueueUrl': {
          const name = String(input.QueueName);
          queue(name);
          return reply(res, 200, { QueueUrl: `${base}/${ACCOUNT}/${name}` });
        }
        case 'SendMessage': {
          const q = queue(nameOf(input.QueueUrl));
          const body = String(input.MessageBody ?? '');
          const md5 = createHash('md5').update(body).digest('hex');
          const fifo = q.name.endsWith('.fifo');
          if (fifo && (input.MessageGroupId === undefined || input.MessageDeduplicationId === undefined)) {
            return fail(res, 400, 'MissingParameter', 'FIFO queues need MessageGroupId and MessageDeduplicationId');
          }
          const dedupId = String(input.MessageDeduplicationId ?? '');
          const seen = q.dedup.get(dedupId);
          if (fifo && seen !== undefined && Date.now() - seen < 300_000) {
            return reply(res, 200, { MessageId: randomUUID(), MD5OfMessageBody: md5 });
          }
          if (fifo) q.dedup.set(dedupId, Date.now());
          const message: SqsMessage = {
            messageId: randomUUID(),
            body,
            attributes: (input.MessageAttributes ?? {}) as SqsMessage['attributes'],
            ...(input.MessageGroupId === undefined ? {} : { groupId: String(input.MessageGroupId) }),
          };
          q.messages.push(message);
          log.get(q.name)?.push(message);
          return reply(res, 200, { MessageId: message.messageId, MD5OfMessageBody: md5 });
        }
        case 'ReceiveMessage': {
          const q = queue(nameOf(input.QueueUrl));
          const n = Number(input.MaxNumberOfMessages ?? 1);
          const out = q.messages.slice(0, n).map((m) => ({
            MessageId: m.messageId,
            ReceiptHandle: m.messageId,
            Body: m.body,
            MD5OfBody: createHash('md5').update(m.body).digest('hex'),
          }));
          return reply(res, 200, { Messages: out });
        }
        case 'DeleteMessage': {
          const q = queue(nameOf(input.QueueUrl));
          q.messages = q.messages.filter((m) => m.messageId !== input.ReceiptHandle);
          return reply(res, 200, {});
        }
        default:
          return fail(res, 400, 'InvalidAction', `action ${action} is not implemented by the test endpoint`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    queueUrl: (name) => {
      queue(name);
      return `${endpoint}/${ACCOUNT}/${name}`;
    },
    sent: (name) => [...(log.get(name) ?? [])],
    down: (on) => (isDown = on),
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
