// s3db create <resource> --attributes …: define a resource, or add a schema version when the definition changed.
import { Command, Option } from 'commander';
import { BEHAVIORS, type ResourceDefinitionInput } from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { collect, parseAttributes, parsePartitions } from '../parse.js';
import type { Runtime } from '../runtime.js';

export function createCommand(rt: Runtime): Command {
  return new Command('create')
    .description('Create a resource, or add a schema version when its definition changed')
    .argument('<resource>', 'resource name')
    .option('-a, --attributes <json|short>', 'schema: JSON or name:rule pairs, e.g. name:string|required,age:number')
    .option(
      '-p, --partition <name=fields>',
      'partition, e.g. byTeam=team or byPlace=country,city (repeatable)',
      collect,
    )
    .addOption(new Option('-b, --behavior <behavior>', 'metadata/body split').choices(BEHAVIORS))
    .option('--timestamps', 'keep createdAt/updatedAt')
    .option('--paranoid', 'deletes need confirmation')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        "  s3db create users -a 'name:string|required,email:email,team:string,apiKey:secret' -p byTeam=team",
        `  s3db create notes --attributes '{"title":"string","body":"string"}' --behavior body-overflow --timestamps`,
      ].join('\n'),
    )
    .action(
      async (
        name: string,
        opts: {
          attributes?: string;
          partition?: string[];
          behavior?: string;
          timestamps?: boolean;
          paranoid?: boolean;
        },
        cmd: Command,
      ) => {
        if (opts.attributes === undefined) {
          throw new UsageError('create needs --attributes', "e.g. s3db create users -a 'name:string|required'");
        }
        const definition: ResourceDefinitionInput = {
          name,
          attributes: parseAttributes(opts.attributes) as ResourceDefinitionInput['attributes'],
          ...(opts.partition === undefined ? {} : { partitions: parsePartitions(opts.partition) }),
          ...(opts.behavior === undefined ? {} : { behavior: opts.behavior as ResourceDefinitionInput['behavior'] }),
          ...(opts.timestamps === true ? { timestamps: true } : {}),
          ...(opts.paranoid === true ? { paranoid: true } : {}),
        };
        await rt.withDb(cmd, async ({ db, out }) => {
          const r = await db.createResource(definition);
          const result = { name, version: r.version, created: r.created, changed: r.changed };
          if (out.json) return out.data(result);
          out.line(
            r.created
              ? `${out.c.green('✔')} created ${out.c.bold(name)} (${r.version})`
              : r.changed
                ? `${out.c.green('✔')} ${out.c.bold(name)} is now at ${r.version}`
                : `${out.c.dim('=')} ${out.c.bold(name)} already had this definition (${r.version}); nothing changed`,
          );
        });
      },
    );
}
