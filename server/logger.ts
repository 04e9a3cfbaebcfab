// JSON logs on stderr (fd 2) through pino: stdout belongs to the MCP protocol in stdio mode.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger } from 'pino';

/** Paths pino blanks out wherever they appear in a log line. */
export const REDACT_PATHS = [
  'passphrase',
  'authToken',
  'connectionString',
  'authorization',
  '*.passphrase',
  '*.authToken',
  '*.connectionString',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
];

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    {
      name: 's3db-mcp-server',
      level: config.logLevel,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination ?? pino.destination({ fd: 2, sync: true }),
  );
}
