// count: how many documents match, without returning them.
import { z } from 'zod';
import { filter, partition, partitionValues, planOut, resourceName, toolArgs } from './arguments.js';
import { engineProgress } from './context.js';
import { plainOutput } from './results.js';
import { defineTool } from './tool-definition.js';

export const countTool = defineTool({
  name: 'count',
  title: 'Count documents',
  kind: 'read',
  description:
    'Count matching documents (all without a filter); a partition with its values counts by LIST alone. ' +
    'Example: {"resource":"users","partition":"byCountry","partitionValues":{"country":"PT"}}',
  inputSchema: toolArgs({
    resource: resourceName(),
    filter: filter(),
    partition: partition(),
    partitionValues: partitionValues(),
  }),
  outputSchema: z.object({ count: z.number(), plan: planOut() }),
  async handler(args, ctx) {
    const result = await ctx.db.resource(args.resource).count({
      ...(args.filter === undefined ? {} : { filter: args.filter }),
      ...(args.partition === undefined ? {} : { partition: args.partition }),
      ...(args.partitionValues === undefined ? {} : { partitionValues: args.partitionValues }),
      signal: ctx.signal,
      onProgress: engineProgress(ctx, 'keys or documents read'),
    });
    const out = { count: result.count, plan: { ...result.plan } };
    return plainOutput(out, `${result.count} document(s) match in "${args.resource}".`);
  },
});
