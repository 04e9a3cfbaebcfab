// The metrics plugin's public face.
export { MetricsPlugin, percentile } from './metrics-plugin.js';
export type { MetricSeries, MetricsPluginOptions, MetricsSnapshot } from './metrics-plugin.js';
