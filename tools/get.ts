// get: one document by id.
import { z } from 'zod';
import { documentId, documentOut, resourceName, toolArgs } from './arguments.js';
import { documentsOutput, presentDocuments } from './results.js';
import { defineTool } from './tool-definition.js';

export const getTool = defineTool({
  name: 'get',
  title: 'Get a document',
  kind: 'read',
  description: 'Read one document by id (one S3 request). Example: {"resource":"users","id":"u1"}',
  inputSchema: toolArgs({ resource: resourceName(), id: documentId() }),
  outputSchema: z.object({ record: documentOut() }),
  async handler(args, ctx) {
    const resource = ctx.db.resource(args.resource);
    const [record] = presentDocuments([await resource.get(args.id)], resource, ctx) as [{ id: string }];
    return documentsOutput({ record }, `Document "${args.id}" of "${args.resource}".`, record);
  },
});
