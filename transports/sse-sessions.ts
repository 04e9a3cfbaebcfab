// The legacy SSE sessions (GET /sse + POST /messages): bounded in number and closed when idle, since each open
// stream holds a server instance (~60 kB) for as long as the client keeps the socket.
import type { Request, Response } from 'express';
import type { McpServer } from '@modelcontextprotocol/server';
import { jsonRpcError } from './json-rpc-error.js';
import { SseServerTransport } from './sse-transport.js';

export interface SseLimits {
  /** Most sessions open at once; one more gets 503 with Retry-After. */
  maxSessions: number;
  /** A session with no message for this long is closed (the client reconnects with GET /sse). */
  idleTimeoutMs: number;
}

interface Session {
  transport: SseServerTransport;
  server: McpServer;
  timer: NodeJS.Timeout;
}

export interface SseSessions {
  open(req: Request, res: Response): Promise<void>;
  post(req: Request, res: Response): Promise<void>;
  readonly size: number;
  closeAll(): Promise<void>;
}

export function sseSessions(
  limits: SseLimits,
  makeServer: () => McpServer,
  logger: { info(obj: object, msg?: string): void; error(obj: object, msg?: string): void },
): SseSessions {
  const sessions = new Map<string, Session>();

  const end = async (id: string, why: string): Promise<void> => {
    const session = sessions.get(id);
    if (session === undefined) return;
    sessions.delete(id);
    clearTimeout(session.timer);
    logger.info({ session: id, why, open: sessions.size }, 'SSE session closed');
    await session.server.close().catch(() => undefined);
  };
  const idleTimer = (id: string): NodeJS.Timeout => {
    const timer = setTimeout(() => void end(id, 'idle'), limits.idleTimeoutMs);
    timer.unref();
    return timer;
  };

  return {
    get size() {
      return sessions.size;
    },
    async open(_req, res) {
      if (sessions.size >= limits.maxSessions) {
        res.setHeader('Retry-After', '30');
        jsonRpcError(
          res,
          503,
          `Too many SSE sessions open (limit ${limits.maxSessions}); retry later or use POST /mcp`,
        );
        return;
      }
      const transport = new SseServerTransport('/messages', res);
      const server = makeServer();
      const id = transport.sessionId;
      sessions.set(id, { transport, server, timer: idleTimer(id) });
      res.on('close', () => void end(id, 'client closed the stream'));
      try {
        await server.connect(transport);
      } catch (error) {
        logger.error({ err: error }, 'SSE session failed to start');
        await end(id, 'failed to start');
      }
    },
    async post(req, res) {
      const id = typeof req.query.sessionId === 'string' ? req.query.sessionId : '';
      const session = sessions.get(id);
      if (session === undefined) {
        jsonRpcError(res, 404, 'Unknown or closed SSE session: open a new one with GET /sse');
        return;
      }
      clearTimeout(session.timer);
      session.timer = idleTimer(id);
      if (!session.transport.receive(req.body)) {
        jsonRpcError(res, 400, 'Invalid request: the body is not a JSON-RPC 2.0 message', -32600);
        return;
      }
      res.status(202).json({ accepted: true });
    },
    async closeAll() {
      await Promise.allSettled([...sessions.keys()].map((id) => end(id, 'server shutting down')));
    },
  };
}
