// Configuration: flag > environment > default, unknown or malformed options rejected, secrets redacted.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_KEYS,
  createLogger,
  flagName,
  helpText,
  loadConfig,
  openDatabase,
  redactConfig,
} from '../../server/index.js';

function run(argv: string[], env: Record<string, string> = {}) {
  const result = loadConfig(argv, env);
  if (result.action !== 'run') throw new Error(`expected run, got ${result.action}`);
  return result;
}

describe('config', () => {
  it('uses defaults with nothing set, including the embedded file store', () => {
    const { config, origins } = run([]);
    expect(config).toMatchObject({
      transport: 'stdio',
      host: '127.0.0.1',
      port: 8000,
      connectionString: 'file://./s3db-data',
      readOnly: false,
      queryDefaultLimit: 20,
      queryMaxLimit: 200,
    });
    expect(origins.connectionString).toBe('default');
  });

  it('sets query concurrency and turns snapshots off by flag or environment', async () => {
    expect(run([]).config).toMatchObject({ queryConcurrency: 32, snapshots: true });
    const { config } = run(['--query-concurrency=64'], { S3DB_SNAPSHOTS: 'false' });
    expect(config).toMatchObject({ queryConcurrency: 64, snapshots: false });
    expect(() => loadConfig(['--query-concurrency=0'], {})).toThrow(/query/i);
    const logger = createLogger({ logLevel: 'silent' });
    const db = await openDatabase({ ...config, connectionString: 'memory://snapshots-off' }, logger);
    await db.createResource({ name: 'x', attributes: { a: 'string' } });
    await expect(db.buildSnapshot('x')).rejects.toMatchObject({ code: 'CONFIG' });
    await db.close();
  });

  it('sets the background rebuild threshold; 0 turns background rebuilds off', () => {
    expect(run([]).config.snapshotRebuildAfter).toBe(100);
    expect(run(['--snapshot-rebuild-after=0']).config.snapshotRebuildAfter).toBe(0);
    expect(run([], { S3DB_SNAPSHOT_REBUILD_AFTER: '500' }).config.snapshotRebuildAfter).toBe(500);
    expect(() => loadConfig(['--snapshot-rebuild-after=-1'], {})).toThrow(/snapshot/i);
  });

  it('takes a flag over the environment over the default', () => {
    const env = { MCP_SERVER_PORT: '9000', MCP_TRANSPORT: 'sse', S3DB_CONNECTION: 'memory://b' };
    const { config, origins } = run(['--port=9100', '--read-only'], env);
    expect(config.port).toBe(9100);
    expect(origins.port).toBe('flag');
    expect(config.transport).toBe('sse');
    expect(origins.transport).toBe('env');
    expect(config.connectionString).toBe('memory://b');
    expect(config.readOnly).toBe(true);
    expect(
      run([], { S3DB_CONNECTION_STRING: 'memory://a', S3DB_CONNECTION: 'memory://b' }).config.connectionString,
    ).toBe('memory://a');
    expect(run(['--host', '::1', '--disable-tools=heal, delete']).config).toMatchObject({
      host: '::1',
      disableTools: ['heal', 'delete'],
    });
    expect(run([]).config.confirmTools).toEqual(['delete', 'deleteMany', 'heal']);
    expect(run(['--confirm-tools=none']).config.confirmTools).toEqual([]);
    expect(run([], { S3DB_MCP_CONFIRM_TOOLS: 'delete' }).config.confirmTools).toEqual(['delete']);
  });

  it('rejects unknown flags, positional arguments and malformed values', () => {
    expect(() => loadConfig(['--read_only-true'], {})).toThrow(/Unknown option "--read_only-true"/);
    expect(() => loadConfig(['--readonly'], {})).toThrow(/Unknown option/);
    expect(() => loadConfig(['stdio'], {})).toThrow(/Unexpected argument/);
    expect(() => loadConfig(['--port=eighty'], {})).toThrow(/--port must be a whole number/);
    expect(() => loadConfig(['--port=70000'], {})).toThrow(/--port/);
    expect(() => loadConfig(['--transport=websocket'], {})).toThrow(/--transport/);
    expect(() => loadConfig(['--read-only=maybe'], {})).toThrow(/must be true or false/);
    expect(() => loadConfig([], { S3DB_MCP_READ_ONLY: 'yes please' })).toThrow(/S3DB_MCP_READ_ONLY/);
    expect(() => loadConfig(['--query-default-limit=300'], {})).toThrow(/queryDefaultLimit must not exceed/);
    expect(() => loadConfig(['--auth-token=short'], {})).toThrow(/at least 16/);
    expect(() => loadConfig(['--port'], {})).toThrow(/needs a value/);
    // parseArgs would take the next option as the value; a forgotten value must not swallow it.
    expect(() => loadConfig(['--port', '--read-only'], {})).toThrow(/Option --port needs a value/);
    expect(() => loadConfig(['-x'], {})).toThrow(/Unexpected argument "-x"/);
    expect(() => loadConfig(['-hv'], {})).toThrow(/Unexpected argument "-hv"/);
    expect(() => loadConfig(['--bogus', '--help'], {})).toThrow(/Unknown option "--bogus"/);
    expect(run(['--read-only=no']).config.readOnly).toBe(false);
    expect(() => loadConfig(['--port', '-1'], {})).toThrow(/--port must be a whole number, got "-1"/);
  });

  it('answers --help with every option and its environment variable, and --version', () => {
    expect(loadConfig(['--help'], {})).toMatchObject({ action: 'help' });
    expect(loadConfig(['--version'], {})).toEqual({ action: 'version' });
    expect(loadConfig(['-h'], {})).toMatchObject({ action: 'help' });
    expect(loadConfig(['--help', '--bogus'], {})).toMatchObject({ action: 'help' });
    const text = helpText();
    for (const key of CONFIG_KEYS) expect(text).toContain(`--${flagName(key)}`);
    expect(text).toContain('S3DB_SECURITY_PASSPHRASE');
  });

  it('redacts secrets wherever config is printed, in the config dump and in logs', () => {
    const { config } = run([
      '--connection-string=s3://AKIAEXAMPLE:wJalrSECRET@bucket/prefix?region=us-east-1',
      '--passphrase=correct horse',
      '--auth-token=0123456789abcdef0123',
    ]);
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toMatch(/AKIAEXAMPLE|wJalrSECRET|correct horse|0123456789abcdef0123/);
    expect(printed).toContain('s3://[redacted]@bucket/prefix');

    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ logLevel: 'info' }, sink);
    logger.info({ config }, 'starting');
    expect(lines.join('')).not.toMatch(/wJalrSECRET|correct horse|0123456789abcdef0123/);
  });
});
