// createResource: define (or evolve) a resource's schema, partitions and behavior.
import { z } from 'zod';
import type { ResourceDefinitionInput } from '../engine/index.js';
import { behavior, resourceName } from './arguments.js';
import { jsonRecord } from './json-input.js';
import { plainOutput } from './results.js';
import { defineTool } from './tool-definition.js';
import { writableResource } from './writable.js';

export const createResourceTool = defineTool({
  name: 'createResource',
  title: 'Create or update a resource',
  kind: 'create',
  description:
    'Define a resource (a collection of JSON documents) with a schema. Calling it again with a changed definition ' +
    'adds a new schema version; the same definition changes nothing. Declare partitions for the fields you will ' +
    'look documents up by: a query naming a partition and its values is one S3 LIST instead of a full scan. ' +
    'Example: {"name":"users","attributes":{"name":"string|required","email":"email","country":"string",' +
    '"apiKey":"secret"},"partitions":{"byCountry":{"fields":{"country":"string"}}},"timestamps":true}',
  inputSchema: z.object({
    name: resourceName(),
    attributes: jsonRecord(z.unknown()).describe(
      'Schema: attribute → rule string ("string|required|max:100", "number|min:0", "boolean", "date", "email", ' +
        '"secret" = encrypted at rest, "array", "json") or a nested object of attributes',
    ),
    behavior: behavior(),
    partitions: jsonRecord(
      z.object({
        fields: z
          .record(z.string(), z.string())
          .describe('Field → rule, e.g. {"country":"string"} or {"createdAt":"date|maxlength:10"}'),
      }),
    )
      .optional()
      .describe('Named partitions for fast lookups, e.g. {"byCountry":{"fields":{"country":"string"}}}'),
    timestamps: z.boolean().optional().describe('Maintain createdAt/updatedAt on every document'),
    paranoid: z.boolean().optional().describe('Deletes need confirm: true'),
  }),
  outputSchema: z.object({
    name: z.string(),
    version: z.string().describe('Schema version now current, e.g. "v1"'),
    created: z.boolean().describe('The resource did not exist before this call'),
    changed: z.boolean().describe('An existing resource got a new schema version'),
    definition: z.looseObject({ attributes: z.record(z.string(), z.unknown()) }),
  }),
  async handler(args, ctx) {
    // Redefining a plugin's resource (the audit log's schema) is a write to it, guarded like one.
    if (ctx.db.listResources().some((r) => r.name === args.name)) writableResource(ctx, args.name);
    const result = await ctx.db.createResource(args as ResourceDefinitionInput);
    const described = await ctx.db.describeResource(args.name);
    const definition = {
      attributes: described.attributes,
      behavior: described.behavior,
      partitions: described.partitions,
      timestamps: described.timestamps,
      paranoid: described.paranoid,
    };
    const out = {
      name: args.name,
      version: result.version,
      created: result.created,
      changed: result.changed,
      definition,
    };
    const summary = result.created
      ? `Created resource "${args.name}" (version ${result.version}).`
      : result.changed
        ? `Resource "${args.name}" is now at version ${result.version}.`
        : `Resource "${args.name}" already had this definition (version ${result.version}); nothing changed.`;
    return plainOutput(out, summary);
  },
});
