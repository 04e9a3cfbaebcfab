// query: find documents by filter and/or partition, one capped page at a time.
import { z } from 'zod';
import type { QueryOptions, QueryPlan } from '../engine/index.js';
import {
  cursor,
  documentOut,
  fields,
  filter,
  limit,
  partition,
  partitionValues,
  queryPlanOut,
  resourceName,
  sort,
  toolArgs,
} from './arguments.js';
import { engineProgress } from './context.js';
import { documentsOutput, presentDocuments } from './results.js';
import { defineTool } from './tool-definition.js';

export const queryTool = defineTool({
  name: 'query',
  title: 'Query documents',
  kind: 'read',
  description:
    'Find documents, one page at a time (count is this page, not the total: use the count tool; pass nextCursor ' +
    'back as cursor). A partition with its values is one LIST; otherwise the resource is scanned. ' +
    'Example: {"resource":"users","partition":"byCountry","partitionValues":{"country":"PT"},' +
    '"filter":{"age":{"$gte":18}},"limit":20}',
  inputSchema: toolArgs({
    resource: resourceName(),
    filter: filter(),
    partition: partition(),
    partitionValues: partitionValues(),
    limit: limit(),
    cursor: cursor(),
    sort: sort(),
    fields: fields(),
    explain: z.boolean().optional(),
  }),
  outputSchema: z.object({
    records: z.array(documentOut()),
    count: z.number(),
    nextCursor: z.string().optional(),
    truncated: z.boolean().describe('The byte cap ended the page'),
    limit: z.number(),
    plan: queryPlanOut(),
  }),
  async handler(args, ctx) {
    const { queryDefaultLimit, queryMaxLimit, maxResponseBytes } = ctx.limits;
    const applied = Math.min(args.limit ?? queryDefaultLimit, queryMaxLimit);
    const resource = ctx.db.resource(args.resource);
    const options: QueryOptions = {
      ...(args.filter === undefined ? {} : { filter: args.filter }),
      ...(args.partition === undefined ? {} : { partition: args.partition }),
      ...(args.partitionValues === undefined ? {} : { partitionValues: args.partitionValues }),
      ...(args.cursor === undefined ? {} : { cursor: args.cursor }),
      ...(args.sort === undefined ? {} : { sort: args.sort }),
      ...(args.fields === undefined ? {} : { fields: args.fields }),
    };
    if (args.explain === true) {
      const { plan } = await resource.query({ ...options, limit: applied, explain: true, signal: ctx.signal });
      return {
        structuredContent: { records: [], count: 0, truncated: false, limit: applied, plan },
        text: explained(plan),
      };
    }
    // One pass: the engine stops the page before the record that would pass the byte cap, measuring each record
    // as it is presented here (secrets masked), and its cursor resumes right after the last record returned.
    const result = await resource.query({
      ...options,
      limit: applied,
      maxBytes: maxResponseBytes,
      sizeOf: (doc) => Buffer.byteLength(JSON.stringify(presentDocuments([doc], resource, ctx)[0])),
      signal: ctx.signal,
      onProgress: engineProgress(ctx, 'documents read'),
    });
    const records = presentDocuments(result.records, resource, ctx);
    const truncated = result.truncated === true;
    const plan = { ...result.plan };
    const requests = plan.requests;
    const out = {
      records,
      count: records.length,
      ...(result.nextCursor === undefined ? {} : { nextCursor: result.nextCursor }),
      truncated,
      limit: applied,
      plan,
    };
    const notes = [
      `Returned ${records.length} record(s) from "${args.resource}" (${plan.strategy}, ${requests} request(s)).`,
    ];
    if (args.limit !== undefined && args.limit > queryMaxLimit) notes.push(`The limit was capped at ${queryMaxLimit}.`);
    if (truncated)
      notes.push(`The page was cut to ${records.length} record(s) to stay under ${maxResponseBytes} bytes.`);
    if (result.nextCursor !== undefined) {
      notes.push('This is one page, not the total: more may match. Pass nextCursor as cursor; use count for totals.');
    } else {
      notes.push('No more pages.');
    }
    return documentsOutput(out, notes.join(' '), { records, nextCursor: result.nextCursor });
  },
});

/** The plan of an explain call in one paragraph: what it would read, what it would cost, and the snapshot's part. */
function explained(plan: QueryPlan): string {
  const lines = [
    `Explain: no document was read. Plan ${plan.strategy}: ${plan.reason}`,
    `Estimated requests: ${plan.estimatedRequests ?? '?'} (this explain made ${plan.requests}).`,
  ];
  if (plan.snapshot) {
    lines.push(
      `Snapshot: built ${plan.snapshot.builtAt}, ${plan.snapshot.documents} document(s) in ${plan.snapshot.segments} ` +
        'segment(s); changed documents are read directly.',
    );
  }
  return lines.join('\n');
}
