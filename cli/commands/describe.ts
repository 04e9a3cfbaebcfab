// s3db describe <resource>: schema, partitions, behavior and versions of one resource.
import { Command } from 'commander';
import type { Runtime } from '../runtime.js';

export function describeCommand(rt: Runtime): Command {
  return new Command('describe')
    .description("Show a resource's schema, partitions, behavior and versions")
    .argument('<resource>', 'resource name')
    .addHelpText('after', '\nExamples:\n  s3db describe users\n  s3db describe users --json')
    .action(async (name: string, _opts, cmd: Command) => {
      await rt.withDb(cmd, async ({ db, out }) => {
        const d = await db.describeResource(name);
        if (out.json) return out.data(d);
        out.line(out.c.bold(d.name));
        out.pairs([
          ['version', `${d.currentVersion} (${Object.keys(d.versions).length} version(s))`],
          ['behavior', d.behavior],
          ['timestamps', d.timestamps],
          ['paranoid', d.paranoid],
          ['createdBy', d.createdBy],
        ]);
        out.line();
        out.table(
          ['attribute', 'rule'],
          Object.entries(d.attributes).map(([k, v]) => [k, v]),
        );
        const partitions = Object.entries(d.partitions);
        if (partitions.length > 0) {
          out.table(
            ['partition', 'fields'],
            partitions.map(([p, def]) => [
              p,
              Object.entries(def.fields)
                .map(([f, r]) => `${f}:${r}`)
                .join(', '),
            ]),
          );
        }
      });
    });
}
