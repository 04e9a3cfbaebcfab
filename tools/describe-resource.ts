// describeResource: one resource's current schema, its versions, partitions and options.
import { z } from 'zod';
import { anyObject, resourceName, toolArgs } from './arguments.js';
import { plainOutput } from './results.js';
import { defineTool } from './tool-definition.js';

export const describeResourceTool = defineTool({
  name: 'describeResource',
  title: 'Describe a resource',
  kind: 'read',
  description:
    "A resource's attributes, partitions, behavior and schema versions: read it before inserting or querying. " +
    'Example: {"resource":"users"}',
  inputSchema: toolArgs({ resource: resourceName() }),
  // Also versions, behavior, timestamps, paranoid, createdBy and plugins (docs/tools.md).
  outputSchema: z.looseObject({
    name: z.string(),
    currentVersion: z.string(),
    attributes: anyObject(),
    partitions: anyObject(),
  }),
  async handler(args, ctx) {
    const d = await ctx.db.describeResource(args.resource);
    const out = {
      name: d.name,
      currentVersion: d.currentVersion,
      versions: d.versions,
      attributes: d.attributes,
      behavior: d.behavior,
      partitions: d.partitions,
      timestamps: d.timestamps,
      paranoid: d.paranoid,
      createdBy: d.createdBy,
      plugins: d.plugins ?? [],
    };
    return plainOutput(out, `Resource "${d.name}", version ${d.currentVersion}.`);
  },
});
