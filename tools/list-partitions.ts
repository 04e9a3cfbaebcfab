// listPartitions: a resource's partitions, and for one partition its values with document counts.
import { z } from 'zod';
import { anyObject, resourceName, toolArgs } from './arguments.js';
import { documentsOutput } from './results.js';
import { defineTool } from './tool-definition.js';

export const listPartitionsTool = defineTool({
  name: 'listPartitions',
  title: 'List partitions',
  kind: 'read',
  description:
    "A resource's partitions and fields; name one to get its distinct values and document counts. " +
    'Example: {"resource":"users","partition":"byCountry"}',
  inputSchema: toolArgs({
    resource: resourceName(),
    partition: z.string().min(1).optional().describe('One partition: list its values'),
  }),
  outputSchema: z.object({
    partitions: z.array(
      z.looseObject({ name: z.string(), fields: anyObject(), values: z.array(anyObject()).optional() }),
    ),
  }),
  async handler(args, ctx) {
    const listings = await ctx.db.resource(args.resource).listPartitions(args.partition);
    const partitions = listings.map((p) => ({
      name: p.name,
      fields: p.fields,
      ...(p.values === undefined ? {} : { values: p.values.map((v) => ({ ...v })) }),
    }));
    // Partition values are document contents, so the text treats them as untrusted data.
    return documentsOutput({ partitions }, `${partitions.length} partition(s) of "${args.resource}".`, partitions);
  },
});
