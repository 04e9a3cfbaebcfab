// The whole server configuration: one zod schema, filled from CLI flags > environment > defaults. This is the
// only module that reads process.argv / process.env (main.ts passes them in); everything else gets a Config.
import { z } from 'zod';
import { ConfigError } from '../engine/index.js';

export const TRANSPORTS = ['stdio', 'sse', 'http'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const DEFAULT_CONNECTION_STRING = 'file://./s3db-data';
/** Plugins the server can enable (--plugins): cache, audit, metrics, fulltext. */
export const PLUGIN_NAMES = ['cache', 'audit', 'metrics', 'fulltext'] as const;
export type PluginName = (typeof PLUGIN_NAMES)[number];
export const CACHE_DRIVERS = ['memory', 'filesystem', 's3'] as const;

/**
 * Parses a --fulltext spec, `articles:title+body;notes:text` (fields joined by + or ,), into resource → fields.
 * Throws a plain Error with the reason when malformed.
 */
export function parseFulltextSpec(spec: string): Record<string, string[]> {
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
    revealSecrets: bool.default(false).describe('Return secret fields decrypted (needs the passphrase too)'),
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
      .describe('Extra Host header values accepted over HTTP (loopback names with the port always are)'),
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
  })
  .strict()
  .refine((c) => c.queryDefaultLimit <= c.queryMaxLimit, {
    message: 'queryDefaultLimit must not exceed queryMaxLimit',
    path: ['queryDefaultLimit'],
  })
  .superRefine((c, ctx) => {
    const on = c.plugins.includes('fulltext');
    if (on && c.fulltext === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['fulltext'],
        message: 'the fulltext plugin needs --fulltext=resource:field+field',
      });
    }
    if (!on && c.fulltext !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['fulltext'], message: 'set, but fulltext is not in --plugins' });
    }
    if (c.fulltext !== undefined) {
      try {
        parseFulltextSpec(c.fulltext);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['fulltext'], message: (e as Error).message });
      }
    }
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

interface FieldSource {
  /** Environment variables, first one set wins. */
  env: string[];
  /** Never printed or logged in clear. */
  secret?: boolean;
}

/** Where each field may come from besides its flag (`--kebab-case-name`). */
export const CONFIG_SOURCES: Record<ConfigKey, FieldSource> = {
  transport: { env: ['MCP_TRANSPORT'] },
  host: { env: ['MCP_SERVER_HOST'] },
  port: { env: ['MCP_SERVER_PORT'] },
  connectionString: { env: ['S3DB_CONNECTION_STRING', 'S3DB_CONNECTION'], secret: true },
  passphrase: { env: ['S3DB_SECURITY_PASSPHRASE'], secret: true },
  authToken: { env: ['S3DB_MCP_AUTH_TOKEN'], secret: true },
  readOnly: { env: ['S3DB_MCP_READ_ONLY'] },
  disableTools: { env: ['S3DB_MCP_DISABLE_TOOLS'] },
  revealSecrets: { env: ['S3DB_MCP_REVEAL_SECRETS'] },
  logLevel: { env: ['LOG_LEVEL'] },
  queryDefaultLimit: { env: ['S3DB_MCP_QUERY_DEFAULT_LIMIT'] },
  queryMaxLimit: { env: ['S3DB_MCP_QUERY_MAX_LIMIT'] },
  maxResponseBytes: { env: ['S3DB_MCP_MAX_RESPONSE_BYTES'] },
  allowedHosts: { env: ['S3DB_MCP_ALLOWED_HOSTS'] },
  allowedOrigins: { env: ['S3DB_MCP_ALLOWED_ORIGINS'] },
  requestTimeoutMs: { env: ['S3DB_REQUEST_TIMEOUT_MS'] },
  connectTimeoutMs: { env: ['S3DB_CONNECT_TIMEOUT_MS'] },
  maxAttempts: { env: ['S3DB_MAX_ATTEMPTS'] },
  plugins: { env: ['S3DB_PLUGINS'] },
  fulltext: { env: ['S3DB_FULLTEXT'] },
  cacheDriver: { env: ['S3DB_CACHE_DRIVER'] },
  cacheTtlMs: { env: ['S3DB_CACHE_TTL_MS'] },
  cacheDirectory: { env: ['S3DB_CACHE_DIRECTORY'] },
};

export const CONFIG_KEYS = Object.keys(CONFIG_SOURCES) as ConfigKey[];
export const SECRET_KEYS = CONFIG_KEYS.filter((k) => CONFIG_SOURCES[k].secret === true);

type FieldKind = 'boolean' | 'number' | 'list' | 'string';

function fieldShape(key: ConfigKey): z.ZodType {
  return configSchema.shape[key];
}

/** Unwraps default/optional to the field's base kind, to parse strings from flags and env. */
function fieldKind(key: ConfigKey): FieldKind {
  let schema = fieldShape(key) as unknown as { def: { type: string; innerType?: unknown } };
  while (schema.def.type === 'default' || schema.def.type === 'optional') {
    schema = schema.def.innerType as typeof schema;
  }
  const type = schema.def.type;
  if (type === 'boolean') return 'boolean';
  if (type === 'number') return 'number';
  if (type === 'array') return 'list';
  return 'string';
}

export function flagName(key: ConfigKey): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const FLAG_TO_KEY = new Map(CONFIG_KEYS.map((k) => [flagName(k), k]));

function parseValue(key: ConfigKey, raw: string, origin: string): unknown {
  switch (fieldKind(key)) {
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
  const fromFlags: Partial<Record<ConfigKey, unknown>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return { action: 'help', text: helpText() };
    if (arg === '--version' || arg === '-v') return { action: 'version' };
    if (!arg.startsWith('--')) throw configError(`Unexpected argument "${arg}": options are written --name=value`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const key = FLAG_TO_KEY.get(name);
    if (key === undefined) throw configError(`Unknown option "--${name}"`);
    let raw: string;
    if (eq !== -1) raw = arg.slice(eq + 1);
    else if (fieldKind(key) === 'boolean') raw = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw configError(`Option --${name} needs a value`);
      raw = next;
      i++;
    }
    fromFlags[key] = parseValue(key, raw, `--${name}`);
  }

  const input: Partial<Record<ConfigKey, unknown>> = {};
  const origins = {} as Record<ConfigKey, ConfigOrigin>;
  for (const key of CONFIG_KEYS) {
    origins[key] = 'default';
    if (key in fromFlags) {
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
    const schema = fieldShape(key);
    const kind = fieldKind(key);
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
  const result = fieldShape(key).safeParse(undefined);
  return result.success ? result.data : undefined;
}
