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
   * Asks the user to confirm a destructive step when the client supports elicitation; resolves true when it
   * cannot ask (the tool's annotations already say it is destructive).
   */
  confirm(message: string): Promise<boolean>;
}
