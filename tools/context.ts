// What a tool handler receives: the engine's Database (seen through the few members tools use), the limits it
// must apply, a logger, and a way to ask the user to confirm a destructive step. Tools never import the server.
import type { Database, EngineLogger, ResourceApi } from '../engine/index.js';

/** The Resource members tools use: the engine's own interface. */
export type ToolResource = ResourceApi;

/** The Database members tools use (docs/engine-api.md). */
export type ToolDatabase = Pick<
  Database,
  | 'passphraseSet'
  | 'createResource'
  | 'listResources'
  | 'resource'
  | 'describeResource'
  | 'getStats'
  | 'heal'
  | 'plugin'
>;

/** The limits and switches tools apply (a slice of the server config). */
export interface ToolLimits {
  queryDefaultLimit: number;
  queryMaxLimit: number;
  maxResponseBytes: number;
  revealSecrets: boolean;
  /** Let the write tools change resources a plugin owns (createdBy other than 'user'). */
  writablePluginResources: boolean;
}

export interface ToolContext {
  db: ToolDatabase;
  limits: ToolLimits;
  logger: EngineLogger;
  /** When the server started (ms since epoch), for uptime. */
  startedAt: number;
  /**
   * Asks the user to confirm a destructive step. Resolves true when the tool is not one that asks
   * (--confirm-tools) or the user agreed, false when the user declined; throws a VALIDATION error naming the
   * fallback (`confirm: true`) when the client cannot be asked and the call did not carry it.
   */
  confirm(message: string): Promise<boolean>;
  /** Fires when the client cancels the call: tools pass it to the engine, which stops before its next request. */
  signal: AbortSignal;
  /** Reports progress to a client that asked for it (a progress token); a no-op otherwise. Cheap to call often. */
  progress(done: number, total?: number, message?: string): void;
}

/** The engine's progress callback that forwards to the call's `progress` with a message naming the unit. */
export function engineProgress(ctx: Pick<ToolContext, 'progress'>, unit: string) {
  return ({ done, total }: { done: number; total?: number }): void =>
    ctx.progress(done, total, total === undefined ? `${done} ${unit}` : `${done} of ${total} ${unit}`);
}
