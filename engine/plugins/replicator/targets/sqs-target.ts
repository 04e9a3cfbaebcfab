// Amazon SQS target (`@aws-sdk/client-sqs`, loaded on first use): one message per delivered state, JSON:
//   { "type": "s3db.replication", "format": 1, "resource", "id", "operation": "upsert" | "delete",
//     "revision", "schemaVersion", "etag", "sentAt", "document" }
// `document` is the document's current state (null for a delete). A FIFO queue (name ending in .fifo) gets
// MessageGroupId = resource/id (changes of one document in order) and a MessageDeduplicationId from resource,
// id and revision, so a replay within SQS's 5-minute window is dropped. Consumers keep, per document, the
// highest revision they applied and ignore lower ones: that makes at-least-once delivery idempotent.
// Tested against the minimal SQS-protocol endpoint in test/support/, never against AWS SQS itself.
import { createHash } from 'node:crypto';
import { ConfigError } from '../../../errors.js';
import type { ReplicationChange, ReplicationTarget } from '../types.js';
import { redactUrl } from './postgres-target.js';

export interface SqsTargetOptions {
  name?: string;
  /** The queue URL, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/changes(.fifo). */
  queueUrl: string;
  region?: string;
  /** An endpoint other than AWS's (default: the queue URL's origin when it is not amazonaws.com). */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  secrets?: 'encrypted' | 'clear';
  /** Attempts per send with the SDK's backoff (default 3); the outbox retries beyond that. */
  maxAttempts?: number;
}

/** The JSON body of one replication message. */
export interface ReplicationMessage {
  type: 's3db.replication';
  format: 1;
  resource: string;
  id: string;
  operation: 'upsert' | 'delete';
  revision: number;
  schemaVersion: string;
  etag: string | null;
  sentAt: string;
  document: Record<string, unknown> | null;
}

interface SqsClientLike {
  send(command: unknown): Promise<unknown>;
  destroy(): void;
}

/**
 * Reads `sqs://[KEY:SECRET@]HOST[:PORT]/ACCOUNT/QUEUE[?region=…&insecure=true]` (insecure: http instead of
 * https, for local endpoints) into target options.
 */
export function parseSqsUrl(url: string): SqsTargetOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`"${redactUrl(url)}" is not a URL`, { hint: 'Use sqs://HOST/ACCOUNT/QUEUE?region=…' });
  }
  const path = u.pathname.replace(/^\/+/, '');
  if (u.protocol !== 'sqs:' || path.split('/').length !== 2) {
    throw new ConfigError(`"${redactUrl(url)}" is not sqs://HOST/ACCOUNT/QUEUE`, {
      hint: 'Use e.g. sqs://sqs.us-east-1.amazonaws.com/123456789012/changes.fifo',
    });
  }
  const scheme = u.searchParams.get('insecure') === 'true' ? 'http' : 'https';
  const origin = `${scheme}://${u.host}`;
  const region = u.searchParams.get('region') ?? /sqs\.([a-z0-9-]+)\.amazonaws\.com$/.exec(u.hostname)?.[1];
  return {
    queueUrl: `${origin}/${path}`,
    ...(region === undefined ? {} : { region }),
    ...(u.hostname.endsWith('amazonaws.com') ? {} : { endpoint: origin }),
    ...(u.username
      ? {
          credentials: { accessKeyId: decodeURIComponent(u.username), secretAccessKey: decodeURIComponent(u.password) },
        }
      : {}),
  };
}

export class SqsTarget implements ReplicationTarget {
  readonly name: string;
  readonly kind = 'sqs' as const;
  readonly secrets: 'encrypted' | 'clear';
  /** A queue keeps every message: consumers order them by revision. */
  readonly ordered = true;
  readonly fifo: boolean;
  private client: Promise<{ client: SqsClientLike; Send: new (input: unknown) => unknown }> | undefined;

  constructor(private readonly options: SqsTargetOptions) {
    this.name = options.name ?? 'sqs';
    this.secrets = options.secrets ?? 'encrypted';
    this.fifo = options.queueUrl.endsWith('.fifo');
  }

  private connect() {
    this.client ??= import('@aws-sdk/client-sqs').then((sdk) => ({
      client: new sdk.SQSClient({
        region: this.options.region ?? 'us-east-1',
        maxAttempts: this.options.maxAttempts ?? 3,
        ...(this.options.endpoint === undefined ? {} : { endpoint: this.options.endpoint }),
        ...(this.options.credentials === undefined ? {} : { credentials: this.options.credentials }),
      }) as unknown as SqsClientLike,
      Send: sdk.SendMessageCommand as unknown as new (input: unknown) => unknown,
    }));
    return this.client;
  }

  prepare(): Promise<void> {
    return Promise.resolve();
  }

  async apply(change: ReplicationChange): Promise<void> {
    const { client, Send } = await this.connect();
    const message: ReplicationMessage = {
      type: 's3db.replication',
      format: 1,
      resource: change.resource,
      id: change.id,
      operation: change.operation,
      revision: change.revision,
      schemaVersion: change.version,
      etag: change.etag,
      sentAt: new Date().toISOString(),
      document: change.document,
    };
    const dedup = createHash('sha256')
      .update(`${change.resource}\u0000${change.id}\u0000${change.revision}`)
      .digest('hex');
    await client.send(
      new Send({
        QueueUrl: this.options.queueUrl,
        MessageBody: JSON.stringify(message),
        MessageAttributes: {
          resource: { DataType: 'String', StringValue: change.resource },
          operation: { DataType: 'String', StringValue: change.operation },
        },
        ...(this.fifo ? { MessageGroupId: `${change.resource}/${change.id}`, MessageDeduplicationId: dedup } : {}),
      }),
    );
  }

  describe(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      queueUrl: this.options.queueUrl,
      fifo: this.fifo,
      secrets: this.secrets,
    };
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) (await c).client.destroy();
  }
}
