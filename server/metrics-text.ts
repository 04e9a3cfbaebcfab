// The Prometheus text exposition served at GET /metrics: S3 requests by operation and their estimated cost
// (always), the enabled plugins, per-operation calls/errors/latency when the metrics plugin is on, and replication
// pending/lag/delivered/failed per target when the replicator is on. A scrape makes no S3 request (the storage
// estimate, which needs LISTs, is left to getStats).
import {
  MetricsPlugin,
  QueueConsumerPlugin,
  ReplicatorPlugin,
  estimateCosts,
  renderPrometheus,
  type Database,
  type PrometheusFamily,
} from '../engine/index.js';

/** The content type of Prometheus text format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function prometheusText(db: Pick<Database, 'withoutPlugins' | 'plugins' | 'plugin'>): string {
  const requests = db.withoutPlugins().store.requestCounts();
  const costs = estimateCosts(requests, 0);
  const families: PrometheusFamily[] = [
    {
      name: 's3db_s3_requests_total',
      help: 'S3 requests made by this server, by S3 operation.',
      type: 'counter',
      samples: Object.entries(requests.byOperation).map(([operation, n]) => ({ labels: { operation }, value: n })),
    },
    {
      name: 's3db_s3_request_cost_usd',
      help: 'Estimated request cost so far at AWS S3 Standard us-east-1 prices, by request type.',
      type: 'counter',
      samples: costs.byRequestType.map((line) => ({ labels: { type: line.type }, value: line.usd })),
    },
    {
      name: 's3db_plugin_enabled',
      help: 'Plugins enabled on this server.',
      type: 'gauge',
      samples: db.plugins.map((p) => ({ labels: { plugin: p.name }, value: 1 })),
    },
  ];
  const metrics = db.plugin('MetricsPlugin');
  if (metrics instanceof MetricsPlugin) families.push(...metrics.prometheusFamilies());
  const consumer = db.plugin('QueueConsumerPlugin');
  if (consumer instanceof QueueConsumerPlugin) {
    families.push({
      name: 's3db_queue_messages_total',
      help: 'Queue messages by outcome: consumed, applied, duplicates, retried, failed, deadLettered.',
      type: 'counter',
      samples: Object.entries(consumer.stats()).map(([outcome, n]) => ({ labels: { outcome }, value: n })),
    });
  }
  const replicator = db.plugin('ReplicatorPlugin');
  if (replicator instanceof ReplicatorPlugin) families.push(...replicator.prometheusFamilies());
  return renderPrometheus(families);
}
