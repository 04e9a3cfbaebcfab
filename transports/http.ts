// One express app serving Streamable HTTP (stateless) at /mcp and the legacy SSE transport at /sse + /messages,
// plus /healthz and /metrics (Prometheus text). Host and Origin are checked on every MCP route and /metrics
// (403), and a bearer token when one is set (401).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ConfigError } from '../engine/index.js';
import type { RunningTransport } from './stdio.js';

/** The config slice HTTP needs (the server's Config satisfies it). */
export interface HttpOptions {
  host: string;
  port: number;
  authToken?: string | undefined;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  /** Serves GET /metrics (Prometheus text) behind the same Host/Origin/token checks as /mcp, when set. */
  metrics?: (() => string | Promise<string>) | undefined;
}

export interface HttpLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** Makes a fresh McpServer; `elicitation` is false where the client's answer could not reach it (stateless). */
export type ServerFactory = (options: { elicitation: boolean }) => McpServer;

export interface RunningHttp extends RunningTransport {
  httpServer: HttpServer;
  /** Base URL, e.g. http://127.0.0.1:8000 */
  url: string;
  port: number;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function jsonRpcError(res: Response, status: number, message: string, code = -32000): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time: both sides are hashed to equal-length buffers before timingSafeEqual. */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Refuses a public bind without a token, with a message that says how to set one. */
export function assertSafeBind(options: Pick<HttpOptions, 'host' | 'authToken'>): void {
  if (!isLoopbackHost(options.host) && options.authToken === undefined) {
    throw new ConfigError(`Refusing to listen on ${options.host} without an auth token: anyone could reach the data.`, {
      hint:
        'Set a token of at least 16 characters with --auth-token=… or S3DB_MCP_AUTH_TOKEN=… ' +
        '(e.g. S3DB_MCP_AUTH_TOKEN=$(openssl rand -hex 32)), or bind to 127.0.0.1.',
    });
  }
}

export function createHttpApp(
  options: HttpOptions,
  makeServer: ServerFactory,
  logger: HttpLogger,
  boundPort: () => number,
): { app: express.Express; closeSessions(): Promise<void> } {
  const app = express();
  app.disable('x-powered-by');
  const startedAt = Date.now();

  const hostAllowed = (header: string | undefined): boolean => {
    if (header === undefined) return false;
    const port = boundPort();
    const defaults = LOOPBACK_NAMES.map((name) => `${name}:${port}`);
    if (defaults.includes(header)) return true;
    return options.allowedHosts.some((entry) => entry === header || entry === header.replace(/:\d+$/, ''));
  };
  const originAllowed = (origin: string | undefined): boolean => {
    if (origin === undefined) return true;
    const port = boundPort();
    const sameOrigin = LOOPBACK_NAMES.map((name) => `http://${name}:${port}`);
    return sameOrigin.includes(origin) || options.allowedOrigins.includes(origin);
  };

  const guard = (req: Request, res: Response, next: NextFunction): void => {
    if (!hostAllowed(req.headers.host)) {
      logger.warn({ host: req.headers.host, path: req.path }, 'rejected a request with a foreign Host header');
      jsonRpcError(res, 403, 'Forbidden: Host header not allowed (see --allowed-hosts)');
      return;
    }
    if (!originAllowed(req.headers.origin)) {
      logger.warn({ origin: req.headers.origin, path: req.path }, 'rejected a request with a foreign Origin header');
      jsonRpcError(res, 403, 'Forbidden: Origin not allowed (see --allowed-origins)');
      return;
    }
    if (options.authToken !== undefined) {
      const header = req.headers.authorization ?? '';
      const match = /^Bearer (.+)$/i.exec(header);
      if (match === null || !tokenMatches(match[1] as string, options.authToken)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="s3db-mcp-server"');
        jsonRpcError(res, 401, 'Unauthorized: send Authorization: Bearer <token>');
        return;
      }
    }
    next();
  };

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
  });

  const json = express.json({ limit: '8mb' });

  app.get('/metrics', guard, async (_req, res) => {
    if (options.metrics === undefined) {
      res.status(404).json({ error: 'Not found: this server exposes no metrics' });
      return;
    }
    try {
      const text = await options.metrics();
      res.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
      res.send(text);
    } catch (error) {
      logger.error({ err: error }, 'metrics failed');
      res.status(500).type('text/plain').send('metrics failed; see the server log\n');
    }
  });

  // Streamable HTTP, stateless: a new server and transport per POST, closed with the response.
  app.post('/mcp', guard, json, async (req, res) => {
    const server = makeServer({ elicitation: false });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (error) {
      logger.error({ err: error }, 'Streamable HTTP request failed');
      if (!res.headersSent) jsonRpcError(res, 500, 'Internal server error', -32603);
    }
  });
  // Stateless: there is no stream to resume (GET) and no session to end (DELETE).
  const notAllowed = (_req: Request, res: Response): void => {
    res.setHeader('Allow', 'POST');
    jsonRpcError(res, 405, 'Method not allowed: this server is stateless; POST JSON-RPC to /mcp');
  };
  app.get('/mcp', guard, notAllowed);
  app.delete('/mcp', guard, notAllowed);

  // Legacy SSE (protocol 2024-11-05): GET /sse opens a session, POST /messages?sessionId=… carries requests.
  const sessions = new Map<string, { transport: SSEServerTransport; server: McpServer }>();
  app.get('/sse', guard, async (_req, res) => {
    const transport = new SSEServerTransport('/messages', res);
    const server = makeServer({ elicitation: true });
    sessions.set(transport.sessionId, { transport, server });
    res.on('close', () => {
      sessions.delete(transport.sessionId);
      void server.close();
    });
    try {
      await server.connect(transport);
    } catch (error) {
      logger.error({ err: error }, 'SSE session failed to start');
      sessions.delete(transport.sessionId);
    }
  });
  app.post('/messages', guard, json, async (req, res) => {
    const id = typeof req.query.sessionId === 'string' ? req.query.sessionId : '';
    const session = sessions.get(id);
    if (session === undefined) {
      jsonRpcError(res, 404, 'Unknown or closed SSE session: open a new one with GET /sse');
      return;
    }
    try {
      await session.transport.handlePostMessage(req, res, req.body);
    } catch (error) {
      logger.error({ err: error }, 'SSE message failed');
      if (!res.headersSent) jsonRpcError(res, 500, 'Internal server error', -32603);
    }
  });

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'Not found: MCP is served at POST /mcp (or GET /sse), health at /healthz' });
  });

  const closeSessions = async (): Promise<void> => {
    const open = [...sessions.values()];
    sessions.clear();
    await Promise.allSettled(open.map((s) => s.server.close()));
  };
  return { app, closeSessions };
}

/** Starts the HTTP transports; resolves once listening. Port 0 picks a free port (see `port` in the result). */
export async function startHttp(
  options: HttpOptions,
  makeServer: ServerFactory,
  logger: HttpLogger,
): Promise<RunningHttp> {
  assertSafeBind(options);
  let port = options.port;
  const { app, closeSessions } = createHttpApp(options, makeServer, logger, () => port);
  const httpServer = await new Promise<HttpServer>((resolve, reject) => {
    const server = app.listen(options.port, options.host);
    server.once('listening', () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new ConfigError(`Cannot listen on ${options.host}:${options.port} (${error.code ?? 'error'})`, {
          hint: error.code === 'EADDRINUSE' ? 'Pick another --port, or stop what uses this one.' : undefined,
        }),
      );
    });
  });
  port = (httpServer.address() as AddressInfo).port;
  const hostForUrl = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  const url = `http://${hostForUrl}:${port}`;
  logger.info(
    { url: `${url}/mcp`, sse: `${url}/sse`, auth: options.authToken !== undefined },
    'HTTP transport listening',
  );
  return {
    httpServer,
    url,
    port,
    close: async () => {
      await closeSessions();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
