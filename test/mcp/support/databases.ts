// The databases the MCP tool suites run on.
import type { ToolDatabase } from '../../../tools/index.js';
import { FakeDatabase } from './fake-database.js';

export const DATABASES: { name: string; make: () => Promise<ToolDatabase> }[] = [
  { name: 'fake database', make: async () => new FakeDatabase() },
];
