// insert: add one document.
import { z } from 'zod';
import { documentData, documentOut, resourceName } from './arguments.js';
import { documentsOutput, presentDocuments } from './results.js';
import { defineTool } from './tool-definition.js';
import { writableResource } from './writable.js';

export const insertTool = defineTool({
  name: 'insert',
  title: 'Insert a document',
  kind: 'create',
  description:
    'Insert one document. An id is generated unless data.id is given; an existing id is a CONFLICT (use upsert ' +
    'to replace). Example: {"resource":"users","data":{"id":"u1","name":"Ada","country":"PT"}}',
  inputSchema: z.object({ resource: resourceName(), data: documentData('The document (may carry "id")') }),
  outputSchema: z.object({ id: z.string(), record: documentOut() }),
  async handler(args, ctx) {
    const resource = writableResource(ctx, args.resource);
    const stored = await resource.insert(args.data);
    const [record] = presentDocuments([stored], resource, ctx) as [typeof stored];
    return documentsOutput({ id: record.id, record }, `Inserted "${record.id}" into "${args.resource}".`, record);
  },
});
