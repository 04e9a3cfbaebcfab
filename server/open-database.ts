// Opens the store a connection string names and connects the engine's Database over it.
import * as engine from '../engine/index.js';
import { ConfigError, type EngineLogger, type ObjectStore } from '../engine/index.js';
import type { ToolDatabase } from '../tools/index.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

/**
 * The two engine entry points this file needs (docs/engine-api.md, "Opening"), typed structurally so the server
 * builds while the engine and storage branches land in parallel. Replace with direct imports once both are on main.
 */
interface EngineEntryPoints {
  openStore?: (connectionString: string) => ObjectStore;
  Database?: new (options: { store: ObjectStore; passphrase?: string; logger?: EngineLogger }) => ToolDatabase & {
    connect(): Promise<void>;
    close(): Promise<void>;
  };
}

export interface OpenedDatabase {
  db: ToolDatabase;
  close(): Promise<void>;
}

export async function openDatabase(
  config: Pick<Config, 'connectionString' | 'passphrase'>,
  logger: Logger,
): Promise<OpenedDatabase> {
  const { openStore, Database } = engine as EngineEntryPoints;
  if (openStore === undefined || Database === undefined) {
    throw new ConfigError('This build has no storage engine (openStore / Database are missing)', {
      hint: 'Build from a revision where engine/index.ts exports Database and openStore.',
    });
  }
  const store = openStore(config.connectionString);
  const db = new Database({
    store,
    logger: logger.child({ component: 'engine' }),
    ...(config.passphrase === undefined ? {} : { passphrase: config.passphrase }),
  });
  await db.connect();
  return { db, close: () => db.close() };
}
