// The legacy HTTP+SSE transport (protocol 2024-11-05) on SDK v2's Transport interface. SDK v2 no longer ships
// it; its frozen copy (@modelcontextprotocol/server-legacy) is deprecated on npm and prints a warning on every
// install of this server. The transport is small: GET opens an event stream whose first event names the URL to
// POST messages to; every server message is one `message` event on that stream.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';

/** A JSON-RPC 2.0 message in the shape the SDK accepts (it validates the rest against the method's schema). */
export function isJsonRpcMessage(value: unknown): value is JSONRPCMessage {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const m = value as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') return false;
  const idOk = typeof m.id === 'string' || typeof m.id === 'number';
  if (typeof m.method === 'string') return m.id === undefined || idOk;
  return idOk && (Object.hasOwn(m, 'result') || Object.hasOwn(m, 'error'));
}

export class SseServerTransport implements Transport {
  readonly sessionId = randomUUID();
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;
  private closed = false;

  /** `endpoint` is the path clients POST to; the session id is added as `?sessionId=`. */
  constructor(
    private readonly endpoint: string,
    private readonly res: ServerResponse,
  ) {}

  start(): Promise<void> {
    this.res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
    });
    this.res.write(`event: endpoint\ndata: ${this.endpoint}?sessionId=${this.sessionId}\n\n`);
    this.res.on('close', () => this.finish());
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.reject(new Error('SSE stream closed'));
    this.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
    return Promise.resolve();
  }

  /** Delivers the body of one POST (a message or a 2024-11-05 batch); false when it is not JSON-RPC. */
  receive(body: unknown): boolean {
    const messages = Array.isArray(body) ? body : [body];
    if (messages.length === 0 || !messages.every(isJsonRpcMessage)) return false;
    for (const message of messages) this.onmessage?.(message);
    return true;
  }

  close(): Promise<void> {
    if (!this.res.writableEnded) this.res.end();
    this.finish();
    return Promise.resolve();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}
