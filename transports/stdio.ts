// stdio: one server for one client over stdin/stdout. stdout carries only JSON-RPC from here on.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

export interface RunningTransport {
  close(): Promise<void>;
}

export async function startStdio(server: McpServer): Promise<RunningTransport> {
  const transport = new StdioServerTransport();
  await server.connect(transport);
  return { close: () => server.close() };
}
