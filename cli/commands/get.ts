// s3db get <resource> <id>: one document (one GET).
import { Command } from 'commander';
import type { Runtime } from '../runtime.js';
import { present } from '../runtime.js';

export function getCommand(rt: Runtime): Command {
  return new Command('get')
    .description('Show one document by id')
    .argument('<resource>', 'resource name')
    .argument('<id>', 'document id')
    .addHelpText('after', '\nExamples:\n  s3db get users u1\n  s3db get users u1 --json | jq .name')
    .action(async (name: string, id: string, _opts, cmd: Command) => {
      await rt.withDb(cmd, async (ctx) => {
        const resource = ctx.db.resource(name);
        const [doc] = present([await resource.get(id)], resource, ctx);
        if (ctx.out.json) return ctx.out.data(doc);
        ctx.out.pairs(Object.entries(doc ?? {}));
      });
    });
}
