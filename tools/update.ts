// update: merge a patch into one document.
import { z } from 'zod';
import { documentData, documentId, documentOut, resourceName, toolArgs } from './arguments.js';
import { documentsOutput, presentDocuments } from './results.js';
import { defineTool } from './tool-definition.js';
import { writableResource } from './writable.js';

export const updateTool = defineTool({
  name: 'update',
  title: 'Update a document',
  kind: 'update',
  description:
    'Merge fields into an existing document (nested objects merged, other fields kept); a missing id is ' +
    'NOT_FOUND. Example: {"resource":"users","id":"u1","data":{"country":"ES"}}',
  inputSchema: toolArgs({
    resource: resourceName(),
    id: documentId(),
    data: documentData('Fields to set'),
  }),
  outputSchema: z.object({ record: documentOut() }),
  async handler(args, ctx) {
    const resource = writableResource(ctx, args.resource);
    const [record] = presentDocuments([await resource.update(args.id, args.data)], resource, ctx) as [{ id: string }];
    return documentsOutput({ record }, `Updated "${args.id}" in "${args.resource}".`, record);
  },
});
