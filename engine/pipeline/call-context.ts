// Who is calling: an async-local context (actor, session, client) set around a call and visible to every
// plugin stage that runs inside it, however deep the awaits go.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CallContext {
  /** Who performs the call, e.g. the MCP client name or a user id. */
  actor?: string;
  /** A session id, e.g. the MCP session. */
  session?: string;
  [key: string]: unknown;
}

const storage = new AsyncLocalStorage<Readonly<CallContext>>();

/** Runs `fn` with `context` merged over the current one (inner values win). */
export function runWithCallContext<T>(context: CallContext, fn: () => T): T {
  const outer = storage.getStore();
  return storage.run(Object.freeze({ ...outer, ...context }), fn);
}

/** The context of the current call, or `{}` outside any. */
export function currentCallContext(): Readonly<CallContext> {
  return storage.getStore() ?? {};
}
