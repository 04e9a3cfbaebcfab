// The databases the MCP tool suites run on: a fake with the documented semantics, and the real engine on the
// memory store wherever engine/index.ts exports Database (it lands in parallel; see docs/engine-api.md).
import { MemoryStore, type ObjectStore } from '../../../engine/index.js';
import type { ToolDatabase } from '../../../tools/index.js';
import { FakeDatabase } from './fake-database.js';

type DatabaseClass = new (options: { store: ObjectStore; passphrase?: string }) => ToolDatabase & {
  connect(): Promise<void>;
};

export const DATABASES: { name: string; make: () => Promise<ToolDatabase> }[] = [
  { name: 'fake database', make: async () => new FakeDatabase(true) },
];

const engine = (await import('../../../engine/index.js')) as { Database?: DatabaseClass };
const RealDatabase = engine.Database;
if (RealDatabase !== undefined) {
  DATABASES.push({
    name: 'engine on MemoryStore',
    make: async () => {
      // With a passphrase, as a server that stores secret fields must be; the MCP layer still masks them.
      const db = new RealDatabase({ store: new MemoryStore(), passphrase: 'mcp test passphrase' });
      await db.connect();
      return db;
    },
  });
}
