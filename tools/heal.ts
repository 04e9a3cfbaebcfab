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
    'Check the database for damage and, with dryRun false, repair it. Finds: s3db.json that is not valid JSON ' +
    '(repairs trailing commas, unquoted keys, single quotes, a BOM, missing braces, truncation; an unreadable ' +
    'or missing file is rebuilt from the resources in the bucket, attributes typed any), missing catalog fields, ' +
    'currentVersion naming a missing version, invalid partitions/hooks/attributes, a missing keyMap, resources ' +
    'with data but no catalog entry; fields on documents the catalog lost (declared as field_<key>); ' +
    'documents whose version is unknown (re-stamped), objects that cannot be ' +
    'decoded (reported with the format they look like and left in place; moved to s3db.quarantine/ only with ' +
    'quarantine true), partition references to missing documents, missing or stale ' +
    'references; with dryRun false also rebuilds the full-text indexes (when that plugin is on). Default is a dry run ' +
    'that only reports and writes nothing; a repair first copies s3db.json to ' +
    's3db.json.corrupted.<timestamp>.backup and lists every backup key. ' +
    'A bucket written by s3db.js is reported as such and never changed (migrate it instead). ' +
    'Example: {"dryRun":true} or {"dryRun":false,"resource":"users"}',
  inputSchema: z.object({
    dryRun: z.boolean().default(true).describe('Only report problems (default true); false repairs them'),
    resource: resourceName().optional().describe('Only this resource'),
    quarantine: z
      .boolean()
      .default(false)
      .describe('Move objects that cannot be decoded to s3db.quarantine/ (default false: report, leave in place)'),
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
      quarantine: args.quarantine,
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
