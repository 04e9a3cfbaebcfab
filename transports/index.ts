// The transports' public face: stdio, and the HTTP app (Streamable HTTP + legacy SSE + health).
export { startStdio, type RunningTransport } from './stdio.js';
export {
  assertSafeBind,
  createHttpApp,
  startHttp,
  tokenMatches,
  type HttpLogger,
  type HttpOptions,
  type RunningHttp,
  type ServerFactory,
  SSE_DEFAULTS,
} from './http.js';
export { hostAllowed, hostName, isLoopbackHost, originAllowed, type HostCheckOptions } from './host-check.js';
export type { SseLimits } from './sse-sessions.js';
