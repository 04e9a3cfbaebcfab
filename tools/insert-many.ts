// insertMany: add many documents; each succeeds or fails on its own.
import { z } from 'zod';
import { bulkErrorsOut, resourceName } from './arguments.js';
import { jsonRecord } from './json-input.js';
import { plainOutput } from './results.js';
import { defineTool } from './tool-definition.js';
import { writableResource } from './writable.js';

export const insertManyTool = defineTool({
  name: 'insertMany',
  title: 'Insert many documents',
  kind: 'create',
  description:
    'Insert up to 1000 documents. Not all-or-nothing: the result lists the ids inserted and, per failing item, ' +
    'its index, code and message. Example: {"resource":"users","records":[{"name":"Ada"},{"id":"u2","name":"Bob"}]}',
  inputSchema: z.object({
    resource: resourceName(),
    records: z
      .array(jsonRecord(z.unknown()))
      .min(1)
      .max(1000)
      .describe('Documents to insert (each may carry "id"), at most 1000'),
  }),
  outputSchema: z.object({
    inserted: z.number().describe('How many were inserted'),
    ids: z.array(z.string()),
    errors: bulkErrorsOut(),
  }),
  async handler(args, ctx) {
    const result = await writableResource(ctx, args.resource).insertMany(args.records);
    const out = { inserted: result.ids.length, ids: result.ids, errors: result.errors };
    const summary =
      `Inserted ${out.inserted} of ${args.records.length} document(s) into "${args.resource}"` +
      (out.errors.length > 0 ? `; ${out.errors.length} failed (see errors).` : '.');
    return plainOutput(out, summary);
  },
});
