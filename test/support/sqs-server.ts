// A minimal SQS endpoint speaking the AWS JSON 1.0 protocol that @aws-sdk/client-sqs uses (X-Amz-Target:
// AmazonSQS.<Action>), for the replication and queue-consumer tests and the bench. No SQS server installs on this
// machine, so the SQS drivers are only ever tested against this; signatures are not checked. What it keeps of SQS:
// - a received message is invisible for the visibility timeout (the queue's, default 30 s, or the request's),
//   then delivered again with ApproximateReceiveCount + 1 and a new receipt handle;
// - DeleteMessage / ChangeMessageVisibility take the latest receipt handle; a stale one deletes nothing (SQS: "the
//   request succeeds, but the message might not be deleted"), and changing the visibility of a message that is
//   not in flight is MessageNotInflight;
// - ReceiveMessage returns at most MaxNumberOfMessages (1–10) and long-polls for WaitTimeSeconds (0–20);
// - FIFO queues (name ending .fifo) drop a MessageDeduplicationId seen in the last 5 minutes and hold back a
//   message group while one of its messages is in flight;
// - an unknown queue is QueueDoesNotExist (queueUrl()/CreateQueue create one).
// `down(true)` answers every request with a 503 (a queue service outage); `halt()`/`restart()` close the port and
// listen on it again (connection refused meanwhile), keeping the queues, as a restarted service would.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

type Attributes = Record<string, { DataType: string; StringValue?: string }>;

export interface SqsMessage {
  messageId: string;
  body: string;
  groupId?: string;
  attributes: Attributes;
}

interface Stored extends SqsMessage {
  dedupId?: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** The latest receipt handle (only that one deletes the message or changes its visibility). */
  receipt?: string;
}

interface Queue {
  name: string;
  messages: Stored[];
  dedup: Map<string, number>;
  visibilityTimeout: number;
}

export interface QueueDepth {
  /** Messages a receive would return now (FIFO group holds aside). */
  visible: number;
  /** Received and neither deleted nor visible again yet. */
  inFlight: number;
}

export interface SqsTestServer {
  endpoint: string;
  /** The URL of a queue (created on first use, with a visibility timeout in seconds when given). */
  queueUrl(name: string, options?: { visibilityTimeout?: number }): string;
  /** Every message sent to a queue, in order (received or not, deleted or not), with its receive count. */
  sent(name: string): (SqsMessage & { receiveCount: number })[];
  /** The messages still in a queue (not deleted), with their receive counts. */
  messages(name: string): (SqsMessage & { receiveCount: number })[];
  depth(name: string): QueueDepth;
  down(on: boolean): void;
  /** Stops listening (connections refused, open ones cut); `restart()` listens on the same port again. */
  halt(): Promise<void>;
  restart(): Promise<void>;
  /** Requests answered (outages included), in total and by action. */
  requests: number;
  requestCounts(): Record<string, number>;
  close(): Promise<void>;
}

const ACCOUNT = '000000000000';
const DEDUP_WINDOW_MS = 300_000;

class SqsFault extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export async function startSqsServer(): Promise<SqsTestServer> {
  const queues = new Map<string, Queue>();
  const log = new Map<string, Stored[]>();
  /** Receipt handles ever issued, to tell a stale handle (succeeds, does nothing) from an invalid one. */
  const issued = new Set<string>();
  const counts: Record<string, number> = {};
  let isDown = false;
  let closed = false;
  let total = 0;

  const create = (name: string, visibilityTimeout = 30): Queue => {
    let q = queues.get(name);
    if (!q) {
      q = { name, messages: [], dedup: new Map(), visibilityTimeout };
      queues.set(name, q);
      log.set(name, []);
    }
    return q;
  };
  const existing = (url: unknown): Queue => {
    const name = String(url ?? '')
      .split('/')
      .pop();
    const q = name === undefined ? undefined : queues.get(name);
    if (!q) throw new SqsFault(400, 'QueueDoesNotExist', 'The specified queue does not exist.');
    return q;
  };
  const integer = (value: unknown, name: string, min: number, max: number, fallback: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new SqsFault(400, 'InvalidParameterValue', `Value ${String(value)} for parameter ${name} is invalid.`);
    }
    return n;
  };

  /** The message a handle names, or why the handle does not work. */
  const byReceipt = (q: Queue, handle: unknown): Stored | 'stale' => {
    const h = String(handle ?? '');
    if (!issued.has(h)) throw new SqsFault(400, 'ReceiptHandleIsInvalid', `The receipt handle "${h}" is not valid.`);
    return q.messages.find((m) => m.receipt === h) ?? 'stale';
  };

  const send = (q: Queue, input: Record<string, unknown>): { MessageId: string; MD5OfMessageBody: string } => {
    const body = String(input.MessageBody ?? '');
    if (body === '') throw new SqsFault(400, 'InvalidParameterValue', 'The message body must not be empty.');
    const fifo = q.name.endsWith('.fifo');
    if (fifo && (input.MessageGroupId === undefined || input.MessageDeduplicationId === undefined)) {
      throw new SqsFault(400, 'MissingParameter', 'FIFO queues need MessageGroupId and MessageDeduplicationId');
    }
    const dedupId = String(input.MessageDeduplicationId ?? '');
    const seen = q.dedup.get(dedupId);
    if (fifo && seen !== undefined && Date.now() - seen < DEDUP_WINDOW_MS) {
      return { MessageId: randomUUID(), MD5OfMessageBody: md5(body) };
    }
    if (fifo) q.dedup.set(dedupId, Date.now());
    const now = Date.now();
    const delay = integer(input.DelaySeconds, 'DelaySeconds', 0, 900, 0);
    const message: Stored = {
      messageId: randomUUID(),
      body,
      attributes: (input.MessageAttributes ?? {}) as Attributes,
      ...(input.MessageGroupId === undefined ? {} : { groupId: String(input.MessageGroupId) }),
      ...(fifo ? { dedupId } : {}),
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
    };
    q.messages.push(message);
    log.get(q.name)?.push(message);
    return { MessageId: message.messageId, MD5OfMessageBody: md5(body) };
  };

  /** The messages a receive takes now (made invisible, counted), FIFO groups with a message in flight held. */
  const take = (q: Queue, max: number, visibility: number): Stored[] => {
    const now = Date.now();
    const fifo = q.name.endsWith('.fifo');
    const held = new Set<string>();
    const out: Stored[] = [];
    for (const m of q.messages) {
      if (out.length >= max) break;
      const group = m.groupId ?? '';
      if (m.visibleAt > now) {
        if (fifo && m.receiveCount > 0) held.add(group);
        continue;
      }
      if (fifo && held.has(group)) continue;
      out.push(m);
    }
    for (const m of out) {
      m.receiveCount++;
      m.firstReceivedAt ??= now;
      m.visibleAt = now + visibility * 1000;
      m.receipt = Buffer.from(`${m.messageId}:${randomUUID()}`).toString('base64url');
      issued.add(m.receipt);
    }
    return out;
  };

  const wanted = (names: unknown, name: string): boolean =>
    Array.isArray(names) && names.some((n) => n === 'All' || n === '.*' || n === name);

  const receive = async (input: Record<string, unknown>, gone: () => boolean): Promise<unknown> => {
    const q = existing(input.QueueUrl);
    const max = integer(input.MaxNumberOfMessages, 'MaxNumberOfMessages', 1, 10, 1);
    const visibility = integer(input.VisibilityTimeout, 'VisibilityTimeout', 0, 43_200, q.visibilityTimeout);
    const deadline = Date.now() + integer(input.WaitTimeSeconds, 'WaitTimeSeconds', 0, 20, 0) * 1000;
    let taken = take(q, max, visibility);
    // Long polling: answer as soon as a message is there (sent, or visible again), or empty at the deadline.
    while (taken.length === 0 && Date.now() < deadline && !gone() && !closed && !isDown) {
      await new Promise((r) => setTimeout(r, 20));
      taken = gone() ? [] : take(q, max, visibility);
    }
    const system = input.MessageSystemAttributeNames ?? input.AttributeNames;
    return {
      Messages: taken.map((m) => {
        const attributes: Record<string, string> = {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(m.sentAt),
          ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
          ...(m.groupId === undefined ? {} : { MessageGroupId: m.groupId }),
          ...(m.dedupId === undefined ? {} : { MessageDeduplicationId: m.dedupId }),
        };
        const messageAttributes = Object.fromEntries(
          Object.entries(m.attributes).filter(([name]) => wanted(input.MessageAttributeNames, name)),
        );
        return {
          MessageId: m.messageId,
          ReceiptHandle: m.receipt,
          Body: m.body,
          MD5OfBody: md5(m.body),
          Attributes: Object.fromEntries(Object.entries(attributes).filter(([name]) => wanted(system, name))),
          ...(Object.keys(messageAttributes).length > 0 ? { MessageAttributes: messageAttributes } : {}),
        };
      }),
    };
  };

  const remove = (q: Queue, handle: unknown): void => {
    const m = byReceipt(q, handle);
    if (m !== 'stale') q.messages = q.messages.filter((x) => x !== m);
  };

  const changeVisibility = (q: Queue, handle: unknown, timeout: unknown): void => {
    const m = byReceipt(q, handle);
    if (m === 'stale' || m.visibleAt <= Date.now()) {
      throw new SqsFault(400, 'MessageNotInflight', 'The message referred to is not in flight.');
    }
    m.visibleAt = Date.now() + integer(timeout, 'VisibilityTimeout', 0, 43_200, 0) * 1000;
  };

  /** Runs each entry of a batch, collecting Successful and Failed as SQS does. */
  const batch = (input: Record<string, unknown>, run: (entry: Record<string, unknown>) => unknown) => {
    const entries = (input.Entries ?? []) as Record<string, unknown>[];
    if (entries.length === 0) throw new SqsFault(400, 'EmptyBatchRequest', 'The batch request has no entries.');
    if (entries.length > 10) throw new SqsFault(400, 'TooManyEntriesInBatchRequest', 'At most 10 entries.');
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const entry of entries) {
      try {
        Successful.push({ Id: entry.Id, ...(run(entry) as object) });
      } catch (e) {
        if (!(e instanceof SqsFault)) throw e;
        Failed.push({ Id: entry.Id, SenderFault: true, Code: e.type, Message: e.message });
      }
    }
    return { Successful, Failed };
  };

  const act = async (action: string, input: Record<string, unknown>, base: string, gone: () => boolean) => {
    switch (action) {
      case 'CreateQueue': {
        const name = String(input.QueueName);
        const attributes = (input.Attributes ?? {}) as Record<string, string>;
        create(name, integer(attributes.VisibilityTimeout, 'VisibilityTimeout', 0, 43_200, 30));
        return { QueueUrl: `${base}/${ACCOUNT}/${name}` };
      }
      case 'GetQueueUrl': {
        const name = String(input.QueueName);
        existing(name);
        return { QueueUrl: `${base}/${ACCOUNT}/${name}` };
      }
      case 'GetQueueAttributes': {
        const q = existing(input.QueueUrl);
        const d = depthOf(q);
        return {
          Attributes: {
            ApproximateNumberOfMessages: String(d.visible),
            ApproximateNumberOfMessagesNotVisible: String(d.inFlight),
            VisibilityTimeout: String(q.visibilityTimeout),
          },
        };
      }
      case 'SendMessage':
        return send(existing(input.QueueUrl), input);
      case 'SendMessageBatch': {
        const q = existing(input.QueueUrl);
        return batch(input, (entry) => send(q, entry));
      }
      case 'ReceiveMessage':
        return receive(input, gone);
      case 'DeleteMessage':
        remove(existing(input.QueueUrl), input.ReceiptHandle);
        return {};
      case 'DeleteMessageBatch': {
        const q = existing(input.QueueUrl);
        return batch(input, (entry) => remove(q, entry.ReceiptHandle));
      }
      case 'ChangeMessageVisibility':
        changeVisibility(existing(input.QueueUrl), input.ReceiptHandle, input.VisibilityTimeout);
        return {};
      case 'ChangeMessageVisibilityBatch': {
        const q = existing(input.QueueUrl);
        return batch(input, (entry) => changeVisibility(q, entry.ReceiptHandle, entry.VisibilityTimeout));
      }
      default:
        throw new SqsFault(400, 'InvalidAction', `action ${action} is not implemented by the test endpoint`);
    }
  };

  const depthOf = (q: Queue): QueueDepth => {
    const now = Date.now();
    const inFlight = q.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).length;
    return { visible: q.messages.filter((m) => m.visibleAt <= now).length, inFlight };
  };

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify(body));
  };

  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      total++;
      const action = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
      counts[action] = (counts[action] ?? 0) + 1;
      const fail = (e: SqsFault) => reply(res, e.status, { __type: `com.amazonaws.sqs#${e.type}`, message: e.message });
      if (isDown) return fail(new SqsFault(503, 'ServiceUnavailable', 'the test queue service is down'));
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return fail(new SqsFault(400, 'InvalidParameterValue', 'body is not JSON'));
      }
      act(action, input, `http://${req.headers.host}`, () => res.destroyed || req.socket.destroyed).then(
        (out) => reply(res, 200, out),
        (e: unknown) => {
          if (e instanceof SqsFault) fail(e);
          else reply(res, 500, { __type: 'com.amazonaws.sqs#InternalError', message: String(e) });
        },
      );
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (p: number) => new Promise<void>((resolve) => server.listen(p, '127.0.0.1', resolve));
  const stopListening = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    queueUrl: (name, options) => {
      create(name, options?.visibilityTimeout);
      return `${endpoint}/${ACCOUNT}/${name}`;
    },
    sent: (name) => (log.get(name) ?? []).map((m) => ({ ...m })),
    messages: (name) => (queues.get(name)?.messages ?? []).map((m) => ({ ...m })),
    depth: (name) => {
      const q = queues.get(name);
      return q ? depthOf(q) : { visible: 0, inFlight: 0 };
    },
    down: (on) => (isDown = on),
    halt: stopListening,
    restart: () => listen(port),
    get requests() {
      return total;
    },
    requestCounts: () => ({ ...counts }),
    close: async () => {
      closed = true;
      await stopListening();
    },
  };
}
