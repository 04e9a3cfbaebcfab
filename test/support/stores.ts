// The stores every engine suite runs against (`for (const s of testStores()) describe(s.name, …)`).
import { MemoryStore, type ObjectStore } from '../../engine/index.js';

export interface TestStore {
  name: string;
  /** A fresh, empty store (its own bucket or prefix). */
  create(): Promise<ObjectStore>;
}

export function testStores(): TestStore[] {
  return [{ name: 'memory', create: async () => new MemoryStore() }];
}
