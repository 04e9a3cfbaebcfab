// Opens the store a connection string names and connects the engine's Database over it, with the plugins the
// config enables (--plugins), in a fixed order: metrics (outermost, so it times what callers see), cache, audit,
// fulltext, replicator.
import {
  AuditPlugin,
  CachePlugin,
  Database,
  EventualConsistencyPlugin,
  FullTextPlugin,
  MetricsPlugin,
  QueueConsumerPlugin,
  ReplicatorPlugin,
  createQueueSource,
  openStore,
  type Plugin,
} from '../engine/index.js';
import { PLUGIN_NAMES, parseFieldSpec, queueSourceOptions, type Config } from './config.js';
import type { Logger } from './logger.js';

export type PluginConfig = Pick<
  Config,
  | 'plugins'
  | 'fulltext'
  | 'cacheDriver'
  | 'cacheTtlMs'
  | 'cacheDirectory'
  | 'counters'
  | 'countersIntervalMs'
  | 'queueUrl'
  | 'queueName'
  | 'queueDeadLetter'
  | 'queuePrefetch'
  | 'queueResources'
  | 'replicateTo'
  | 'replicateResources'
  | 'replicateSecrets'
  | 'replicateTargetPassphrase'
  | 'passphrase'
>;

/** The plugin instances a config enables, in pipeline order. */
export function buildPlugins(config: Partial<PluginConfig>): Plugin[] {
  const enabled = new Set(config.plugins ?? []);
  const plugins: Plugin[] = [];
  for (const name of PLUGIN_NAMES) {
    if (!enabled.has(name)) continue;
    switch (name) {
      case 'metrics':
        plugins.unshift(new MetricsPlugin());
        break;
      case 'cache':
        plugins.push(
          new CachePlugin({
            driver: config.cacheDriver ?? 'memory',
            ttlMs: config.cacheTtlMs ?? 60_000,
            ...(config.cacheDirectory === undefined ? {} : { directory: config.cacheDirectory }),
          }),
        );
        break;
      case 'audit':
        // The passphrase keys the audit chain's HMAC, so records cannot be forged without it.
        plugins.push(new AuditPlugin(config.passphrase === undefined ? {} : { key: config.passphrase }));
        break;
      case 'fulltext':
        plugins.push(new FullTextPlugin({ resources: parseFieldSpec(config.fulltext ?? '') }));
        break;
      case 'queue':
        plugins.push(
          new QueueConsumerPlugin({
            source: createQueueSource(config.queueUrl ?? '', queueSourceOptions(config)),
            ...(config.queueResources ? { resources: config.queueResources } : {}),
          }),
        );
        break;
      case 'counters':
        plugins.push(
          new EventualConsistencyPlugin({
            resources: parseFieldSpec(config.counters ?? ''),
            consolidateIntervalMs: config.countersIntervalMs ?? 10_000,
          }),
        );
        break;
      case 'replicator': {
        const passphrase = config.replicateTargetPassphrase ?? config.passphrase;
        const resources = config.replicateResources ?? [];
        plugins.push(
          new ReplicatorPlugin({
            targets: config.replicateTo ?? [],
            targetOptions: {
              secrets: config.replicateSecrets ?? 'encrypted',
              ...(passphrase === undefined ? {} : { passphrase }),
            },
            ...(resources.length > 0 ? { resources } : {}),
          }),
        );
        break;
      }
    }
  }
  return plugins;
}

/** `--snapshots=false` turns them off; `--snapshot-rebuild-after=0` keeps them but never rebuilds in the background. */
function snapshotOptions(config: Partial<Pick<Config, 'snapshots' | 'snapshotRebuildAfter'>>) {
  if (config.snapshots === false) return { snapshots: false } as const;
  const after = config.snapshotRebuildAfter;
  return after === undefined ? {} : { snapshots: { rebuildAfterChanged: after === 0 ? (false as const) : after } };
}

/** The connected Database over the configured store and plugins; `close()` it when done. */
export async function openDatabase(
  config: Pick<Config, 'connectionString' | 'passphrase'> &
    Partial<Pick<Config, 'readOnly'>> &
    Partial<Pick<Config, 'requestTimeoutMs' | 'connectTimeoutMs' | 'maxAttempts' | 'queryConcurrency' | 'snapshots'>> &
    Partial<Pick<Config, 'snapshotRebuildAfter'>> &
    Partial<PluginConfig>,
  logger: Logger,
): Promise<Database> {
  // Defaults for the s3 store; the connection string's own ?requestTimeoutMs=… options win.
  const tuning = {
    ...(config.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: config.requestTimeoutMs }),
    ...(config.connectTimeoutMs === undefined ? {} : { connectionTimeoutMs: config.connectTimeoutMs }),
    ...(config.maxAttempts === undefined ? {} : { maxAttempts: config.maxAttempts }),
  };
  const store = openStore(config.connectionString, tuning);
  const db = new Database({
    store,
    logger: logger.child({ component: 'engine' }),
    plugins: buildPlugins(config),
    readOnly: config.readOnly === true,
    ...(config.queryConcurrency === undefined ? {} : { queryConcurrency: config.queryConcurrency }),
    ...snapshotOptions(config),
    ...(config.passphrase === undefined ? {} : { passphrase: config.passphrase }),
  });
  await db.connect();
  return db;
}
