// The one shape of every HTTP error answer: a JSON-RPC error body (id null), never a stack or a path.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

export function jsonRpcError(
  res: ServerResponse,
  status: number,
  message: string,
  code = -32000,
  headers: OutgoingHttpHeaders = {},
): void {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  res
    .writeHead(status, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    })
    .end(body);
}
