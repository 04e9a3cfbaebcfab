// insertMany: add many documents; each succeeds or fails on its own.
import { z } from 'zod';
import { bulkErrorsOut, required, resourceName, toolArgs } from './arguments.js';
import { engineProgress } from './context.js';
import { jsonRecord } from './json-input.js';
import { plainOutput } from './results.js';
import { defineTool } from './tool-definition.js';
import { writableResource } from './writable.js';

export const insertManyTool = defineTool({
  name: 'insertMany',
  title: 'Insert many documents',
  kind: 'create',
  description:
    'Insert up to 1000 documents; not all-or-nothing: ids inserted, and per failing item its index, code and ' +
    'message. Example: {"resource":"users","records":[{"name":"Ada"},{"id":"u2","name":"Bob"}]}',
  inputSchema: toolArgs({
    resource: resourceName(),
    records: z.array(jsonRecord(z.unknown()), required('records')).min(1).max(1000).describe('At most 1000 documents'),
  }),
  outputSchema: z.object({
    inserted: z.number(),
    ids: z.array(z.string()),
    errors: bulkErrorsOut(),
  }),
  async handler(args, ctx) {
    const result = await writableResource(ctx, args.resource).insertMany(args.records, {
      signal: ctx.signal,
      onProgress: engineProgress(ctx, 'documents written'),
    });
    const out = { inserted: result.ids.length, ids: result.ids, errors: result.errors.map((e) => ({ ...e })) };
    const summary =
      `Inserted ${out.inserted} of ${args.records.length} document(s) into "${args.resource}"` +
      (out.errors.length > 0 ? `; ${out.errors.length} failed (see errors).` : '.');
    return plainOutput(out, summary);
  },
});
