// s3db query <resource>: one page of documents by filter and/or partition (--all pages through everything).
import { Command } from 'commander';
import type { QueryOptions } from '../../engine/index.js';
import { collect, parseJsonObject, parseKeyValues, parseList, parsePositiveInt, parseSort } from '../parse.js';
import { present, type Runtime } from '../runtime.js';
import { planLine, printDocuments } from '../views.js';

interface QueryFlags {
  filter?: string;
  partition?: string;
  value?: string[];
  sort?: string[];
  fields?: string[];
  limit: string;
  cursor?: string;
}

/** The engine's query options from the flags (shared with count). */
export function queryOptions(opts: Omit<QueryFlags, 'limit'>): QueryOptions {
  return {
    ...(opts.filter === undefined ? {} : { filter: parseJsonObject(opts.filter, '--filter') }),
    ...(opts.partition === undefined ? {} : { partition: opts.partition }),
    ...(opts.value === undefined ? {} : { partitionValues: parseKeyValues(opts.value) }),
    ...(opts.sort === undefined ? {} : { sort: parseSort(opts.sort) }),
    ...(opts.fields === undefined ? {} : { fields: parseList(opts.fields) }),
    ...(opts.cursor === undefined ? {} : { cursor: opts.cursor }),
  };
}

export function queryCommand(rt: Runtime): Command {
  return new Command('query')
    .description('Find documents by filter and/or partition, a page at a time')
    .argument('<resource>', 'resource name')
    .option('-f, --filter <json>', 'filter, e.g. \'{"age":{"$gte":18}}\' ($eq $ne $gt $gte $lt $lte $in $nin …)')
    .option('-p, --partition <name>', 'read through this partition (one LIST with --value)')
    .option('--value <field=value>', "the partition's field values (repeatable)", collect)
    .option('-s, --sort <field[:desc]>', 'sort, e.g. age:desc or -age (repeatable)', collect)
    .option('--fields <a,b>', 'only these (dotted) fields, plus id', collect)
    .option('-l, --limit <n>', 'documents per page', '20')
    .option('--cursor <cursor>', 'nextCursor of a previous page')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  s3db query users --filter \'{"age":{"$gte":18}}\' --sort age:desc --limit 5',
        '  s3db query users --partition byTeam --value team=red --fields name,team',
        "  s3db query users --json | jq '.records[].id'",
      ].join('\n'),
    )
    .action(async (name: string, opts: QueryFlags, cmd: Command) => {
      const options = { ...queryOptions(opts), limit: parsePositiveInt(opts.limit, '--limit') };
      await rt.withDb(cmd, async (ctx) => {
        const { out } = ctx;
        const resource = ctx.db.resource(name);
        const spinner = out.spinner(`Querying ${name}`).start();
        const result = await resource.query(options).finally(() => spinner.stop());
        const records = present(result.records, resource, ctx);
        if (out.json) {
          return out.data({
            records,
            count: records.length,
            ...(result.nextCursor === undefined ? {} : { nextCursor: result.nextCursor }),
            plan: result.plan,
          });
        }
        printDocuments(out, records);
        out.line(`${records.length} document(s) · ${planLine(out, result.plan)}`);
        if (result.nextCursor !== undefined) {
          out.line(out.c.dim(`more: add --cursor ${result.nextCursor}`));
        }
      });
    });
}
