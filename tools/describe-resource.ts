// describeResource: one resource's current schema, its versions, partitions and options.
import { z } from 'zod';
import { resourceName } from './arguments.js';
import { plainOutput } from './results.js';
import { defineTool } from './tool-definition.js';

export const describeResourceTool = defineTool({
  name: 'describeResource',
  title: 'Describe a resource',
  kind: 'read',
  description:
    "Show a resource's attributes (schema), partitions, behavior and schema versions. Use it before inserting or " +
    'querying to learn field names and which partitions make lookups fast. Example: {"resource":"users"}',
  inputSchema: z.object({ resource: resourceName() }),
  outputSchema: z.object({
    name: z.string(),
    currentVersion: z.string(),
    versions: z.record(z.string(), z.unknown()),
    attributes: z.record(z.string(), z.unknown()),
    behavior: z.string(),
    partitions: z.record(z.string(), z.unknown()),
    timestamps: z.boolean(),
    paranoid: z.boolean(),
    createdBy: z.string(),
    plugins: z.array(z.string()).describe('Plugins that see this resource (e.g. FullTextPlugin: it can be searched)'),
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
