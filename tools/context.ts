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
  /** Aborted when the client cancels the call (or the connection ends): stop issuing requests. */
  signal: AbortSignal;
  /** Reports progress when the client sent a progress token; a no-op otherwise. Cheap to call often. */
  progress(done: number, total?: number, message?: string): void;
}
