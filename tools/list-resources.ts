// listResources: the resources in the database, from the catalog in memory (no S3 request).
import { z } from 'zod';
import { plainOutput } from './results.js';
import { defineTool } from './tool-definition.js';

export const listResourcesTool = defineTool({
  name: 'listResources',
  title: 'List resources',
  kind: 'read',
  description:
    'List every resource with its schema version, behavior and partition names. Start here to see what exists. ' +
    'Example: {}',
  inputSchema: z.object({}),
  outputSchema: z.object({
    resources: z.array(
      z.object({
        name: z.string(),
        version: z.string(),
        behavior: z.string(),
        partitions: z.array(z.string()).describe('Partition names (see listPartitions for fields and values)'),
        createdBy: z.string(),
      }),
    ),
  }),
  async handler(_args, ctx) {
    const summaries = await ctx.db.listResources();
    const resources = summaries.map((r) => ({
      name: r.name,
      version: r.version,
      behavior: r.behavior,
      partitions: partitionNames(r.partitions),
      createdBy: r.createdBy,
    }));
    return plainOutput({ resources }, `${resources.length} resource(s).`);
  },
});

function partitionNames(partitions: unknown): string[] {
  if (Array.isArray(partitions)) return partitions.map(String);
  if (partitions !== null && typeof partitions === 'object') return Object.keys(partitions);
  return [];
}
