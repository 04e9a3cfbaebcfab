// A tools/call whose `arguments` is not an object (null, an array, a string) fails the SDK's request schema
// before any tool runs, and the SDK answers it as a JSON-RPC *internal* error (-32603) with zod's issue dump.
// It is the caller's mistake, so it gets the same isError VALIDATION result as any other bad argument.
import type { CallToolResult, McpServer } from '@modelcontextprotocol/server';

type RequestHandler = (
  request: { params?: { name?: unknown; arguments?: unknown } },
  extra: unknown,
) => Promise<unknown>;

/** Wraps the tools/call handler (the SDK, 1.x and 2.x alike, keeps handlers in the Protocol's private `_requestHandlers` map). */
export function refuseNonObjectArguments(server: McpServer): void {
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, RequestHandler> })._requestHandlers;
  const inner = handlers?.get('tools/call');
  if (!handlers || !inner) return;
  handlers.set('tools/call', async (request, extra) => {
    const args = request.params?.arguments;
    if (args === undefined || (typeof args === 'object' && args !== null && !Array.isArray(args))) {
      return inner(request, extra);
    }
    const kind = args === null ? 'null' : Array.isArray(args) ? 'an array' : `a ${typeof args}`;
    const result: CallToolResult = {
      isError: true,
      content: [
        {
          type: 'text',
          text:
            `Error [VALIDATION]: the arguments of a tool call must be a JSON object, not ${kind}\n` +
            'Hint: Send params.arguments as an object of named arguments, e.g. {"resource":"users","id":"u1"}, or omit it.',
        },
      ],
    };
    return result;
  });
}
