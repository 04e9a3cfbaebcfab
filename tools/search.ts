// search: full-text search over the fields the full-text plugin indexes (registered only when it is enabled).
import { z } from 'zod';
import { FullTextPlugin, ValidationError, type Document } from '../engine/index.js';
import { documentOut, resourceName, toolArgs } from './arguments.js';
import { documentsOutput, presentDocuments } from './results.js';
import { defineTool } from './tool-definition.js';

export const searchTool = defineTool({
  name: 'search',
  title: 'Full-text search',
  kind: 'read',
  description:
    'Find documents whose indexed text fields contain the words of a query, best match first (BM25 ranking; ' +
    'case and accents ignored; any word may match, more matching words rank higher). Only resources the ' +
    'full-text plugin indexes can be searched (describeResource lists FullTextPlugin for them). ' +
    'Example: {"resource":"articles","query":"pasta sauce","limit":5}',
  inputSchema: toolArgs({
    resource: resourceName().describe('An indexed resource, e.g. "articles"'),
    query: z.string().min(1).max(1000).describe('Words to look for, e.g. "cafe sao paulo"'),
    limit: z.number().int().min(1).max(100).default(10).describe('Most documents to return (default 10, max 100)'),
  }),
  outputSchema: z.object({
    terms: z.array(z.string()).describe('The query words after normalisation'),
    total: z.number().describe('Documents matching at least one word'),
    hits: z.array(z.object({ id: z.string(), score: z.number(), matched: z.array(z.string()), record: documentOut() })),
  }),
  async handler(args, ctx) {
    const plugin = ctx.db.plugin?.('FullTextPlugin');
    if (!(plugin instanceof FullTextPlugin)) {
      throw new ValidationError('Full-text search is not enabled on this server', {
        hint: 'Start the server with --plugins=fulltext --fulltext=resource:field+field.',
      });
    }
    const result = await plugin.search(args.resource, args.query, { limit: args.limit });
    const resource = ctx.db.resource(args.resource);
    const records = presentDocuments(
      result.hits.map((h) => h.record ?? { id: h.id }),
      resource,
      ctx,
    );
    const hits = result.hits.map((h, i) => ({
      id: h.id,
      score: h.score,
      matched: h.matched,
      record: records[i] as Document,
    }));
    const out = { terms: result.terms, total: result.total, hits };
    return documentsOutput(
      out,
      `${hits.length} of ${result.total} matching document(s) in "${args.resource}" for ${JSON.stringify(args.query)}.`,
      hits,
    );
  },
});
