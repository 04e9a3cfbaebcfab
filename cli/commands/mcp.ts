// s3db mcp [server options]: the MCP server itself, started exactly as s3db-mcp-server starts (server/run.ts);
// --connection and --passphrase given to s3db are handed on as the server's own flags.
import { Command } from 'commander';
import { runServer } from '../../server/index.js';
import type { GlobalOptions, Runtime } from '../runtime.js';

export function mcpCommand(rt: Runtime): Command {
  return new Command('mcp')
    .description('Start the MCP server (stdio by default); takes every s3db-mcp-server option')
    .argument('[options...]', 's3db-mcp-server options, e.g. --transport=http --port=8000 (see s3db mcp --help)')
    .helpOption(false)
    .allowUnknownOption()
    .addHelpText(
      'after',
      '\nExamples:\n  s3db mcp\n  s3db mcp --transport=http --port=8000 --auth-token=…\n  s3db mcp --help      # every server option',
    )
    .action(async (args: string[], _opts, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const handedOn = [
        ...(globals.connection === undefined ? [] : [`--connection-string=${globals.connection}`]),
        ...(globals.passphrase === undefined ? [] : [`--passphrase=${globals.passphrase}`]),
        ...args,
      ];
      const code = await runServer(handedOn);
      // undefined: the server is running and ends the process itself when its client goes away.
      rt.exitCode = code === undefined ? rt.exitCode : code === 0 ? 0 : code === 2 ? 2 : 1;
      rt.serving = code === undefined;
    });
}
