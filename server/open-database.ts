// Opens the store a connection string names and connects the engine's Database over it.
import { Database, openStore } from '../engine/index.js';
import type { ToolDatabase } from '../tools/index.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

export interface OpenedDatabase {
  db: ToolDatabase;
  close(): Promise<void>;
}

export async function openDatabase(
  config: Pick<Config, 'connectionString' | 'passphrase'> &
    Partial<Pick<Config, 'requestTimeoutMs' | 'connectTimeoutMs' | 'maxAttempts'>>,
  logger: Logger,
): Promise<OpenedDatabase> {
  // Defaults for the s3 store; the connection string's own ?requestTimeoutMs=… options win.
  const tuning = {
    ...(config.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: config.requestTimeoutMs }),
    ...(config.connectTimeoutMs === undefined ? {} : { connectionTimeoutMs: config.connectTimeoutMs }),
    ...(config.maxAttempts === undefined ? {} : { maxAttempts: config.maxAttempts }),
  };
  const store = openStore(config.connectionString, tuning);
  const db = new Database({
    store,
    logger: logger.child({ component: 'engine' }),
    ...(config.passphrase === undefined ? {} : { passphrase: config.passphrase }),
  });
  await db.connect();
  return { db, close: () => db.close() };
}
