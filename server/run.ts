// The s3db-mcp-server command as a function: read the config, open the database, serve it over stdio or HTTP until
// told to stop. Exit codes: 0 done, 1 failed at runtime (store unreachable, …), 2 bad configuration.
import process from 'node:process';
import { isS3dbError } from '../engine/index.js';
import { startHttp, startStdio, assertSafeBind, type RunningTransport } from '../transports/index.js';
import { loadConfig, redactConfig, type Config } from './config.js';
import { createServer, selectTools } from './create-server.js';
import { createLogger, type Logger } from './logger.js';
import { prometheusText } from './metrics-text.js';
import { openDatabase } from './open-database.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';

function fail(error: unknown, exitCode: number): number {
  const lines = [`${SERVER_NAME}: ${error instanceof Error ? error.message : String(error)}`];
  if (isS3dbError(error) && error.hint !== undefined) lines.push(`Hint: ${error.hint}`);
  process.stderr.write(`${lines.join('\n')}\n`);
  return exitCode;
}

async function serve(config: Config, logger: Logger): Promise<void> {
  const startedAt = Date.now();
  const db = await openDatabase(config, logger);
  const makeServer = ({ elicitation }: { elicitation: boolean }) =>
    createServer({ db, config, logger, startedAt, elicitation });
  const running: RunningTransport =
    config.transport === 'stdio'
      ? startStdio(() => makeServer({ elicitation: true }), {
          onOversize: (bytes) => logger.warn({ bytes }, 'dropped a stdin line too large to read; the session goes on'),
        })
      : await startHttp({ ...config, metrics: () => prometheusText(db) }, makeServer, logger);
  logger.info({ transport: config.transport, version: SERVER_VERSION }, 'server ready');

  let stopping = false;
  const stop = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    await running.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the transport failed'));
    await db.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the database failed'));
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // A stdio client that goes away closes our stdin: that is the end of the session.
  if (config.transport === 'stdio') process.stdin.once('end', () => void stop('stdin closed'));
}

/**
 * Runs the s3db-mcp-server command with these arguments (without node and the script): serves until a signal or
 * the end of stdin, or returns the exit code when it cannot start (2 bad configuration, 1 runtime failure).
 * `s3db mcp` calls it too, so the CLI starts the very same server.
 */
export async function runServer(argv: readonly string[]): Promise<number | undefined> {
  let loaded;
  try {
    loaded = loadConfig(argv, process.env);
  } catch (error) {
    return fail(error, 2);
  }
  if (loaded.action === 'help') {
    process.stdout.write(loaded.text);
    return 0;
  }
  if (loaded.action === 'version') {
    process.stdout.write(`${SERVER_VERSION}\n`);
    return 0;
  }
  const { config, origins } = loaded;
  const logger = createLogger(config);
  try {
    selectTools(config);
    if (config.transport !== 'stdio') assertSafeBind(config);
  } catch (error) {
    return fail(error, 2);
  }
  if (origins.connectionString === 'default') {
    logger.warn(
      {},
      'No connection string set: storing data in ./s3db-data (file://./s3db-data). ' +
        'Set S3DB_CONNECTION_STRING or --connection-string to use an S3 bucket.',
    );
  }
  logger.debug({ config: redactConfig(config) }, 'configuration');
  try {
    await serve(config, logger);
  } catch (error) {
    logger.error({ err: isS3dbError(error) ? error.toJSON() : error }, 'failed to start');
    return fail(error, isS3dbError(error) && error.code === 'CONFIG' ? 2 : 1);
  }
  return undefined;
}
