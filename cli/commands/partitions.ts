// s3db partitions <resource> [<partition>]: the partitions, or one partition's values with their counts.
import { Command } from 'commander';
import type { Runtime } from '../runtime.js';

export function partitionsCommand(rt: Runtime): Command {
  return new Command('partitions')
    .description("List a resource's partitions, or one partition's values with counts")
    .argument('<resource>', 'resource name')
    .argument('[partition]', 'partition name: list its values and counts')
    .addHelpText('after', '\nExamples:\n  s3db partitions users\n  s3db partitions users byTeam')
    .action(async (name: string, partition: string | undefined, _opts, cmd: Command) => {
      await rt.withDb(cmd, async ({ db, out }) => {
        const listing = await db.resource(name).listPartitions(partition);
        if (out.json) return out.data(listing);
        if (partition === undefined) {
          if (listing.length === 0) return out.line(out.c.dim(`(${name} has no partitions)`));
          return out.table(
            ['partition', 'fields'],
            listing.map((p) => [
              p.name,
              Object.entries(p.fields)
                .map(([f, r]) => `${f}:${r}`)
                .join(', '),
            ]),
          );
        }
        for (const p of listing) {
          const fields = Object.keys(p.fields);
          out.table(
            [...fields, 'count'],
            (p.values ?? []).map((v) => [...fields.map((f) => v.values[f] ?? ''), v.count]),
          );
        }
      });
    });
}
