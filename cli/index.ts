// The s3db command line's public face: run it with arguments and streams; main.ts is the bin that does so.
import { CommanderError } from 'commander';
import { EXIT, describeError, type ExitCode } from './errors.js';
import { Output } from './output.js';
import { buildProgram } from './program.js';
import { Runtime, type CliIo } from './runtime.js';

export { EXIT, UsageError, type ExitCode } from './errors.js';
export { COMMANDS, buildProgram } from './program.js';
export type { CliIo } from './runtime.js';

/** Commander's own ends that are not failures: --help and --version. */
const CLEAN_EXITS = new Set(['commander.helpDisplayed', 'commander.version']);

/**
 * Runs `s3db` with argv (without node and the script). Resolves to the exit code, or undefined while `s3db mcp`
 * serves (the server ends the process itself).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode | undefined> {
  const rt = new Runtime(io);
  const program = buildProgram(rt);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return rt.serving ? undefined : rt.exitCode;
  } catch (error) {
    if (error instanceof CommanderError && CLEAN_EXITS.has(error.code)) return EXIT.ok;
    // `s3db help x` (exit 0) or no command at all (exit 1 in commander's terms): the help is already printed.
    if (error instanceof CommanderError && error.code === 'commander.help') {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const report = describeError(error);
    const out = rt.current ?? new Output({ stdout: io.stdout, stderr: io.stderr, env: io.env });
    if (out.json) {
      const { exitCode: _exitCode, ...shown } = report;
      io.stderr.write(`${JSON.stringify({ error: shown })}\n`);
    } else {
      out.error(report.code, report.message, report.hint);
      if (report.code === 'USAGE' && error instanceof CommanderError) out.note('Run s3db help <command> for examples.');
    }
    return report.exitCode;
  }
}
