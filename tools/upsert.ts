// upsert: insert one document by id, or — when the id exists — replace it whole (default) or merge into it.
import { z } from 'zod';
import { ConflictError, NotFoundError, type Document } from '../engine/index.js';
import { documentData, documentOut, resourceName, toolArgs } from './arguments.js';
import type { ToolResource } from './context.js';
import { documentsOutput, presentDocuments } from './results.js';
import { defineTool } from './tool-definition.js';
import { writableResource } from './writable.js';

export const UPSERT_MODES = ['replace', 'merge'] as const;
type UpsertMode = (typeof UPSERT_MODES)[number];

/**
 * merge: update the existing document, or insert when there is none. A writer that inserts the same id in
 * between turns our insert into a CONFLICT: then the document exists, and one more update merges into it.
 */
async function merge(
  resource: ToolResource,
  data: Record<string, unknown>,
): Promise<{ record: Document; created: boolean }> {
  const { id, ...patch } = data as { id: string } & Record<string, unknown>;
  for (let attempt = 0; ; attempt++) {
    try {
      return { record: await resource.update(id, patch), created: false };
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    try {
      return { record: await resource.insert(data), created: true };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt > 0) throw error;
    }
  }
}

const SUMMARY: Record<UpsertMode, string> = { replace: 'Replaced whole document', merge: 'Merged fields into' };

export const upsertTool = defineTool({
  name: 'upsert',
  title: 'Insert or replace a document',
  kind: 'update',
  description:
    'Insert the document with data.id, or if that id exists REPLACE it whole (fields not in data are removed); ' +
    'mode "merge" instead keeps the other fields, like update. Example: {"resource":"users","data":{"id":"u1",' +
    '"name":"Ada"},"mode":"merge"}',
  inputSchema: toolArgs({
    resource: resourceName(),
    data: documentData('The document, with "id"').refine(
      (d) => typeof d.id === 'string' && d.id !== '',
      'data.id (a non-empty string) is required for upsert',
    ),
    mode: z.enum(UPSERT_MODES).default('replace').describe('For an existing id: replace (default) or merge'),
  }),
  outputSchema: z.object({
    record: documentOut(),
    created: z.boolean(),
    action: z.enum(['inserted', 'replaced', 'merged']),
  }),
  async handler(args, ctx) {
    const resource = writableResource(ctx, args.resource);
    const result = args.mode === 'merge' ? await merge(resource, args.data) : await resource.upsert(args.data);
    const [record] = presentDocuments([result.record], resource, ctx) as [{ id: string }];
    const action: 'inserted' | 'merged' | 'replaced' = result.created
      ? 'inserted'
      : args.mode === 'merge'
        ? 'merged'
        : 'replaced';
    const verb = result.created ? 'Inserted' : SUMMARY[args.mode];
    return documentsOutput(
      { record, created: result.created, action },
      `${verb} "${record.id}" in "${args.resource}".`,
      record,
    );
  },
});
