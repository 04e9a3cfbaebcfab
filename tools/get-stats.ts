// getStats: document counts and bytes per resource, requests made since start, their estimated cost (with a
// breakdown by request type and a storage estimate), the enabled plugins, and the metrics plugin's numbers.
import { z } from 'zod';
import { MetricsPlugin, estimateCosts } from '../engine/index.js';
import { anyObject, resourceName, toolArgs } from './arguments.js';
import { plainOutput } from './results.js';
import { defineTool } from './tool-definition.js';

export const getStatsTool = defineTool({
  name: 'getStats',
  title: 'Database statistics',
  kind: 'read',
  description:
    'Documents and bytes per resource, S3 requests since start, their estimated AWS cost (S3 Standard, USD; by ' +
    'request type, storage per month), plugins, metrics (metrics plugin), uptime. ' +
    'Example: {} or {"resource":"users"}',
  inputSchema: toolArgs({ resource: resourceName().optional().describe('Only this resource') }),
  // The shape is in docs/tools.md: spelling every nested field out here cost 4,000 characters of tools/list.
  outputSchema: z.object({
    resources: z.array(anyObject()).describe('name, count, bytes'),
    requests: anyObject().describe('byOperation, total'),
    estimatedCostUSD: z.number(),
    costs: anyObject(),
    plugins: z.array(anyObject()),
    metrics: anyObject().optional(),
    uptimeSeconds: z.number(),
    store: z.string(),
  }),
  async handler(args, ctx) {
    const stats = await ctx.db.getStats(args.resource === undefined ? {} : { resource: args.resource });
    const storedBytes = stats.resources.reduce((sum, r) => sum + r.bytes, 0);
    const costs = estimateCosts(stats.requests, storedBytes);
    const metrics = ctx.db.plugin?.('MetricsPlugin');
    const out = {
      resources: stats.resources.map((r) => ({ name: r.name, count: r.count, bytes: r.bytes })),
      requests: { ...stats.requests },
      estimatedCostUSD: costs.requestsUSD,
      costs: { ...costs, pricing: { ...costs.pricing } },
      plugins: (stats.plugins ?? []).map((p) => ({ name: p.name, details: p.details })),
      ...(metrics instanceof MetricsPlugin ? { metrics: { ...metrics.snapshot() } } : {}),
      uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
      store: stats.store,
    };
    return plainOutput(out, `${stats.requests.total} S3 request(s) since start, about $${out.estimatedCostUSD}.`);
  },
});
