// What the raw-HTTP and raw-stdio tests send by hand: a 2025-06-18 initialize request and the headers a
// Streamable HTTP client puts on a POST.
export const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};

export const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
