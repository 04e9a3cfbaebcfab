// The databases the MCP suites run on: the real engine, on every test store (memory, file, the run's S3 server).
import { Database, MemoryStore, type ObjectStore } from '../../../engine/index.js';
import { testStores, type TestStore } from '../../support/stores.js';

export const TEST_PASSPHRASE = 'mcp test passphrase';

/** A connected engine Database; with a passphrase unless told otherwise, as a server storing secrets must be. */
export async function engineDatabase(options: { store?: ObjectStore; passphrase?: boolean } = {}): Promise<Database> {
  const db = new Database({
    store: options.store ?? new MemoryStore(),
    ...(options.passphrase === false ? {} : { passphrase: TEST_PASSPHRASE }),
  });
  await db.connect();
  return db;
}

export const DATABASES: { name: string; store: TestStore; make: () => Promise<Database> }[] = testStores().map(
  (store) => ({
    name: `engine on ${store.name}`,
    store,
    make: async () => engineDatabase({ store: await store.create() }),
  }),
);
