// s3db snapshot build|drop <resource>: pack a resource into a snapshot so scans cost a few requests, or remove it
// (docs/queries.md "Snapshots"). heal --apply also builds missing and stale ones.
import { Command } from 'commander';
import type { Runtime } from '../runtime.js';
import { formatBytes } from '../views.js';

export function snapshotCommand(rt: Runtime): Command {
  const build = new Command('build')
    .description('Pack the resource into a snapshot (one GET per document, then scans read it)')
    .argument('<resource>', 'resource name')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      await rt.withDb(cmd, async ({ db, out }) => {
        const spinner = out.spinner(`Building the snapshot of ${name}`).start();
        const report = await db.buildSnapshot(name).finally(() => spinner.stop());
        if (out.json) return out.data(report);
        if (!report.committed) {
          return out.line(`${out.c.yellow('!')} another process committed a snapshot of ${name} first; it is in use`);
        }
        out.line(
          `${out.c.green('✔')} snapshot of ${out.c.bold(name)}: ${report.documents} document(s) in ` +
            `${report.segments} segment(s), ${formatBytes(report.bytes)} ` +
            out.c.dim(`· ${report.requests} request(s) · ${report.removed} old segment(s) removed`),
        );
      });
    });
  const drop = new Command('drop')
    .description('Remove the snapshot: scans read every document again')
    .argument('<resource>', 'resource name')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      await rt.withDb(cmd, async ({ db, out }) => {
        const segments = await db.dropSnapshot(name);
        if (out.json) return out.data({ dropped: name, segments });
        out.line(`${out.c.green('✔')} dropped the snapshot of ${out.c.bold(name)} (${segments} segment(s))`);
      });
    });
  return new Command('snapshot')
    .description('Build or drop a resource snapshot (docs/queries.md "Snapshots")')
    .addHelpText('after', '\nExamples:\n  s3db snapshot build users\n  s3db snapshot drop users')
    .addCommand(build)
    .addCommand(drop);
}
