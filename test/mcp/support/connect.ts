// Connects a real SDK Client to createServer over InMemoryTransport, with a config built from the schema.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { configSchema, createLogger, createServer, type Config } from '../../../server/index.js';
import type { ToolDatabase } from '../../../tools/index.js';

export function testConfig(overrides: Partial<Config> = {}): Config {
  return configSchema.parse({ logLevel: 'silent', ...overrides });
}

export interface Connected {
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

export async function connect(
  db: ToolDatabase,
  overrides: Partial<Config> = {},
  clientOptions: ConstructorParameters<typeof Client>[1] = {},
): Promise<Connected> {
  const config = testConfig(overrides);
  const server = createServer({ db, config, logger: createLogger(config) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test', version: '1.0.0' }, clientOptions);
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return {
    client,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

/** The text of a result's first content item. */
export function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first !== undefined && first.type === 'text' ? first.text : '';
}

/** structuredContent typed loosely for assertions. */
export function structured<T = Record<string, unknown>>(result: CallToolResult): T {
  return result.structuredContent as T;
}
