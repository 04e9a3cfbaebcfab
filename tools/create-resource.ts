// createResource: define (or evolve) a resource's schema, partitions and behavior.
import { z } from 'zod';
import type { ResourceDefinitionInput } from '../engine/index.js';
import { anyObject, behavior, required, resourceName, toolArgs } from './arguments.js';
import { jsonRecord } from './json-input.js';
import { plainOutput } from './results.js';
import { defineTool } from './tool-definition.js';
import { writableResource } from './writable.js';

export const createResourceTool = defineTool({
  name: 'createResource',
  title: 'Create or update a resource',
  kind: 'create',
  description:
    'Define a resource (a collection of JSON documents) and its schema; a changed definition becomes a new ' +
    'version. Partition the fields you look documents up by (one LIST instead of a scan). Example: ' +
    '{"name":"users","attributes":{"name":"string|required","country":"string","apiKey":"secret"},' +
    '"partitions":{"byCountry":{"fields":{"country":"string"}}},"timestamps":true}',
  inputSchema: toolArgs({
    name: resourceName('name'),
    attributes: jsonRecord(z.unknown(), required('attributes')).describe(
      'Attribute → rule: string, number, boolean, date, email, secret (encrypted), array, json, with |required ' +
        '|min:0 |max:100; or nested attributes',
    ),
    behavior: behavior(),
    partitions: jsonRecord(
      z.strictObject({ fields: z.record(z.string(), z.string()).describe('Field → rule, e.g. "date|maxlength:10"') }),
    ).optional(),
    timestamps: z.boolean().optional().describe('Keep createdAt/updatedAt'),
    paranoid: z.boolean().optional().describe('Deletes need confirm: true'),
  }),
  outputSchema: z.object({
    name: z.string(),
    version: z.string(),
    created: z.boolean(),
    changed: z.boolean().describe('A new schema version'),
    definition: anyObject(),
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
