// POST /mcp straight from node:http to the SDK's web-standard handler, without express and without the SDK's
// generic Node adapter. The generic adapter re-serialises a parsed body or lets the handler clone and re-read the
// request stream to classify it, and writes a JSON answer as head + chunks + end; a call that answers in a few
// microseconds in the engine paid for all of that (docs/benchmarks.md, "MCP cost"). Here the body is read once
// (capped), parsed once and handed over as `parsedBody`, and a JSON answer goes out in one write; an SSE answer
// (progress or logging before the result) is streamed with backpressure as before.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpHttpHandler } from '@modelcontextprotocol/server';
import { jsonRpcError } from './json-rpc-error.js';

export type NodeListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  if (Number(req.headers['content-length']) > maxBytes) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.byteLength;
    if (received > maxBytes) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string): void {
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(status, headers);
  res.end(body);
}

function webRequest(req: IncomingMessage, body: string, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/mcp'}`;
  return new Request(url, { method: 'POST', headers, signal, ...(body.length > 0 ? { body } : {}) });
}

async function stream(res: ServerResponse, body: ReadableStream<Uint8Array>, closed: AbortSignal): Promise<void> {
  const gone = new Promise<void>((resolve) => closed.addEventListener('abort', () => resolve(), { once: true }));
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      if (closed.aborted) break;
      if (!res.write(chunk)) await Promise.race([new Promise((resolve) => res.once('drain', resolve)), gone]);
    }
  } catch {
    // The client went away mid-stream: nothing left to write to.
  }
  res.end();
}

/** The POST /mcp listener; checks (Host, Origin, token) are the caller's, done before this runs. */
export function mcpEndpoint(
  handler: McpHttpHandler,
  maxBodyBytes: number,
  onerror: (error: unknown) => void,
): NodeListener {
  return async (req, res) => {
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    let text: string;
    try {
      text = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        jsonRpcError(res, 413, `Request body too large (limit ${maxBodyBytes} bytes)`, -32600, { connection: 'close' });
      } else {
        res.destroy();
      }
      return;
    }
    // A body that is not JSON is left to the handler, which answers it with the JSON-RPC parse error.
    let parsedBody: unknown;
    try {
      parsedBody = text.length === 0 ? undefined : (JSON.parse(text) as unknown);
    } catch {
      parsedBody = undefined;
    }
    let response: Response;
    try {
      response = await handler.fetch(webRequest(req, text, abort.signal), { parsedBody });
    } catch (error) {
      onerror(error);
      jsonRpcError(res, 500, 'Internal server error', -32603);
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of response.headers) headers[name] = value;
    if (response.body === null) {
      send(res, response.status, headers);
    } else if (!(headers['content-type'] ?? '').startsWith('text/event-stream')) {
      send(res, response.status, headers, await response.text());
    } else {
      res.writeHead(response.status, headers);
      await stream(res, response.body, abort.signal);
    }
  };
}
