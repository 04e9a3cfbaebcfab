// s3db insert <resource> -d '<json>' (an object or an array), or NDJSON on stdin: new documents only.
import { Command } from 'commander';
import type { BulkItemError } from '../../engine/index.js';
import { EXIT, UsageError } from '../errors.js';
import { batches, readNdjson } from '../ndjson.js';
import { parseDocuments } from '../parse.js';
import { Progress } from '../progress.js';
import type { Runtime } from '../runtime.js';

export function insertCommand(rt: Runtime): Command {
  return new Command('insert')
    .description('Insert documents: -d with a JSON object or array, or NDJSON on stdin (an existing id fails)')
    .argument('<resource>', 'resource name')
    .option('-d, --data <json>', 'a JSON object, or an array of objects')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        `  s3db insert users -d '{"id":"u1","name":"Ada","team":"red"}'`,
        `  s3db insert users -d '[{"name":"Grace"},{"name":"Linus"}]'`,
        '  cat users.ndjson | s3db insert users',
      ].join('\n'),
    )
    .action(async (name: string, opts: { data?: string }, cmd: Command) => {
      const given = opts.data === undefined ? undefined : parseDocuments(opts.data);
      if (given === undefined && rt.io.stdin.isTTY === true) {
        throw new UsageError('insert needs -d or NDJSON on stdin', `e.g. s3db insert ${name} -d '{"name":"Ada"}'`);
      }
      await rt.withDb(cmd, async ({ db, out }) => {
        const resource = db.resource(name);
        const ids: string[] = [];
        const errors: (BulkItemError & { line?: number })[] = [];
        const progress = new Progress(out, `Inserting into ${name}`);
        const source =
          given === undefined
            ? readNdjson(rt.io.stdin)
            : (async function* () {
                for (const [i, value] of given.entries()) yield { line: i + 1, value };
              })();
        for await (const batch of batches(source, Math.max(1, db.concurrency * 10))) {
          const docs: Record<string, unknown>[] = [];
          const lines: number[] = [];
          for (const item of batch) {
            if ('error' in item)
              errors.push({ index: item.line - 1, line: item.line, code: 'USAGE', message: item.error });
            else {
              docs.push(item.value);
              lines.push(item.line);
            }
          }
          const result = await resource.insertMany(docs);
          ids.push(...result.ids);
          for (const e of result.errors) errors.push({ ...e, index: (lines[e.index] ?? 1) - 1 });
          progress.tick(batch.length);
        }
        progress.fail();
        const summary = { inserted: ids.length, ids, errors };
        if (out.json) out.data(summary);
        else {
          out.line(`${out.c.green('✔')} inserted ${ids.length} document(s) into ${out.c.bold(name)}`);
          if (ids.length <= 20 && ids.length > 0) out.line(out.c.dim(ids.join(' ')));
          for (const e of errors) out.error(e.code, `item ${e.index + 1}${e.id ? ` (${e.id})` : ''}: ${e.message}`);
        }
        if (errors.length > 0) rt.exitCode = EXIT.failed;
      });
    });
}
