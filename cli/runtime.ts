// What every command gets: the streams, the environment, the output for its flags, and the database opened for
// the length of the action (closed after it, whatever happens).
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import type { Database, Document } from '../engine/index.js';
import { connect, resolveConnection } from './connection.js';
import { EXIT, type ExitCode } from './errors.js';
import { Output, type TermStream } from './output.js';

export interface CliIo {
  stdin: Readable & { isTTY?: boolean };
  stdout: TermStream;
  stderr: TermStream;
  env: Readonly<Record<string, string | undefined>>;
}

/** The options every command takes (declared once on the program). */
export interface GlobalOptions {
  connection?: string;
  passphrase?: string;
  json?: boolean;
  color?: boolean;
  revealSecrets?: boolean;
}

export interface ActionContext {
  db: Database;
  out: Output;
  io: CliIo;
  options: GlobalOptions;
}

export class Runtime {
  /** The output of the command being run, for reporting its error in the right mode. */
  current: Output | undefined;
  /** Set by a command that finished but not wholly (some items failed): the process exits with it. */
  exitCode: ExitCode = EXIT.ok;
  /** `s3db mcp` is serving: the process must not exit when the command returns. */
  serving = false;

  constructor(readonly io: CliIo) {}

  output(cmd: Command): Output {
    const options = cmd.optsWithGlobals<GlobalOptions>();
    this.current = new Output({
      stdout: this.io.stdout,
      stderr: this.io.stderr,
      env: this.io.env,
      ...(options.json === undefined ? {} : { json: options.json }),
      ...(options.color === undefined ? {} : { color: options.color }),
    });
    return this.current;
  }

  /** Runs fn with the connected database, closing it afterwards. */
  async withDb(cmd: Command, fn: (ctx: ActionContext) => Promise<void>): Promise<void> {
    const out = this.output(cmd);
    const options = cmd.optsWithGlobals<GlobalOptions>();
    const connection = resolveConnection(options, this.io.env);
    if (connection.isDefault) {
      out.warn(`No connection given: using ${connection.shown} (set --connection or S3DB_CONNECTION).`);
    }
    const db = await connect(connection);
    try {
      await fn({ db, out, io: this.io, options });
    } finally {
      await db.close();
    }
  }
}

/** A copy of the document with each secret path replaced by "[encrypted]", as the MCP server shows it. */
export function maskSecrets(doc: Document, secretPaths: readonly string[]): Document {
  if (secretPaths.length === 0) return doc;
  const copy = structuredClone(doc);
  for (const path of secretPaths) {
    const keys = path.split('.');
    let node: unknown = copy;
    for (const key of keys.slice(0, -1)) {
      node =
        node !== null && typeof node === 'object' && Object.hasOwn(node, key)
          ? (node as Record<string, unknown>)[key]
          : undefined;
    }
    const last = keys.at(-1) as string;
    if (node !== null && typeof node === 'object' && Object.hasOwn(node, last)) {
      (node as Record<string, unknown>)[last] = '[encrypted]';
    }
  }
  return copy;
}

/** Documents as the CLI shows them: secrets masked unless --reveal-secrets (which needs the passphrase). */
export function present(
  docs: readonly Document[],
  resource: { secretPaths: readonly string[] },
  ctx: ActionContext,
): Document[] {
  if (ctx.options.revealSecrets === true && ctx.db.passphraseSet) return [...docs];
  return docs.map((d) => maskSecrets(d, resource.secretPaths));
}
