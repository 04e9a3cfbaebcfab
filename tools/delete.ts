// delete: remove one document (destructive; confirmed with the user when the client can ask).
import { z } from 'zod';
import { confirmParanoid, documentId, resourceName, toolArgs } from './arguments.js';
import { plainOutput } from './results.js';
import { defineTool } from './tool-definition.js';
import { writableResource } from './writable.js';
import { DeclinedError } from './declined.js';

export const deleteTool = defineTool({
  name: 'delete',
  title: 'Delete a document',
  kind: 'delete',
  description:
    'Delete one document by id; cannot be undone; a missing id is NOT_FOUND. Example: {"resource":"users","id":"u1"}',
  inputSchema: toolArgs({ resource: resourceName(), id: documentId(), confirm: confirmParanoid() }),
  outputSchema: z.object({ deleted: z.string() }),
  async handler(args, ctx) {
    const resource = writableResource(ctx, args.resource);
    if (!(await ctx.confirm(`Delete document "${args.id}" from "${args.resource}"? This cannot be undone.`))) {
      throw new DeclinedError(`deleting "${args.id}"`);
    }
    await resource.delete(args.id, args.confirm === undefined ? undefined : { confirm: args.confirm });
    return plainOutput({ deleted: args.id }, `Deleted "${args.id}" from "${args.resource}".`);
  },
});
