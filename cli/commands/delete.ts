// s3db delete <resource> <id>: asks first on a terminal unless --yes (scripts, with no terminal, are not asked).
import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { EXIT } from '../errors.js';
import type { Runtime } from '../runtime.js';

export function deleteCommand(rt: Runtime): Command {
  return new Command('delete')
    .description('Delete a document (asks on a terminal unless --yes)')
    .argument('<resource>', 'resource name')
    .argument('<id>', 'document id')
    .option('-y, --yes', 'do not ask (also confirms deletes on paranoid resources)')
    .addHelpText('after', '\nExamples:\n  s3db delete users u1\n  s3db delete users u1 --yes')
    .action(async (name: string, id: string, opts: { yes?: boolean }, cmd: Command) => {
      await rt.withDb(cmd, async ({ db, out, io }) => {
        const resource = db.resource(name);
        let confirmed = opts.yes === true;
        if (!confirmed && io.stdin.isTTY === true) {
          const rl = createInterface({ input: io.stdin, output: io.stderr });
          const answer = await rl.question(`Delete ${name}/${id}? [y/N] `);
          rl.close();
          confirmed = /^y(es)?$/i.test(answer.trim());
          if (!confirmed) {
            out.note('Not deleted.');
            rt.exitCode = EXIT.failed;
            return;
          }
        }
        // Scripts (no terminal) are not asked; on a paranoid resource they still need --yes.
        await resource.delete(id, { confirm: confirmed });
        if (out.json) return out.data({ deleted: id });
        out.line(`${out.c.green('✔')} deleted ${out.c.bold(`${name}/${id}`)}`);
      });
    });
}
