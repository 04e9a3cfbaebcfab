// s3db heal [--apply]: find (and with --apply repair) damage: catalog, data objects, partition references.
import { Command } from 'commander';
import type { Runtime } from '../runtime.js';

export function healCommand(rt: Runtime): Command {
  return new Command('heal')
    .description('Check the bucket for damage; --apply repairs it (backups first, see docs/heal.md)')
    .option('--apply', 'repair what is found (default: a dry run that changes nothing)')
    .option('-r, --resource <name>', 'only this resource')
    .addHelpText('after', '\nExamples:\n  s3db heal\n  s3db heal --resource users --apply')
    .action(async (opts: { apply?: boolean; resource?: string }, cmd: Command) => {
      await rt.withDb(cmd, async ({ db, out }) => {
        const dryRun = opts.apply !== true;
        const spinner = out.spinner(dryRun ? 'Checking' : 'Healing').start();
        const report = await db
          .heal({ dryRun, ...(opts.resource === undefined ? {} : { resource: opts.resource }) })
          .finally(() => spinner.stop());
        if (out.json) return out.data(report);
        if (report.problems.length === 0) return out.line(`${out.c.green('✔')} no problems found`);
        out.table(
          ['kind', 'resource', 'id / key', 'problem', 'repaired'],
          report.problems.map((p) => [
            p.kind,
            p.resource ?? '',
            p.id ?? p.key ?? '',
            p.message,
            p.repaired ? out.c.green('yes') : out.c.yellow('no'),
          ]),
        );
        out.line(
          dryRun
            ? out.c.yellow(`${report.problems.length} problem(s); nothing changed. Run with --apply to repair.`)
            : `${out.c.green('✔')} repaired ${report.repaired.length} of ${report.problems.length} problem(s)` +
                (report.backups.length > 0 ? out.c.dim(` · backups: ${report.backups.join(', ')}`) : ''),
        );
      });
    });
}
