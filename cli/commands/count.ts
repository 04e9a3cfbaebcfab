// s3db count <resource>: how many documents match (a LIST per 1,000 keys, or a scan when a filter needs one).
import { Command } from 'commander';
import type { Runtime } from '../runtime.js';
import { planLine } from '../views.js';
import { collect } from '../parse.js';
import { queryOptions } from './query.js';

export function countCommand(rt: Runtime): Command {
  return new Command('count')
    .description('Count documents, optionally by filter and/or partition')
    .argument('<resource>', 'resource name')
    .option('-f, --filter <json>', 'filter, as for query')
    .option('-p, --partition <name>', 'count through this partition')
    .option('--value <field=value>', "the partition's field values (repeatable)", collect)
    .addHelpText(
      'after',
      '\nExamples:\n  s3db count users\n  s3db count users --partition byTeam --value team=red\n  s3db count users --filter \'{"age":{"$gt":30}}\'',
    )
    .action(async (name: string, opts: { filter?: string; partition?: string; value?: string[] }, cmd: Command) => {
      // Only filter, partition and partitionValues: count takes no other flag.
      const options = queryOptions(opts);
      await rt.withDb(cmd, async ({ db, out }) => {
        const spinner = out.spinner(`Counting ${name}`).start();
        const result = await db
          .resource(name)
          .count(options)
          .finally(() => spinner.stop());
        if (out.json) return out.data(result);
        out.line(`${out.c.bold(String(result.count))} ${planLine(out, result.plan)}`);
      });
    });
}
