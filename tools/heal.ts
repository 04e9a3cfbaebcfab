// heal: find (and, when not a dry run, repair) damage: catalog, partition references, data objects.
import { z } from 'zod';
import { FullTextPlugin } from '../engine/index.js';
import { resourceName } from './arguments.js';
import { DeclinedError } from './declined.js';
import { plainOutput } from './results.js';
import { defineTool } from './tool-definition.js';

const problemOut = z.object({
  kind: z.string(),
  message: z.string(),
  repaired: z.boolean(),
  resource: z.string().optional(),
  id: z.string().optional(),
  key: z.string().optional(),
});

export const healTool = defineTool({
  name: 'heal',
  title: 'Check and repair the database',
  kind: 'admin',
  description:
    'Check the catalog, partition references and stored documents for damage. By default a dry run that only ' +
    'reports; with dryRun false it repairs, keeping backups of what it replaces, and rebuilds the full-text ' +
    'indexes (when that plugin is on). ' +
    'Example: {"dryRun":true} or {"dryRun":false,"resource":"users"}',
  inputSchema: z.object({
    dryRun: z.boolean().default(true).describe('Only report problems (default true); false repairs them'),
    resource: resourceName().optional().describe('Only this resource'),
  }),
  outputSchema: z.object({
    dryRun: z.boolean(),
    problems: z.array(problemOut),
    repaired: z.array(problemOut),
    backups: z.array(z.string()).describe('Keys of the backups written before repairs'),
    rebuiltIndexes: z
      .array(z.object({ resource: z.string(), documents: z.number(), postings: z.number() }))
      .optional()
      .describe('Full-text indexes rebuilt (not a dry run, full-text plugin on)'),
  }),
  async handler(args, ctx) {
    if (!args.dryRun && !(await ctx.confirm('Repair the problems heal finds? Damaged objects will be rewritten.'))) {
      throw new DeclinedError('the repair');
    }
    const report = await ctx.db.heal({
      dryRun: args.dryRun,
      ...(args.resource === undefined ? {} : { resource: args.resource }),
    });
    const fulltext = ctx.db.plugin?.('FullTextPlugin');
    const rebuilt =
      !report.dryRun && fulltext instanceof FullTextPlugin ? await fulltext.rebuildAll(args.resource) : undefined;
    const out = {
      dryRun: report.dryRun,
      problems: report.problems,
      repaired: report.repaired,
      backups: report.backups,
      ...(rebuilt === undefined
        ? {}
        : {
            rebuiltIndexes: rebuilt.map((r) => ({
              resource: r.resource,
              documents: r.documents,
              postings: r.postings,
            })),
          }),
    };
    const summary = report.dryRun
      ? `Dry run: ${report.problems.length} problem(s) found, nothing changed.`
      : `${report.problems.length} problem(s) found, ${report.repaired.length} repaired.`;
    return plainOutput(out, summary);
  },
});
