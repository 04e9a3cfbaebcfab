// The server's public face: build a configured MCP server over a Database and serve it.
export {
  CONFIG_KEYS,
  CONFIG_SOURCES,
  DEFAULT_CONNECTION_STRING,
  LOG_LEVELS,
  SECRET_KEYS,
  TRANSPORTS,
  configSchema,
  defaultOf,
  flagName,
  helpText,
  loadConfig,
  redactConfig,
  redactUrlCredentials,
  type Config,
  type ConfigKey,
  type ConfigOrigin,
  type LoadResult,
} from './config.js';
export { REDACT_PATHS, createLogger, type Logger } from './logger.js';
export { INSTRUCTIONS, createServer, selectTools, type CreateServerOptions } from './create-server.js';
export { SERVER_NAME, SERVER_VERSION } from './version.js';
export { PLUGIN_NAMES, CACHE_DRIVERS, parseFieldSpec, type PluginName } from './config.js';
export { buildPlugins, openDatabase, type PluginConfig } from './open-database.js';
export { PROMETHEUS_CONTENT_TYPE, prometheusText } from './metrics-text.js';
export { runServer } from './run.js';
