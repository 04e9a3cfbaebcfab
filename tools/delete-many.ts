// deleteMany: remove documents by id; each succeeds or fails on its own.
import { z } from 'zod';
import { bulkErrorsOut, confirmParanoid, documentIds, resourceName, toolArgs } from './arguments.js';
import { DeclinedError } from './declined.js';
import { engineProgress } from './context.js';
import { plainOutput } from './results.js';
import { defineTool } from './tool-definition.js';
import { writableResource } from './writable.js';

export const deleteManyTool = defineTool({
  name: 'deleteMany',
  title: 'Delete many documents',
  kind: 'delete',
  description:
    'Delete up to 1000 documents by id; not all-or-nothing (missing ids come back in errors); cannot be undone. ' +
    'Example: {"resource":"users","ids":["u1","u2"]}',
  inputSchema: toolArgs({ resource: resourceName(), ids: documentIds(), confirm: confirmParanoid() }),
  outputSchema: z.object({ deleted: z.array(z.string()), errors: bulkErrorsOut() }),
  async handler(args, ctx) {
    const resource = writableResource(ctx, args.resource);
    if (!(await ctx.confirm(`Delete ${args.ids.length} document(s) from "${args.resource}"? This cannot be undone.`))) {
      throw new DeclinedError(`deleting ${args.ids.length} document(s)`);
    }
    const result = await resource.deleteMany(args.ids, {
      ...(args.confirm === undefined ? {} : { confirm: args.confirm }),
      signal: ctx.signal,
      onProgress: engineProgress(ctx, 'documents deleted'),
    });
    const out = { deleted: result.deleted, errors: result.errors.map((e) => ({ ...e })) };
    const summary =
      `Deleted ${out.deleted.length} of ${args.ids.length} document(s) from "${args.resource}"` +
      (out.errors.length > 0 ? `; ${out.errors.length} failed (see errors).` : '.');
    return plainOutput(out, summary);
  },
});
