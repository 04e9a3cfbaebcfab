// insert: add one document.
import { z } from 'zod';
import { documentData, documentOut, resourceName, toolArgs } from './arguments.js';
import { documentsOutput, presentDocuments } from './results.js';
import { defineTool } from './tool-definition.js';
import { writableResource } from './writable.js';

export const insertTool = defineTool({
  name: 'insert',
  title: 'Insert a document',
  kind: 'create',
  description:
    'Insert one document; an id is generated unless data.id is given, an existing id is a CONFLICT. ' +
    'Example: {"resource":"users","data":{"id":"u1","name":"Ada"}}',
  inputSchema: toolArgs({ resource: resourceName(), data: documentData('The document, e.g. {"name":"Ada"}') }),
  outputSchema: z.object({ id: z.string(), record: documentOut() }),
  async handler(args, ctx) {
    const resource = writableResource(ctx, args.resource);
    const stored = await resource.insert(args.data);
    const [record] = presentDocuments([stored], resource, ctx) as [typeof stored];
    return documentsOutput({ id: record.id, record }, `Inserted "${record.id}" into "${args.resource}".`, record);
  },
});
