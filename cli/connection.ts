// Which store the CLI opens, read exactly as the server reads it (server/config.ts: S3DB_CONNECTION_STRING or
// S3DB_CONNECTION, S3DB_SECURITY_PASSPHRASE, the S3 timeouts, plugins), with --connection and --passphrase on top.
import { parseConnectionString, redactConnectionString, type Database } from '../engine/index.js';
import { DEFAULT_CONNECTION_STRING, createLogger, loadConfig, openDatabase, type Config } from '../server/index.js';

export interface ConnectionFlags {
  connection?: string;
  passphrase?: string;
}

export interface Connection {
  config: Config;
  /** The connection string with its credentials hidden, for messages. */
  shown: string;
  /** Neither a flag nor the environment named a store: the embedded default is used. */
  isDefault: boolean;
}

/** Resolves the connection; throws ConfigError (exit 2) on a malformed string or environment variable. */
export function resolveConnection(
  flags: ConnectionFlags,
  env: Readonly<Record<string, string | undefined>>,
): Connection {
  const loaded = loadConfig([], env);
  if (loaded.action !== 'run') throw new Error('unreachable: no flags were given');
  // Engine logs (pino JSON) would drown a person's output: silent unless LOG_LEVEL asks for them.
  const config: Config = {
    ...loaded.config,
    logLevel: loaded.origins.logLevel === 'env' ? loaded.config.logLevel : 'silent',
    ...(flags.connection === undefined ? {} : { connectionString: flags.connection }),
    ...(flags.passphrase === undefined ? {} : { passphrase: flags.passphrase }),
  };
  parseConnectionString(config.connectionString);
  return {
    config,
    shown: redactConnectionString(config.connectionString),
    isDefault: flags.connection === undefined && loaded.origins.connectionString === 'default',
  };
}

export const DEFAULT_CONNECTION = DEFAULT_CONNECTION_STRING;

/** Opens and connects the database the connection names; the caller closes it. */
export function connect(connection: Connection): Promise<Database> {
  return openDatabase(connection.config, createLogger(connection.config));
}
