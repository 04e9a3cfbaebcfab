// One node:http server: Streamable HTTP (stateless) at POST /mcp served directly (mcp-endpoint.ts), and an express
// app for the legacy SSE transport at /sse + /messages, /healthz and /metrics (Prometheus text). Host and Origin
// are checked on every MCP route and /metrics (403; the rule and its reason are in host-check.ts), and a bearer
// token when one is set (401). Every error answer is a JSON body without a stack or a path, whatever NODE_ENV says.
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  createServer as createNodeServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createMcpHandler, type McpServer } from '@modelcontextprotocol/server';
import { ConfigError } from '../engine/index.js';
import { hostAllowed, isLoopbackHost, originAllowed } from './host-check.js';
import { jsonRpcError } from './json-rpc-error.js';
import { mcpEndpoint } from './mcp-endpoint.js';
import { sseSessions, type SseLimits } from './sse-sessions.js';
import type { RunningTransport } from './stdio.js';

/** The config slice HTTP needs (the server's Config satisfies it). */
export interface HttpOptions {
  host: string;
  port: number;
  authToken?: string | undefined;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  /** Legacy SSE: most sessions open at once, and ms a session may go without a message (SSE_DEFAULTS). */
  sseMaxSessions?: number | undefined;
  sseIdleTimeoutMs?: number | undefined;
  /** Serves GET /metrics (Prometheus text) behind the same Host/Origin/token checks as /mcp, when set. */
  metrics?: (() => string | Promise<string>) | undefined;
}

export interface HttpLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/**
 * Makes an McpServer; `elicitation` is false where a 2025 client's answer to an elicitation could not reach it
 * (stateless HTTP). A 2026-07-28 request is asked through its retry, so it may always confirm.
 */
export type ServerFactory = (options: { elicitation: boolean }) => McpServer;

export interface RunningHttp extends RunningTransport {
  httpServer: HttpServer;
  /** Base URL, e.g. http://127.0.0.1:8000 */
  url: string;
  port: number;
}

const BODY_LIMIT = '8mb';
const BODY_LIMIT_BYTES = 8 * 1024 * 1024;

export const SSE_DEFAULTS: SseLimits = { maxSessions: 100, idleTimeoutMs: 10 * 60_000 };

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
): {
  app: express.Express;
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  closeSessions(): Promise<void>;
} {
  const app = express();
  app.disable('x-powered-by');
  const startedAt = Date.now();

  const guard = (req: Request, res: Response, next: NextFunction): void => {
    const refused = refusal(options, req, logger);
    if (refused === undefined) next();
    else refused(res);
  };

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
  });

  const json = express.json({ limit: BODY_LIMIT });

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

  // Streamable HTTP, stateless, both eras: the SDK's handler classifies each POST (a 2026-07-28 request carries
  // its version in _meta; a 2025 client opens with initialize) and serves it from one instance of the factory.
  // POST /mcp itself is served before express (see `listener` below and mcp-endpoint.ts).
  const mcp = createMcpHandler(({ era }) => makeServer({ elicitation: era === 'modern' }), {
    maxRequestBodySize: BODY_LIMIT_BYTES,
    onerror: (error) => logger.debug({ err: error }, 'MCP request refused or failed'),
  });
  const serveMcp = mcpEndpoint(mcp, BODY_LIMIT_BYTES, (error) =>
    logger.error({ err: error }, 'Streamable HTTP request failed'),
  );
  // Stateless: there is no stream to resume (GET) and no session to end (DELETE).
  const notAllowed = (_req: Request, res: Response): void => {
    res.setHeader('Allow', 'POST');
    jsonRpcError(res, 405, 'Method not allowed: this server is stateless; POST JSON-RPC to /mcp');
  };
  app.get('/mcp', guard, notAllowed);
  app.delete('/mcp', guard, notAllowed);

  // Legacy SSE (protocol 2024-11-05): GET /sse opens a session, POST /messages?sessionId=… carries requests.
  const sse = sseSessions(
    {
      maxSessions: options.sseMaxSessions ?? SSE_DEFAULTS.maxSessions,
      idleTimeoutMs: options.sseIdleTimeoutMs ?? SSE_DEFAULTS.idleTimeoutMs,
    },
    () => makeServer({ elicitation: true }),
    logger,
  );
  app.get('/sse', guard, (req, res) => sse.open(req, res));
  app.post('/messages', guard, json, async (req, res) => {
    try {
      await sse.post(req, res);
    } catch (error) {
      logger.error({ err: error }, 'SSE message failed');
      if (!res.headersSent) jsonRpcError(res, 500, 'Internal server error', -32603);
    }
  });

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'Not found: MCP is served at POST /mcp (or GET /sse), health at /healthz' });
  });

  // Last: failures before a route answered (a body that is not JSON, too large, …) get a JSON-RPC body, never
  // express's HTML page with a stack trace and file paths.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, type } = error as { status?: number; type?: string };
    if (res.headersSent) return;
    if (type === 'entity.parse.failed') {
      jsonRpcError(res, 400, 'Parse error: the body is not valid JSON', -32700);
    } else if (type === 'entity.too.large') {
      jsonRpcError(res, 413, `Request body too large (limit ${BODY_LIMIT})`, -32600);
    } else if (typeof status === 'number' && status >= 400 && status < 500) {
      jsonRpcError(res, status, 'Bad request', -32600);
    } else {
      logger.error({ err: error }, 'HTTP request failed');
      jsonRpcError(res, 500, 'Internal server error', -32603);
    }
  });

  // The hot path, POST /mcp, is checked and served here without express's router; every other route goes through it.
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const path = req.url === undefined ? '' : req.url.split('?', 1)[0];
    if (req.method !== 'POST' || (path !== '/mcp' && path !== '/mcp/')) {
      app(req, res);
      return;
    }
    const refused = refusal(options, req, logger);
    if (refused === undefined) void serveMcp(req, res);
    else refused(res);
  };

  return {
    app,
    listener,
    closeSessions: async () => Promise.all([sse.closeAll(), mcp.close()]).then(() => undefined),
  };
}

/**
 * Why a request may not reach an MCP route (foreign Host or Origin: 403, missing or wrong token: 401), as the
 * answer to send; undefined when it may. The rules and their reasons are in host-check.ts.
 */
function refusal(
  options: HttpOptions,
  req: IncomingMessage,
  logger: HttpLogger,
): ((res: ServerResponse) => void) | undefined {
  const path = req.url?.split('?', 1)[0];
  if (!hostAllowed(options, req.headers.host)) {
    logger.warn({ host: req.headers.host, path }, 'rejected a request with a foreign Host header');
    return (res) => jsonRpcError(res, 403, 'Forbidden: Host header not allowed (see --allowed-hosts)');
  }
  if (!originAllowed(options, req.headers.origin, req.headers.host)) {
    logger.warn({ origin: req.headers.origin, path }, 'rejected a request with a foreign Origin header');
    return (res) => jsonRpcError(res, 403, 'Forbidden: Origin not allowed (see --allowed-origins)');
  }
  if (options.authToken !== undefined) {
    const match = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    if (match === null || !tokenMatches(match[1] as string, options.authToken)) {
      return (res) => {
        res.setHeader('WWW-Authenticate', 'Bearer realm="s3db-mcp-server"');
        jsonRpcError(res, 401, 'Unauthorized: send Authorization: Bearer <token>');
      };
    }
  }
  return undefined;
}

/** Starts the HTTP transports; resolves once listening. Port 0 picks a free port (see `port` in the result). */
export async function startHttp(
  options: HttpOptions,
  makeServer: ServerFactory,
  logger: HttpLogger,
): Promise<RunningHttp> {
  assertSafeBind(options);
  const { listener, closeSessions } = createHttpApp(options, makeServer, logger);
  const httpServer = await new Promise<HttpServer>((resolve, reject) => {
    const server = createNodeServer(listener).listen(options.port, options.host);
    server.once('listening', () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new ConfigError(`Cannot listen on ${options.host}:${options.port} (${error.code ?? 'error'})`, {
          hint: error.code === 'EADDRINUSE' ? 'Pick another --port, or stop what uses this one.' : undefined,
        }),
      );
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
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
