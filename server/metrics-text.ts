// The Prometheus text exposition served at GET /metrics: S3 requests by operation and their estimated cost
// (always), the enabled plugins, and per-operation calls/errors/latency when the metrics plugin is on. A scrape
// makes no S3 request (the storage estimate, which needs LISTs, is left to getStats).
import { MetricsPlugin, type Database } from '../engine/index.js';
import { estimateCosts } from '../tools/index.js';

/** The content type of Prometheus text format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export function prometheusText(db: Pick<Database, 'withoutPlugins' | 'plugins' | 'plugin'>): string {
  const requests = db.withoutPlugins().store.requestCounts();
  const costs = estimateCosts(requests, 0);
  const lines = [
    '# HELP s3db_s3_requests_total S3 requests made by this server, by S3 operation.',
    '# TYPE s3db_s3_requests_total counter',
    ...Object.entries(requests.byOperation).map(([op, n]) => `s3db_s3_requests_total{operation="${esc(op)}"} ${n}`),
    '# HELP s3db_s3_request_cost_usd Estimated request cost so far at AWS S3 Standard us-east-1 prices, by request type.',
    '# TYPE s3db_s3_request_cost_usd counter',
    ...costs.byRequestType.map((l) => `s3db_s3_request_cost_usd{type="${l.type}"} ${l.usd}`),
    '# HELP s3db_plugin_enabled Plugins enabled on this server.',
    '# TYPE s3db_plugin_enabled gauge',
    ...db.plugins.map((p) => `s3db_plugin_enabled{plugin="${esc(p.name)}"} 1`),
  ];
  const metrics = db.plugin('MetricsPlugin');
  const text = `${lines.join('\n')}\n`;
  return metrics instanceof MetricsPlugin ? text + metrics.prometheus() : text;
}
