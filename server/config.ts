// The whole server configuration: one zod schema, filled from CLI flags > environment > defaults. This is the
// only module that reads process.argv / process.env (main.ts passes them in); everything else gets a Config.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { ConfigError, createQueueSource, createTarget, type QueueSourceOptions } from '../engine/index.js';

export const TRANSPORTS = ['stdio', 'sse', 'http'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const DEFAULT_CONNECTION_STRING = 'file://./s3db-data';
/** Plugins the server can enable (--plugins), in pipeline order. */
export const PLUGIN_NAMES = ['cache', 'audit', 'metrics', 'fulltext', 'replicator', 'counters', 'queue'] as const;
export type PluginName = (typeof PLUGIN_NAMES)[number];
export const CACHE_DRIVERS = ['memory', 'filesystem', 's3'] as const;

/**
 * Parses a resource → fields spec (--fulltext, --counters), `articles:title+body;notes:text` (fields joined by
 * + or ,). Throws a plain Error with the reason when malformed.
 */
export function parseFieldSpec(spec: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of spec
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const m = /^([A-Za-z0-9_-]+)\s*:\s*(.+)$/.exec(part);
    const fields = m ? (m[2] as string).split(/[+,]/).map((f) => f.trim()) : [];
    if (!m || fields.some((f) => !/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/.test(f))) {
      throw new Error(`"${part}" is not resource:field+field`);
    }
    out[m[1] as string] = [...(out[m[1] as string] ?? []), ...fields];
  }
  if (Object.keys(out).length === 0) throw new Error('no resource given');
  return out;
}

/** The queue source options the config names (--queue-name, --queue-dead-letter, --queue-prefetch). */
export function queueSourceOptions(
  c: Partial<Pick<Config, 'queueName' | 'queueDeadLetter' | 'queuePrefetch'>>,
): QueueSourceOptions {
  return {
    ...(c.queueName === undefined ? {} : { queue: c.queueName }),
    ...(c.queueDeadLetter === undefined ? {} : { deadLetterQueue: c.queueDeadLetter }),
    ...(c.queuePrefetch === undefined ? {} : { prefetch: c.queuePrefetch }),
  };
}

const bool = z.boolean();
const list = z.array(z.string().min(1));
const positiveInt = z.number().int().min(1);

export const configSchema = z
  .object({
    transport: z
      .enum(TRANSPORTS)
      .default('stdio')
      .describe('stdio for a local client; sse and http both serve Streamable HTTP at /mcp and legacy SSE at /sse'),
    host: z.string().min(1).default('127.0.0.1').describe('HTTP bind address (a non-loopback host needs --auth-token)'),
    port: z.number().int().min(0).max(65535).default(8000).describe('HTTP port (0 picks a free port)'),
    connectionString: z
      .string()
      .min(1)
      .default(DEFAULT_CONNECTION_STRING)
      .describe('Where the data lives: file://./dir, memory://name, s3://KEY:SECRET@bucket/prefix?region=…, http://…'),
    passphrase: z.string().min(1).optional().describe('Passphrase that encrypts and decrypts secret fields'),
    authToken: z
      .string()
      .min(16, 'the auth token must be at least 16 characters')
      .optional()
      .describe('Bearer token HTTP clients must send (Authorization: Bearer …)'),
    readOnly: bool.default(false).describe('Register only the read tools'),
    disableTools: list.default([]).describe('Comma-separated tool names not to register'),
    confirmTools: list
      .default(['delete', 'deleteMany', 'heal'])
      .describe(
        'Tools that ask the user before they destroy data (heal only with dryRun false); a client that cannot ' +
          'be asked must pass confirm: true. Empty (--confirm-tools=none) asks nothing',
      ),
    revealSecrets: bool.default(false).describe('Return secret fields decrypted (needs the passphrase too)'),
    writablePluginResources: bool
      .default(false)
      .describe('Let the write tools change plugin-owned resources such as the audit log (off: read-only to agents)'),
    logLevel: z.enum(LOG_LEVELS).default('info').describe('Log level of the JSON logs on stderr'),
    queryDefaultLimit: positiveInt.default(20).describe('Records a query returns when it names no limit'),
    queryMaxLimit: positiveInt.default(200).describe('Largest limit a query may ask for'),
    maxResponseBytes: z
      .number()
      .int()
      .min(1024)
      .default(100_000)
      .describe('Byte cap on the records of one tool result; past it records are dropped and a cursor given'),
    allowedHosts: list
      .default([])
      .describe(
        'Host header values accepted over HTTP besides loopback names; needed without --auth-token behind a ' +
          'proxy that forwards a public name (with a token any Host passes unless this list is set)',
      ),
    sseMaxSessions: positiveInt
      .default(100)
      .describe('Legacy SSE: most sessions open at once; one more is answered 503 with Retry-After'),
    sseIdleTimeoutMs: positiveInt
      .default(600_000)
      .describe('Legacy SSE: ms a session may go without a message before the server closes it'),
    allowedOrigins: list.default([]).describe('Origin header values accepted over HTTP (none by default)'),
    requestTimeoutMs: positiveInt
      .optional()
      .describe('S3: ms one request may go without an answer before it fails and is retried (default 30000)'),
    connectTimeoutMs: positiveInt
      .optional()
      .describe('S3: ms to open a TCP connection before the attempt fails (default 5000)'),
    maxAttempts: positiveInt
      .optional()
      .describe('S3: attempts per request, the first included, with exponential backoff (default 4)'),
    queryConcurrency: positiveInt
      .max(256)
      .default(32)
      .describe('Parallel document reads of one query scan (32 suits a remote endpoint at ~25 ms per request)'),
    snapshots: bool
      .default(true)
      .describe('Let scans read resource snapshots (false: never read or build them; docs/queries.md)'),
    snapshotRebuildAfter: z
      .number()
      .int()
      .min(0)
      .default(100)
      .describe('Rebuild a snapshot in the background once a query reads this many changed documents (0: never)'),
    plugins: z
      .array(
        z.enum(PLUGIN_NAMES, {
          error: (issue) => `unknown plugin "${String(issue.input)}" (known: ${PLUGIN_NAMES.join(', ')})`,
        }),
      )
      .default([])
      .describe(`Plugins to enable, comma-separated: ${PLUGIN_NAMES.join(', ')}`),
    fulltext: z
      .string()
      .min(1)
      .optional()
      .describe('Full-text indexed fields (with --plugins=fulltext): resource:field+field;resource2:field'),
    cacheDriver: z
      .enum(CACHE_DRIVERS)
      .default('memory')
      .describe('Cache plugin driver: memory, filesystem (needs --cache-directory) or s3 (same bucket, shared)'),
    cacheTtlMs: z
      .number()
      .int()
      .min(0)
      .default(60_000)
      .describe("Cache entry lifetime in ms (0 = until invalidated); bounds other servers' staleness"),
    cacheDirectory: z.string().min(1).optional().describe('Directory of the filesystem cache driver'),
    counters: z
      .string()
      .min(1)
      .optional()
      .describe('Counted numeric fields (with --plugins=counters): resource:field+field;resource2:field'),
    countersIntervalMs: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .describe('Counters: consolidate pending increments this often in ms (0 = only on demand)'),
    queueUrl: z
      .string()
      .regex(/^(amqps?|sqs):\/\//, 'must be an amqp://, amqps:// or sqs:// URL')
      .optional()
      .describe(
        'Queue consumer (with --plugins=queue): amqp://user:pass@host:5672/vhost (RabbitMQ) or sqs://HOST/ACCOUNT/QUEUE (SQS)',
      ),
    queueName: z
      .string()
      .min(1)
      .optional()
      .describe('Queue consumer: the RabbitMQ queue to consume (an SQS queue is named in --queue-url)'),
    queueDeadLetter: z
      .string()
      .min(1)
      .optional()
      .describe('Queue consumer: the dead-letter queue (default NAME.dead on RabbitMQ, QUEUE-dead on SQS)'),
    queuePrefetch: positiveInt.default(20).describe('Queue consumer: messages handled at once (prefetch window)'),
    queueResources: list
      .optional()
      .describe('Queue consumer: resources messages may write, comma-separated (default: every user resource)'),
    replicateTo: list
      .default([])
      .describe(
        'Replication targets (with --plugins=replicator): postgres://…, sqs://HOST/ACCOUNT/QUEUE, s3://…, file://…',
      ),
    replicateResources: list.default([]).describe('Resources to replicate (default: every user resource)'),
    replicateSecrets: z
      .enum(['encrypted', 'clear'])
      .default('encrypted')
      .describe('How postgres and sqs targets receive secret fields: encrypted (with the passphrase) or clear'),
    replicateTargetPassphrase: z
      .string()
      .min(1)
      .optional()
      .describe('Passphrase of s3db replication targets (default: --passphrase)'),
  })
  .strict()
  .refine((c) => c.queryDefaultLimit <= c.queryMaxLimit, {
    message: 'queryDefaultLimit must not exceed queryMaxLimit',
    path: ['queryDefaultLimit'],
  })
  .superRefine((c, ctx) => {
    for (const plugin of ['fulltext', 'counters'] as const) {
      const on = c.plugins.includes(plugin);
      const spec = c[plugin];
      if (on && spec === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [plugin],
          message: `the ${plugin} plugin needs --${plugin}=resource:field+field`,
        });
      }
      if (!on && spec !== undefined) {
        ctx.addIssue({ code: 'custom', path: [plugin], message: `set, but ${plugin} is not in --plugins` });
      }
      if (spec !== undefined) {
        try {
          parseFieldSpec(spec);
        } catch (e) {
          ctx.addIssue({ code: 'custom', path: [plugin], message: (e as Error).message });
        }
      }
    }
    if (c.plugins.includes('queue')) {
      if (c.queueUrl === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['queueUrl'],
          message: 'the queue plugin needs --queue-url=amqp://… (with --queue-name=NAME) or --queue-url=sqs://…',
        });
      } else {
        try {
          createQueueSource(c.queueUrl, queueSourceOptions(c));
        } catch (e) {
          const hint = (e as { hint?: string }).hint;
          const message = `${(e as Error).message}${hint === undefined ? '' : ` (${hint})`}`;
          ctx.addIssue({ code: 'custom', path: ['queueUrl'], message });
        }
      }
    }
    const replicating = c.plugins.includes('replicator');
    if (replicating && c.replicateTo.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['replicateTo'],
        message: 'the replicator plugin needs --replicate-to=URL',
      });
    }
    if (!replicating && c.replicateTo.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['replicateTo'], message: 'set, but replicator is not in --plugins' });
    }
    c.replicateTo.forEach((url, i) => {
      try {
        createTarget(url, {}, i);
      } catch (e) {
        const hint = (e as { hint?: string }).hint;
        const message = `${(e as Error).message}${hint === undefined ? '' : ` (${hint})`}`;
        ctx.addIssue({ code: 'custom', path: ['replicateTo'], message });
      }
    });
    if (c.plugins.includes('cache') && c.cacheDriver === 'filesystem' && c.cacheDirectory === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['cacheDirectory'],
        message: 'the filesystem cache driver needs a directory',
      });
    }
  });

export type Config = z.output<typeof configSchema>;
export type ConfigKey = keyof Config;

/** How a flag or environment string becomes a value: the kind of the field's type in the schema. */
export type FieldKind = 'boolean' | 'number' | 'list' | 'string';
type KindOf<T> = T extends boolean
  ? 'boolean'
  : T extends number
    ? 'number'
    : T extends readonly unknown[]
      ? 'list'
      : 'string';

interface FieldSource<K extends FieldKind = FieldKind> {
  /** Checked against the schema by the compiler (KindOf), so the two cannot drift apart. */
  kind: K;
  /** Environment variables, first one set wins. */
  env: string[];
  /** Never printed or logged in clear. */
  secret?: boolean;
}

/** How each field is read: its flag is `--kebab-case-name`, plus these environment variables. */
export const CONFIG_SOURCES: { [K in ConfigKey]: FieldSource<KindOf<NonNullable<Config[K]>>> } = {
  transport: { kind: 'string', env: ['MCP_TRANSPORT'] },
  host: { kind: 'string', env: ['MCP_SERVER_HOST'] },
  port: { kind: 'number', env: ['MCP_SERVER_PORT'] },
  connectionString: { kind: 'string', env: ['S3DB_CONNECTION_STRING', 'S3DB_CONNECTION'], secret: true },
  passphrase: { kind: 'string', env: ['S3DB_SECURITY_PASSPHRASE'], secret: true },
  authToken: { kind: 'string', env: ['S3DB_MCP_AUTH_TOKEN'], secret: true },
  readOnly: { kind: 'boolean', env: ['S3DB_MCP_READ_ONLY'] },
  disableTools: { kind: 'list', env: ['S3DB_MCP_DISABLE_TOOLS'] },
  confirmTools: { kind: 'list', env: ['S3DB_MCP_CONFIRM_TOOLS'] },
  revealSecrets: { kind: 'boolean', env: ['S3DB_MCP_REVEAL_SECRETS'] },
  writablePluginResources: { kind: 'boolean', env: ['S3DB_MCP_WRITABLE_PLUGIN_RESOURCES'] },
  logLevel: { kind: 'string', env: ['LOG_LEVEL'] },
  queryDefaultLimit: { kind: 'number', env: ['S3DB_MCP_QUERY_DEFAULT_LIMIT'] },
  queryMaxLimit: { kind: 'number', env: ['S3DB_MCP_QUERY_MAX_LIMIT'] },
  maxResponseBytes: { kind: 'number', env: ['S3DB_MCP_MAX_RESPONSE_BYTES'] },
  allowedHosts: { kind: 'list', env: ['S3DB_MCP_ALLOWED_HOSTS'] },
  allowedOrigins: { kind: 'list', env: ['S3DB_MCP_ALLOWED_ORIGINS'] },
  sseMaxSessions: { kind: 'number', env: ['S3DB_MCP_SSE_MAX_SESSIONS'] },
  sseIdleTimeoutMs: { kind: 'number', env: ['S3DB_MCP_SSE_IDLE_TIMEOUT_MS'] },
  requestTimeoutMs: { kind: 'number', env: ['S3DB_REQUEST_TIMEOUT_MS'] },
  connectTimeoutMs: { kind: 'number', env: ['S3DB_CONNECT_TIMEOUT_MS'] },
  maxAttempts: { kind: 'number', env: ['S3DB_MAX_ATTEMPTS'] },
  queryConcurrency: { kind: 'number', env: ['S3DB_QUERY_CONCURRENCY'] },
  snapshots: { kind: 'boolean', env: ['S3DB_SNAPSHOTS'] },
  snapshotRebuildAfter: { kind: 'number', env: ['S3DB_SNAPSHOT_REBUILD_AFTER'] },
  plugins: { kind: 'list', env: ['S3DB_PLUGINS'] },
  fulltext: { kind: 'string', env: ['S3DB_FULLTEXT'] },
  cacheDriver: { kind: 'string', env: ['S3DB_CACHE_DRIVER'] },
  cacheTtlMs: { kind: 'number', env: ['S3DB_CACHE_TTL_MS'] },
  cacheDirectory: { kind: 'string', env: ['S3DB_CACHE_DIRECTORY'] },
  counters: { kind: 'string', env: ['S3DB_COUNTERS'] },
  countersIntervalMs: { kind: 'number', env: ['S3DB_COUNTERS_INTERVAL_MS'] },
  queueUrl: { kind: 'string', env: ['S3DB_QUEUE_URL'], secret: true },
  queueName: { kind: 'string', env: ['S3DB_QUEUE_NAME'] },
  queueDeadLetter: { kind: 'string', env: ['S3DB_QUEUE_DEAD_LETTER'] },
  queuePrefetch: { kind: 'number', env: ['S3DB_QUEUE_PREFETCH'] },
  queueResources: { kind: 'list', env: ['S3DB_QUEUE_RESOURCES'] },
  replicateTo: { kind: 'list', env: ['S3DB_REPLICATE_TO'], secret: true },
  replicateResources: { kind: 'list', env: ['S3DB_REPLICATE_RESOURCES'] },
  replicateSecrets: { kind: 'string', env: ['S3DB_REPLICATE_SECRETS'] },
  replicateTargetPassphrase: { kind: 'string', env: ['S3DB_REPLICATE_TARGET_PASSPHRASE'], secret: true },
};

export const CONFIG_KEYS = Object.keys(CONFIG_SOURCES) as ConfigKey[];
export const SECRET_KEYS = CONFIG_KEYS.filter((k) => CONFIG_SOURCES[k].secret === true);

export function flagName(key: ConfigKey): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const FLAG_TO_KEY = new Map(CONFIG_KEYS.map((k) => [flagName(k), k]));

/** The flags for node:util parseArgs: booleans stand alone (or take =value), everything else takes a value. */
const PARSE_ARGS_OPTIONS: ParseArgsConfig['options'] = {
  ...Object.fromEntries(
    CONFIG_KEYS.map((k) => [flagName(k), { type: CONFIG_SOURCES[k].kind === 'boolean' ? 'boolean' : 'string' }]),
  ),
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
};

function parseValue(key: ConfigKey, raw: string, origin: string): unknown {
  switch (CONFIG_SOURCES[key].kind) {
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off'].includes(v)) return false;
      throw configError(`${origin} must be true or false, got "${raw}"`);
    }
    case 'number': {
      if (!/^\s*\d+\s*$/.test(raw)) throw configError(`${origin} must be a whole number, got "${raw}"`);
      return Number(raw);
    }
    case 'list':
      // "none" is the explicit empty list (an empty flag value reads as "not set" in the environment).
      if (raw.trim() === 'none') return [];
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'string':
      return raw;
  }
}

function configError(message: string): ConfigError {
  return new ConfigError(message, { hint: 'Run with --help to see every option.' });
}

type FlagsResult =
  { action: 'help' } | { action: 'version' } | { action: 'run'; values: Partial<Record<ConfigKey, unknown>> };

/**
 * Reads the flags in order with parseArgs' tokens (non-strict, so each mistake gets our own message and --help
 * wins only when it comes before a mistake, as a user reads the line).
 */
function readFlags(argv: readonly string[]): FlagsResult {
  const { tokens } = parseArgs({
    args: [...argv],
    options: PARSE_ARGS_OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Partial<Record<ConfigKey, unknown>> = {};
  for (const token of tokens) {
    // The argument as typed: "-hv" is one argument that parseArgs splits into two short options.
    const arg = argv[token.index] as string;
    if (arg === '--help' || arg === '-h') return { action: 'help' };
    if (arg === '--version' || arg === '-v') return { action: 'version' };
    if (token.kind === 'option-terminator') throw configError('Unknown option "--"');
    if (token.kind === 'positional' || !arg.startsWith('--')) {
      throw configError(`Unexpected argument "${arg}": options are written --name=value`);
    }
    const key = FLAG_TO_KEY.get(token.name);
    if (key === undefined) throw configError(`Unknown option "--${token.name}"`);
    let raw = token.value;
    if (raw === undefined && CONFIG_SOURCES[key].kind === 'boolean') raw = 'true';
    // parseArgs takes the next argument as the value even when it is the next option: "--port --read-only".
    if (raw === undefined || (token.inlineValue === false && raw.startsWith('--'))) {
      throw configError(`Option --${token.name} needs a value`);
    }
    values[key] = parseValue(key, raw, `--${token.name}`);
  }
  return { action: 'run', values };
}

/** Where each value came from, for the startup log and the "default store" notice. */
export type ConfigOrigin = 'flag' | 'env' | 'default';

export type LoadResult =
  | { action: 'run'; config: Config; origins: Record<ConfigKey, ConfigOrigin> }
  | { action: 'help'; text: string }
  | { action: 'version' };

/**
 * Builds the config from argv (without node and the script) and an environment. Throws ConfigError on an unknown
 * flag, a positional argument or a malformed value — a typo must never silently leave a default in place.
 */
export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): LoadResult {
  const flags = readFlags(argv);
  if (flags.action === 'help') return { action: 'help', text: helpText() };
  if (flags.action === 'version') return flags;
  const fromFlags = flags.values;

  const input: Partial<Record<ConfigKey, unknown>> = {};
  const origins = {} as Record<ConfigKey, ConfigOrigin>;
  for (const key of CONFIG_KEYS) {
    origins[key] = 'default';
    if (Object.hasOwn(fromFlags, key)) {
      input[key] = fromFlags[key];
      origins[key] = 'flag';
      continue;
    }
    const envName = CONFIG_SOURCES[key].env.find((n) => env[n] !== undefined && env[n] !== '');
    if (envName !== undefined) {
      input[key] = parseValue(key, env[envName] as string, envName);
      origins[key] = 'env';
    }
  }

  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path[0] as ConfigKey | undefined;
      const where = key === undefined ? 'config' : `--${flagName(key)}`;
      return `${where}: ${issue.message}`;
    });
    throw configError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return { action: 'run', config: parsed.data, origins };
}

/** A copy safe to print: secrets replaced (the connection string keeps its scheme and location). */
export function redactConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const key of SECRET_KEYS) {
    const value = config[key];
    if (value === undefined) continue;
    out[key] = key === 'connectionString' ? redactUrlCredentials(String(value)) : '[redacted]';
  }
  return out;
}

/** Hides the user-info part and credential-looking query parameters of a URL-like connection string. */
export function redactUrlCredentials(connection: string): string {
  return connection
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1[redacted]@')
    .replace(/([?&](?:secret|secretAccessKey|accessKeyId|sessionToken|password|token)[^=&]*=)[^&]*/gi, '$1[redacted]');
}

export function helpText(): string {
  const lines = [
    'Usage: s3db-mcp-server [options]',
    '',
    'An MCP server that gives AI agents a document database stored in an S3 bucket.',
    'Options (flag > environment variable > default):',
    '',
  ];
  for (const key of CONFIG_KEYS) {
    const schema = configSchema.shape[key];
    const kind = CONFIG_SOURCES[key].kind;
    const flag = `--${flagName(key)}${kind === 'boolean' ? '' : kind === 'list' ? '=a,b' : '=VALUE'}`;
    const def = defaultOf(key);
    const source = CONFIG_SOURCES[key];
    lines.push(`  ${flag}`);
    lines.push(`      ${schema.description ?? ''}`);
    const facts = [`env ${source.env.join(' or ')}`];
    if (def !== undefined) facts.push(`default ${JSON.stringify(def)}`);
    if (source.secret === true) facts.push('secret');
    lines.push(`      (${facts.join('; ')})`);
  }
  lines.push('  --help        Show this help', '  --version     Show the version', '');
  return lines.join('\n');
}

/** The default a field takes when neither a flag nor the environment sets it. */
export function defaultOf(key: ConfigKey): unknown {
  const result = configSchema.shape[key].safeParse(undefined);
  return result.success ? result.data : undefined;
}
