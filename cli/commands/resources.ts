// s3db resources: the resources in the catalog (no request beyond connecting).
import { Command } from 'commander';
import type { Runtime } from '../runtime.js';

export function resourcesCommand(rt: Runtime): Command {
  return new Command('resources')
    .alias('list')
    .description('List the resources (collections) in the bucket')
    .addHelpText('after', "\nExamples:\n  s3db resources\n  s3db resources --json | jq -r '.[].name'")
    .action(async (_opts, cmd: Command) => {
      await rt.withDb(cmd, async ({ db, out }) => {
        const resources = db.listResources();
        if (out.json) return out.data(resources);
        if (resources.length === 0) return out.line(out.c.dim('(no resources: create one with s3db create)'));
        out.table(
          ['name', 'version', 'behavior', 'partitions', 'timestamps', 'paranoid', 'createdBy'],
          resources.map((r) => [
            r.name,
            r.version,
            r.behavior,
            Object.keys(r.partitions).join(', '),
            r.timestamps ? 'yes' : '',
            r.paranoid ? 'yes' : '',
            r.createdBy,
          ]),
        );
      });
    });
}
