// The replicator at the server: --plugins=replicator with --replicate-to targets (flags or environment) builds the plugin last in the pipeline, bad targets stop the configuration, target URLs are redacted, and GET /metrics text carries the replication series.
import { describe, expect, it } from 'vitest';
import type { ReplicatorPlugin } from '../../engine/index.js';
import { type PostgresTarget } from '../../engine/index.js';
import {
  buildPlugins,
  createLogger,
  loadConfig,
  openDatabase,
  prometheusText,
  redactConfig,
} from '../../server/index.js';

const run = (argv: string[], env: Record<string, string> = {}) => {
  const loaded = loadConfig(argv, env);
  if (loaded.action !== 'run') throw new Error('expected run');
  return loaded.config;
};

describe('replicator configuration', () => {
  it('builds the plugin from flags or environment, after the other plugins, with named targets', () => {
    const config = run([
      '--plugins=replicator,audit',
      '--replicate-to=postgres://app:pw@db.example:5432/app#warehouse,sqs://sqs.eu-west-1.amazonaws.com/123456789012/changes.fifo',
      '--replicate-resources=users,orders',
    ]);
    const plugins = buildPlugins(config);
    expect(plugins.map((p) => p.name)).toEqual(['AuditPlugin', 'ReplicatorPlugin']);
    const rep = plugins[1] as ReplicatorPlugin;
    expect(rep.targets.map((t) => [t.name, t.kind])).toEqual([
      ['warehouse', 'postgres'],
      ['sqs-2', 'sqs'],
    ]);
    expect((rep.targets[0] as PostgresTarget).describe()).toMatchObject({
      url: 'postgres://[redacted]@db.example:5432/app',
    });
    expect(rep.describe()).toMatchObject({ resources: ['users', 'orders'] });
    expect(rep.appliesTo({ name: 'users', createdBy: 'user' })).toBe(true);
    expect(rep.appliesTo({ name: 'other', createdBy: 'user' })).toBe(false);
    const fromEnv = run([], {
      S3DB_PLUGINS: 'replicator',
      S3DB_REPLICATE_TO: 'file:///tmp/copy',
      S3DB_REPLICATE_SECRETS: 'clear',
    });
    expect(fromEnv).toMatchObject({ replicateTo: ['file:///tmp/copy'], replicateSecrets: 'clear' });
    expect(redactConfig(config).replicateTo).toBe('[redacted]');
  });

  it('rejects a replicator without targets, targets without the plugin, and unknown target schemes', () => {
    expect(() => run(['--plugins=replicator'])).toThrow(
      /--replicate-to: the replicator plugin needs --replicate-to=URL/,
    );
    expect(() => run(['--replicate-to=postgres://x@h/db'])).toThrow(/not in --plugins/);
    expect(() => run(['--plugins=replicator', '--replicate-to=bigquery://project/dataset'])).toThrow(
      /Unknown replication target.*BigQuery is not supported/,
    );
    expect(() => run(['--plugins=replicator', '--replicate-to=sqs://host/only-queue'])).toThrow(/is not sqs:\/\/HOST/);
  });

  it('replicates a server database to another bucket and shows the series in the metrics text', async () => {
    const target = `memory://replica-${Date.now()}`;
    const config = run([
      '--connection-string=memory://primary-replication-test',
      '--plugins=replicator',
      `--replicate-to=${target}`,
    ]);
    const db = await openDatabase(config, createLogger({ logLevel: 'silent' }));
    try {
      await db.createResource({ name: 'notes', attributes: { text: 'string' } });
      await db.resource('notes').insert({ id: 'n1', text: 'hello' });
      const rep = db.plugin<ReplicatorPlugin>('ReplicatorPlugin')!;
      await rep.flush();
      expect(rep.stats()[0]).toMatchObject({ name: 's3db', delivered: 1, pending: 0, failed: 0 });
      const text = prometheusText(db);
      expect(text).toContain('s3db_replication_delivered_total{target="s3db",kind="s3db"} 1');
      expect(text).toContain('s3db_replication_lag_seconds{target="s3db",kind="s3db"} 0');
      expect(db.describeResource('notes').plugins).toEqual(['ReplicatorPlugin']);
      const copy = await (rep.targets[0] as unknown as { read(r: string, id: string): Promise<unknown> }).read(
        'notes',
        'n1',
      );
      expect(copy).toEqual({ id: 'n1', text: 'hello' });
    } finally {
      await db.close();
    }
  });
});
