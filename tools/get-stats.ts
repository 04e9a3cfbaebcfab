// getStats: document counts and bytes per resource, requests made since start, and their estimated cost.
import { z } from 'zod';
import { STORE_OPERATIONS } from '../engine/index.js';
import { resourceName } from './arguments.js';
import { estimateRequestCostUSD } from './pricing.js';
import { plainOutput } from './results.js';
import { defineTool } from './tool-definition.js';

export const getStatsTool = defineTool({
  name: 'getStats',
  title: 'Database statistics',
  kind: 'read',
  description:
    'Documents and bytes per resource (one LIST per resource), the S3 requests this server made since it ' +
    'started by operation, their estimated AWS cost in USD (S3 Standard request prices), uptime and the store. ' +
    'Example: {} or {"resource":"users"}',
  inputSchema: z.object({ resource: resourceName().optional().describe('Only this resource') }),
  outputSchema: z.object({
    resources: z.array(z.object({ name: z.string(), count: z.number(), bytes: z.number() })),
    requests: z.object({
      byOperation: z.record(z.enum(STORE_OPERATIONS), z.number()),
      total: z.number(),
    }),
    estimatedCostUSD: z.number().describe('Request cost so far at AWS S3 Standard prices (storage not included)'),
    uptimeSeconds: z.number(),
    store: z.string().describe('The store, without credentials'),
  }),
  async handler(args, ctx) {
    const stats = await ctx.db.getStats(args.resource === undefined ? {} : { resource: args.resource });
    const out = {
      resources: stats.resources.map((r) => ({ name: r.name, count: r.count, bytes: r.bytes })),
      requests: stats.requests,
      estimatedCostUSD: estimateRequestCostUSD(stats.requests),
      uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
      store: stats.store,
    };
    return plainOutput(out, `${stats.requests.total} S3 request(s) since start, about $${out.estimatedCostUSD}.`);
  },
});
