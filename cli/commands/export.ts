// s3db export <resource>: every document as NDJSON on stdout (or -o file), streamed: a page of ids and a few
// parallel GETs at a time, waiting on the output, so memory stays bounded whatever the size of the resource.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Command } from 'commander';
import { createRecordStream, type Document } from '../../engine/index.js';
import { EXIT, UsageError } from '../errors.js';
import { Progress } from '../progress.js';
import type { Runtime } from '../runtime.js';

export function exportCommand(rt: Runtime): Command {
  return new Command('export')
    .description('Write every document of a resource as NDJSON (one JSON object a line), streaming')
    .argument('<resource>', 'resource name')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      [
        '',
        'Secret fields are written in clear: a resource with secret fields needs --reveal-secrets and the passphrase.',
        '',
        'Examples:',
        '  s3db export users > users.ndjson',
        '  s3db export users -o users.ndjson',
        '  s3db export users | s3db --connection s3://… import users',
      ].join('\n'),
    )
    .action(async (name: string, opts: { output?: string }, cmd: Command) => {
      await rt.withDb(cmd, async ({ db, out, options }) => {
        const resource = db.resource(name);
        if (resource.secretPaths.length > 0 && !(options.revealSecrets === true && db.passphraseSet)) {
          // Exporting "[encrypted]" markers would make an import overwrite the secrets with that text.
          throw new UsageError(
            `${name} has secret fields (${resource.secretPaths.join(', ')}): an export would not hold their values`,
            'Set S3DB_SECURITY_PASSPHRASE and add --reveal-secrets (the file then holds the secrets in clear).',
          );
        }
        const target = opts.output === undefined ? rt.io.stdout : createWriteStream(opts.output);
        // A total for the ETA costs a LIST per 1,000 ids: only worth it when someone watches the progress bar.
        const toStdout = opts.output === undefined;
        const total = out.spinnerEnabled(toStdout) ? (await resource.count()).count : undefined;
        const progress = new Progress(out, `Exporting ${name}`, total, toStdout);
        const records = createRecordStream(resource, { concurrency: db.concurrency });
        records.on('itemError', (e: { id?: string; code: string; message: string }) =>
          out.error(e.code, `${e.id ?? '?'}: ${e.message}`),
        );
        for await (const doc of records as AsyncIterable<Document>) {
          if (!target.write(`${JSON.stringify(doc)}\n`)) await once(target, 'drain');
          progress.tick();
        }
        if (target !== rt.io.stdout) {
          target.end();
          await once(target, 'finish');
        }
        progress.succeed(`exported ${progress.count} document(s) of ${name}`);
        if (records.errors.length > 0) {
          out.warn(`${records.errors.length} document(s) could not be read`);
          rt.exitCode = EXIT.failed;
        }
      });
    });
}
