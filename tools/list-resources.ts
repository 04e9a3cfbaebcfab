// listResources: the resources in the database, from the catalog in memory (no S3 request).
import { z } from 'zod';
import { plainOutput } from './results.js';
import { toolArgs } from './arguments.js';
import { defineTool } from './tool-definition.js';

export const listResourcesTool = defineTool({
  name: 'listResources',
  title: 'List resources',
  kind: 'read',
  description: 'Every resource with its version, behavior and partition names: start here. Example: {}',
  inputSchema: toolArgs({}),
  outputSchema: z.object({
    resources: z.array(z.looseObject({ name: z.string(), version: z.string(), partitions: z.array(z.string()) })),
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
