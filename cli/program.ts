// The s3db program: global options, one subcommand per file in commands/, help with examples and exit codes.
import { Command } from 'commander';
import { SERVER_VERSION } from '../server/index.js';
import { countCommand } from './commands/count.js';
import { createCommand } from './commands/create.js';
import { deleteCommand } from './commands/delete.js';
import { describeCommand } from './commands/describe.js';
import { exportCommand } from './commands/export.js';
import { getCommand } from './commands/get.js';
import { healCommand } from './commands/heal.js';
import { importCommand } from './commands/import.js';
import { insertCommand } from './commands/insert.js';
import { mcpCommand } from './commands/mcp.js';
import { migrateCommand } from './commands/migrate.js';
import { partitionsCommand } from './commands/partitions.js';
import { queryCommand } from './commands/query.js';
import { resourcesCommand } from './commands/resources.js';
import { snapshotCommand } from './commands/snapshot.js';
import { statsCommand } from './commands/stats.js';
import { updateCommand } from './commands/update.js';
import type { Runtime } from './runtime.js';

export const COMMANDS = [
  resourcesCommand,
  describeCommand,
  createCommand,
  insertCommand,
  getCommand,
  updateCommand,
  deleteCommand,
  queryCommand,
  countCommand,
  partitionsCommand,
  statsCommand,
  healCommand,
  snapshotCommand,
  exportCommand,
  importCommand,
  migrateCommand,
  mcpCommand,
] as const;

const EPILOGUE = `
Connection (flag > environment > default):
  --connection, S3DB_CONNECTION_STRING or S3DB_CONNECTION; default file://./s3db-data (a local folder)
  file://./dir   memory://name   s3://KEY:SECRET@bucket/prefix?region=…   http://KEY:SECRET@host:port/bucket
  The passphrase of secret fields: S3DB_SECURITY_PASSPHRASE (or --passphrase, which other users can see in ps).

Output: tables and colour on a terminal; JSON (NDJSON for export) on stdout when piped or with --json,
messages on stderr. NO_COLOR is respected.

Exit codes: 0 ok · 1 the operation failed (not found, conflict, store error, some items failed)
            2 usage or configuration error (unknown option, malformed JSON, missing argument)

Examples:
  s3db create users -a 'name:string|required,team:string' -p byTeam=team
  s3db insert users -d '{"id":"u1","name":"Ada","team":"red"}'
  s3db query users --partition byTeam --value team=red
  s3db export users > users.ndjson && s3db --connection s3://KEY:SECRET@bucket import users < users.ndjson
  s3db help query`;

export function buildProgram(rt: Runtime): Command {
  const program = new Command('s3db')
    .description('A document database in an S3 bucket, from the command line (docs/cli.md)')
    .version(SERVER_VERSION, '-v, --version', 'print the version')
    .option('-c, --connection <url>', 'where the data lives (see Connection below)')
    .option('--passphrase <text>', 'passphrase of secret fields (prefer S3DB_SECURITY_PASSPHRASE)')
    .option('--json', 'JSON on stdout even on a terminal')
    .option('--no-color', 'no colour (as NO_COLOR=1)')
    .option('--reveal-secrets', 'show secret fields in clear (needs the passphrase)')
    .addHelpText('after', EPILOGUE)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => rt.io.stdout.write(s),
      writeErr: (s) => rt.io.stderr.write(s),
      // Errors are reported once, by runCli, with their code and hint.
      outputError: () => undefined,
    });
  for (const make of COMMANDS) {
    const command = make(rt);
    command.copyInheritedSettings(program);
    // Subcommands (snapshot build|drop) report their errors the same way.
    for (const sub of command.commands) sub.copyInheritedSettings(command);
    program.addCommand(command);
  }
  return program;
}
