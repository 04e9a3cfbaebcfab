// The target drivers and the one place a target URL becomes a driver: postgres://, sqs://, or an s3db connection
// string (s3://, http(s)://, file://, memory://). A `#name` at the end of a URL names the target.
import { ConfigError } from '../../../errors.js';
import type { ReplicationTarget } from '../types.js';
import { PostgresTarget, redactUrl } from './postgres-target.js';
import { S3dbTarget } from './s3db-target.js';
import { SqsTarget, parseSqsUrl } from './sqs-target.js';

export { PostgresTarget, redactUrl, type PostgresTargetOptions } from './postgres-target.js';
export { S3dbTarget, type S3dbTargetOptions } from './s3db-target.js';
export { SqsTarget, parseSqsUrl, type ReplicationMessage, type SqsTargetOptions } from './sqs-target.js';

/** Options for targets created from URLs. */
export interface TargetOptions {
  /** Passphrase of s3db targets (secret fields are encrypted at rest with it). */
  passphrase?: string;
  /** How postgres and sqs targets receive secret fields (default 'encrypted'). */
  secrets?: 'encrypted' | 'clear';
  /** postgres: table name prefix, per-resource table names, typed columns. */
  tablePrefix?: string;
  tables?: Record<string, string>;
  columns?: Record<string, string[]>;
}

/** A driver for a target URL; `index` makes default names unique (`postgres`, `postgres-2`, …). */
export function createTarget(url: string, options: TargetOptions = {}, index = 0): ReplicationTarget {
  const hash = url.indexOf('#');
  const bare = hash >= 0 ? url.slice(0, hash) : url;
  const given = hash >= 0 ? decodeURIComponent(url.slice(hash + 1)) : undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(bare)?.[1]?.toLowerCase();
  const nameFor = (kind: string) => given ?? (index === 0 ? kind : `${kind}-${index + 1}`);
  switch (scheme) {
    case 'postgres':
    case 'postgresql':
      return new PostgresTarget({
        name: nameFor('postgres'),
        connectionString: bare,
        ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
        ...(options.tablePrefix === undefined ? {} : { tablePrefix: options.tablePrefix }),
        ...(options.tables === undefined ? {} : { tables: options.tables }),
        ...(options.columns === undefined ? {} : { columns: options.columns }),
      });
    case 'sqs':
      return new SqsTarget({
        ...parseSqsUrl(bare),
        name: nameFor('sqs'),
        ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
      });
    case 's3':
    case 'http':
    case 'https':
    case 'file':
    case 'memory':
      return new S3dbTarget({
        name: nameFor('s3db'),
        connection: bare,
        ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
      });
    default:
      throw new ConfigError(`Unknown replication target "${redactUrl(bare)}"`, {
        hint: 'Use postgres://…, sqs://HOST/ACCOUNT/QUEUE, or an s3db connection string (s3://, http(s)://, file://). BigQuery is not supported.',
      });
  }
}
