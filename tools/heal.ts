// heal: find (and, when not a dry run, repair) damage: catalog, partition references, data objects.
import { z } from 'zod';
import { FullTextPlugin } from '../engine/index.js';
import { anyObject, resourceName, toolArgs } from './arguments.js';
import { DeclinedError } from './declined.js';
import { engineProgress } from './context.js';
import { documentsOutput } from './results.js';
import { defineTool } from './tool-definition.js';

/** One problem: kind, message, repaired, and resource / id / key when they apply. */
const problemOut = () => z.looseObject({ kind: z.string(), message: z.string(), repaired: z.boolean() });

export const healTool = defineTool({
  name: 'heal',
  title: 'Check and repair the database',
  kind: 'admin',
  description:
    'A dry run finds damage; dryRun false repairs it (s3db.json backed up first): an invalid or lost s3db.json ' +
    '(rebuilt), bad definitions, lost fields, undecodable objects (left in place unless quarantine), unknown ' +
    'versions, missing/stale/orphan references, snapshots (built), broken audit chains (reported). ' +
    'An s3db.js bucket is only reported. Example: {"dryRun":true} or {"dryRun":false,"resource":"users"}',
  inputSchema: toolArgs({
    dryRun: z.boolean().default(true).describe('Only report (default); false repairs'),
    resource: resourceName().optional().describe('Only this resource'),
    quarantine: z.boolean().default(false).describe('Move undecodable objects to s3db.quarantine/'),
  }),
  outputSchema: z.object({
    dryRun: z.boolean(),
    problems: z.array(problemOut()),
    repaired: z.array(anyObject()).describe('The problems repaired'),
    backups: z.array(z.string()).describe('Backups written before repairs'),
    rebuiltIndexes: z.array(anyObject()).optional().describe('Full-text indexes rebuilt'),
  }),
  async handler(args, ctx) {
    if (!args.dryRun && !(await ctx.confirm('Repair the problems heal finds? Damaged objects will be rewritten.'))) {
      throw new DeclinedError('the repair');
    }
    const report = await ctx.db.heal({
      dryRun: args.dryRun,
      signal: ctx.signal,
      onProgress: engineProgress(ctx, 'resources checked'),
      quarantine: args.quarantine,
      ...(args.resource === undefined ? {} : { resource: args.resource }),
    });
    const fulltext = ctx.db.plugin?.('FullTextPlugin');
    const rebuilt =
      !report.dryRun && fulltext instanceof FullTextPlugin ? await fulltext.rebuildAll(args.resource) : undefined;
    const out = {
      dryRun: report.dryRun,
      problems: report.problems.map((p) => ({ ...p })),
      repaired: report.repaired.map((p) => ({ ...p })),
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
    // Problem keys, ids and messages come from the bucket (an id can say anything): wrapped as untrusted data.
    return documentsOutput(out, summary, out);
  },
});
