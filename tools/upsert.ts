// upsert: insert or replace one document by id.
import { z } from 'zod';
import { documentData, documentOut, resourceName } from './arguments.js';
import { documentsOutput, presentDocuments } from './results.js';
import { defineTool } from './tool-definition.js';
import { writableResource } from './writable.js';

export const upsertTool = defineTool({
  name: 'upsert',
  title: 'Insert or update a document',
  kind: 'update',
  description:
    'Insert the document, or update the existing one with the same id. data.id is required. ' +
    'Example: {"resource":"users","data":{"id":"u1","name":"Ada","country":"PT"}}',
  inputSchema: z.object({
    resource: resourceName(),
    data: documentData('The document, with "id"').refine(
      (d) => typeof d.id === 'string' && d.id !== '',
      'data.id (a non-empty string) is required for upsert',
    ),
  }),
  outputSchema: z.object({ record: documentOut(), created: z.boolean().describe('True when it did not exist') }),
  async handler(args, ctx) {
    const resource = writableResource(ctx, args.resource);
    const result = await resource.upsert(args.data);
    const [record] = presentDocuments([result.record], resource, ctx) as [{ id: string }];
    const verb = result.created ? 'Inserted' : 'Updated';
    return documentsOutput(
      { record, created: result.created },
      `${verb} "${record.id}" in "${args.resource}".`,
      record,
    );
  },
});
