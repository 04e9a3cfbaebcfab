// getStats: document counts and bytes per resource, requests made since start, their estimated cost (with a
// breakdown by request type and a storage estimate), the enabled plugins, and the metrics plugin's numbers.
import { z } from 'zod';
import { MetricsPlugin, REQUEST_TYPES, STORE_OPERATIONS, estimateCosts } from '../engine/index.js';
import { resourceName } from './arguments.js';
import { plainOutput } from './results.js';
import { defineTool } from './tool-definition.js';

const seriesOut = z.object({
  operation: z.string(),
  resource: z.string(),
  count: z.number(),
  errors: z.number(),
  totalMs: z.number(),
  p50Ms: z.number().optional(),
  p95Ms: z.number().optional(),
  p99Ms: z.number().optional(),
  maxMs: z.number().optional(),
});

export const getStatsTool = defineTool({
  name: 'getStats',
  title: 'Database statistics',
  kind: 'read',
  description:
    'Documents and bytes per resource (one LIST per resource), the S3 requests this server made since it ' +
    'started by operation, their estimated AWS cost in USD (S3 Standard prices, by request type, plus a monthly ' +
    'storage estimate), the enabled plugins, operation metrics when the metrics plugin is on, uptime and the ' +
    'store. Example: {} or {"resource":"users"}',
  inputSchema: z.object({ resource: resourceName().optional().describe('Only this resource') }),
  outputSchema: z.object({
    resources: z.array(z.object({ name: z.string(), count: z.number(), bytes: z.number() })),
    requests: z.object({
      byOperation: z.record(z.enum(STORE_OPERATIONS), z.number()),
      total: z.number(),
    }),
    estimatedCostUSD: z.number().describe('Request cost so far at AWS S3 Standard prices (storage not included)'),
    costs: z
      .object({
        requestsUSD: z.number(),
        byRequestType: z.array(
          z.object({ type: z.enum(REQUEST_TYPES), requests: z.number(), pricePer1000USD: z.number(), usd: z.number() }),
        ),
        storedBytes: z.number(),
        storageUSDPerMonth: z.number().describe('Monthly cost of the stored document bytes'),
        transferOut: z.string(),
        pricing: z.record(z.string(), z.union([z.string(), z.number()])),
      })
      .describe('The cost estimate in detail: requests by type, storage per month, the price table used'),
    plugins: z
      .array(z.object({ name: z.string(), details: z.record(z.string(), z.unknown()) }))
      .describe('Enabled plugins and their settings'),
    metrics: z
      .object({
        since: z.string(),
        reservoirSize: z.number(),
        total: z.object({ count: z.number(), errors: z.number() }),
        byOperation: z.array(seriesOut),
        byResource: z.array(seriesOut),
        series: z.array(seriesOut),
      })
      .optional()
      .describe('Calls, errors and latency percentiles (ms) per operation and resource (metrics plugin)'),
    uptimeSeconds: z.number(),
    store: z.string().describe('The store, without credentials'),
  }),
  async handler(args, ctx) {
    const stats = await ctx.db.getStats(args.resource === undefined ? {} : { resource: args.resource });
    const storedBytes = stats.resources.reduce((sum, r) => sum + r.bytes, 0);
    const costs = estimateCosts(stats.requests, storedBytes);
    const metrics = ctx.db.plugin?.('MetricsPlugin');
    const out = {
      resources: stats.resources.map((r) => ({ name: r.name, count: r.count, bytes: r.bytes })),
      requests: stats.requests,
      estimatedCostUSD: costs.requestsUSD,
      costs: { ...costs, pricing: { ...costs.pricing } },
      plugins: (stats.plugins ?? []).map((p) => ({ name: p.name, details: p.details })),
      ...(metrics instanceof MetricsPlugin ? { metrics: metrics.snapshot() } : {}),
      uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
      store: stats.store,
    };
    return plainOutput(out, `${stats.requests.total} S3 request(s) since start, about $${out.estimatedCostUSD}.`);
  },
});
