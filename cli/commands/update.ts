// s3db update <resource> <id> -d '<json>': deep-merge a patch into a document (conditional write, retried).
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { parseJsonObject } from '../parse.js';
import { present, type Runtime } from '../runtime.js';

export function updateCommand(rt: Runtime): Command {
  return new Command('update')
    .description('Merge a JSON patch into a document')
    .argument('<resource>', 'resource name')
    .argument('<id>', 'document id')
    .option('-d, --data <json>', 'the patch, a JSON object')
    .addHelpText(
      'after',
      `\nExamples:\n  s3db update users u1 -d '{"team":"blue"}'\n  s3db update users u1 -d '{"address":{"city":"Porto"}}'`,
    )
    .action(async (name: string, id: string, opts: { data?: string }, cmd: Command) => {
      if (opts.data === undefined)
        throw new UsageError('update needs -d', `e.g. s3db update ${name} ${id} -d '{"team":"blue"}'`);
      const patch = parseJsonObject(opts.data, '-d');
      await rt.withDb(cmd, async (ctx) => {
        const resource = ctx.db.resource(name);
        const [doc] = present([await resource.update(id, patch)], resource, ctx);
        if (ctx.out.json) return ctx.out.data(doc);
        ctx.out.line(`${ctx.out.c.green('✔')} updated ${ctx.out.c.bold(`${name}/${id}`)}`);
        ctx.out.pairs(Object.entries(doc ?? {}));
      });
    });
}
