// s3db import <resource>: NDJSON from stdin (or -i file), streamed in bounded batches. A line with an id is
// upserted (written whole), so running the same import again, or again after an interruption, ends in the same
// state; a line without an id is inserted with a new id each time.
import { createReadStream, fstatSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Command } from 'commander';
import { isS3dbError } from '../../engine/index.js';
import { EXIT, UsageError } from '../errors.js';
import { batches, readNdjson } from '../ndjson.js';
import { Progress } from '../progress.js';
import type { Runtime } from '../runtime.js';

interface LineError {
  line: number;
  id?: string;
  code: string;
  message: string;
}

/** Bytes the input will have in all when it is a regular file (for the ETA), else undefined. */
function inputSize(file: string | undefined, stdin: Readable): number | undefined {
  try {
    const st = file === undefined ? fstatSync((stdin as Readable & { fd?: number }).fd ?? -1) : statSync(file);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

export function importCommand(rt: Runtime): Command {
  return new Command('import')
    .description('Read NDJSON and write each line as a document; idempotent by id (upsert)')
    .argument('<resource>', 'resource name')
    .option('-i, --input <file>', 'read this file instead of stdin')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  s3db import users < users.ndjson',
        '  s3db import users -i users.ndjson',
        '  s3db export users | s3db --connection s3://KEY:SECRET@bucket import users',
      ].join('\n'),
    )
    .action(async (name: string, opts: { input?: string }, cmd: Command) => {
      if (opts.input === undefined && rt.io.stdin.isTTY === true) {
        throw new UsageError('import reads NDJSON from stdin or -i', `e.g. s3db import ${name} < ${name}.ndjson`);
      }
      await rt.withDb(cmd, async ({ db, out }) => {
        const resource = db.resource(name);
        const input = opts.input === undefined ? rt.io.stdin : createReadStream(opts.input);
        const size = inputSize(opts.input, rt.io.stdin);
        let read = 0;
        const progress = new Progress(out, `Importing into ${name}`, () =>
          size === undefined || size === 0 ? undefined : read / size,
        );
        const errors: LineError[] = [];
        let written = 0;
        let created = 0;
        for await (const batch of batches(
          readNdjson(input, (n) => (read += n)),
          db.concurrency,
        )) {
          // One batch in flight at a time: at most `concurrency` documents in memory and in requests.
          await Promise.all(
            batch.map(async (item) => {
              if ('error' in item) {
                errors.push({ line: item.line, code: 'USAGE', message: item.error });
                return;
              }
              const id = item.value.id;
              try {
                if (typeof id === 'string' && id !== '') {
                  if ((await resource.upsert(item.value)).created) created++;
                } else {
                  await resource.insert(item.value);
                  created++;
                }
                written++;
              } catch (error) {
                errors.push({
                  line: item.line,
                  ...(typeof id === 'string' ? { id } : {}),
                  code: isS3dbError(error) ? error.code : 'INTERNAL',
                  message: error instanceof Error ? error.message : String(error),
                });
              }
            }),
          );
          progress.tick(batch.length);
        }
        errors.sort((a, b) => a.line - b.line);
        progress.succeed(`imported ${written} document(s) into ${name} (${created} new)`);
        const summary = { written, created, updated: written - created, errors };
        if (out.json) out.data(summary);
        else for (const e of errors) out.error(e.code, `line ${e.line}${e.id ? ` (${e.id})` : ''}: ${e.message}`);
        if (errors.length > 0) rt.exitCode = EXIT.failed;
      });
    });
}
