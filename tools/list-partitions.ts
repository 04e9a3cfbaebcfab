// listPartitions: a resource's partitions, and for one partition its values with document counts.
import { z } from 'zod';
import { resourceName } from './arguments.js';
import { documentsOutput } from './results.js';
import { defineTool } from './tool-definition.js';

export const listPartitionsTool = defineTool({
  name: 'listPartitions',
  title: 'List partitions',
  kind: 'read',
  description:
    'List the partitions of a resource with their fields; name one partition to also get its distinct values ' +
    'and how many documents each holds. Example: {"resource":"users","partition":"byCountry"}',
  inputSchema: z.object({
    resource: resourceName(),
    partition: z.string().min(1).optional().describe('One partition name, to list its values and counts'),
  }),
  outputSchema: z.object({
    partitions: z.array(
      z.object({
        name: z.string(),
        fields: z.record(z.string(), z.string()),
        values: z
          .array(z.object({ values: z.record(z.string(), z.string()), count: z.number() }))
          .optional()
          .describe('Present when one partition was asked for'),
      }),
    ),
  }),
  async handler(args, ctx) {
    const listings = await ctx.db.resource(args.resource).listPartitions(args.partition);
    const partitions = listings.map((p) => ({
      name: p.name,
      fields: p.fields,
      ...(p.values === undefined ? {} : { values: p.values }),
    }));
    // Partition values are document contents, so the text treats them as untrusted data.
    return documentsOutput({ partitions }, `${partitions.length} partition(s) of "${args.resource}".`, partitions);
  },
});
