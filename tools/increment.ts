// increment: add to (or subtract from) a counted numeric field without a lost update (registered only when the
// counters plugin — EventualConsistencyPlugin — is enabled).
import { z } from 'zod';
import { EventualConsistencyPlugin, ValidationError } from '../engine/index.js';
import { documentId, resourceName } from './arguments.js';
import { defineTool } from './tool-definition.js';

export const incrementTool = defineTool({
  name: 'increment',
  title: 'Increment a counter',
  kind: 'update',
  description:
    'Add `by` (negative to subtract) to a counted numeric field of a document, safely under concurrent writers ' +
    '(balances, stock, counters): the change is recorded at once and folded into the field by consolidation ' +
    '(every few seconds, or now with consolidate:true). Only fields the counters plugin counts (describeResource ' +
    'lists EventualConsistencyPlugin). update also accepts {"field":{"$inc":n}} on them. ' +
    'Example: {"resource":"accounts","id":"a1","field":"balance","by":-30}',
  inputSchema: z.strictObject({
    resource: resourceName(),
    id: documentId(),
    field: z.string().min(1).describe('The counted field (dotted path allowed), e.g. "balance"'),
    by: z.number().describe('Amount to add; negative subtracts, e.g. -30'),
    consolidate: z.boolean().default(false).describe('Fold pending changes into the field now (default false)'),
  }),
  outputSchema: z.object({
    transaction: z.string().describe('Id of the recorded change'),
    value: z.number().describe('The value including every recorded change'),
    consolidated: z.boolean().describe('True when the document field already holds `value`'),
  }),
  async handler(args, ctx) {
    const plugin = ctx.db.plugin?.('EventualConsistencyPlugin');
    if (!(plugin instanceof EventualConsistencyPlugin)) {
      throw new ValidationError('Counters are not enabled on this server', {
        hint: 'Start the server with --plugins=counters --counters=resource:field+field.',
      });
    }
    if (!(await ctx.db.resource(args.resource).exists(args.id))) {
      throw new ValidationError(`No document "${args.id}" in "${args.resource}"`, {
        details: { resource: args.resource, id: args.id },
        hint: 'Insert the document first; counters change existing documents. Use query to find ids.',
      });
    }
    const transaction = await plugin.add(args.resource, args.id, args.field, args.by);
    const value = args.consolidate
      ? (await plugin.consolidate(args.resource, args.id, args.field)).value
      : await plugin.value(args.resource, args.id, args.field, { pending: true });
    const out = { transaction, value, consolidated: args.consolidate };
    return {
      structuredContent: out,
      text: `${args.resource}/${args.id}.${args.field} changed by ${args.by}: now ${value}${args.consolidate ? '' : ' (pending consolidation)'}.`,
    };
  },
});
