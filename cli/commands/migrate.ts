// s3db migrate --from-s3dbjs: copy a bucket s3db.js wrote into this engine's format (engine migrateFromS3dbjs);
// a dry run unless --apply, resumable and idempotent (see docs/s3dbjs.md).
import { Command } from 'commander';
import { migrateFromS3dbjs, openStore } from '../../engine/index.js';
import { UsageError } from '../errors.js';
import type { GlobalOptions, Runtime } from '../runtime.js';

interface MigrateOptions {
  fromS3dbjs?: boolean;
  source?: string;
  target?: string;
  targetPassphrase?: string;
  resources?: string;
  apply?: boolean;
}

export function migrateCommand(rt: Runtime): Command {
  return new Command('migrate')
    .description('Copy a bucket written by s3db.js into this format (a dry run unless --apply)')
    .option('--from-s3dbjs', 'the source was written by s3db.js (the only migration there is)')
    .option('--source <connection>', 'the s3db.js bucket or prefix (only read)')
    .option('--target <connection>', 'another bucket or prefix to write into')
    .option('--target-passphrase <passphrase>', 'encrypt secret fields with this one (default: --passphrase)')
    .option('--resources <names>', 'only these resources, comma-separated')
    .option('--apply', 'write (default: a dry run that reports what would be written)')
    .addHelpText(
      'after',
      '\nExamples:\n  s3db migrate --from-s3dbjs --source s3://K:S@old-bucket --target s3://K:S@new-bucket\n' +
        '  S3DB_SECURITY_PASSPHRASE=… s3db migrate --from-s3dbjs --source … --target … --apply',
    )
    .action(async (opts: MigrateOptions, cmd: Command) => {
      const out = rt.output(cmd);
      if (opts.fromS3dbjs !== true) {
        throw new UsageError(
          'Say where the data comes from: --from-s3dbjs',
          's3db migrate --from-s3dbjs --source … --target …',
        );
      }
      if (opts.source === undefined || opts.target === undefined) {
        throw new UsageError(
          '--source and --target are required',
          'Give both connection strings (see s3db help migrate).',
        );
      }
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const passphrase = globals.passphrase ?? rt.io.env.S3DB_SECURITY_PASSPHRASE;
      const source = openStore(opts.source);
      const target = openStore(opts.target);
      try {
        const spinner = out.spinner(opts.apply ? 'Migrating' : 'Checking').start();
        const report = await migrateFromS3dbjs({
          source,
          target,
          passphrase,
          targetPassphrase: opts.targetPassphrase,
          dryRun: opts.apply !== true,
          ...(opts.resources === undefined ? {} : { resources: opts.resources.split(',').map((r) => r.trim()) }),
        }).finally(() => spinner.stop());
        if (out.json) return out.data(report);
        out.table(
          ['resource', 'records', report.dryRun ? 'would write' : 'written', 'unchanged', 'failed'],
          report.resources.map((r) => [r.name, r.records, r.written, r.unchanged, r.failed.length]),
        );
        out.line(
          report.dryRun
            ? out.c.yellow('A dry run: nothing was written. Run again with --apply to copy.')
            : report.complete
              ? `${out.c.green('✔')} every record is in the target and equal to its source`
              : out.c.yellow('Not complete: run it again (it resumes and skips what is already there).'),
        );
      } finally {
        await source.close();
        await target.close();
      }
    });
}
