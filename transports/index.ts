// The transports' public face: stdio, and the HTTP app (Streamable HTTP + legacy SSE + health).
export { startStdio, type RunningTransport } from './stdio.js';
export {
  assertSafeBind,
  createHttpApp,
  isLoopbackHost,
  startHttp,
  tokenMatches,
  type HttpLogger,
  type HttpOptions,
  type RunningHttp,
  type ServerFactory,
} from './http.js';
