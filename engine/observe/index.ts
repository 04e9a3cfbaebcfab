// What the engine offers to watch it: the price of the requests a store counted, and Prometheus text rendering.
export { REQUEST_TYPES, REQUEST_TYPE_OF, S3_PRICE_TABLE, estimateCosts } from './pricing.js';
export type { CostBreakdownLine, CostEstimate, RequestType } from './pricing.js';
export { escapeLabelValue, renderPrometheus } from './prometheus.js';
export type { PrometheusFamily, PrometheusSample } from './prometheus.js';
