// s3db stats [--resource r]: documents and bytes per resource (a LIST per 1,000 keys), requests made, cost.
import { Command } from 'commander';
import { estimateCosts } from '../../engine/index.js';
import type { Runtime } from '../runtime.js';
import { formatBytes } from '../views.js';

export function statsCommand(rt: Runtime): Command {
  return new Command('stats')
    .description('Documents and bytes per resource, and the S3 requests this run made')
    .option('-r, --resource <name>', 'only this resource')
    .addHelpText('after', '\nExamples:\n  s3db stats\n  s3db stats --resource users --json')
    .action(async (opts: { resource?: string }, cmd: Command) => {
      await rt.withDb(cmd, async ({ db, out }) => {
        const spinner = out.spinner('Listing objects').start();
        const stats = await db
          .getStats(opts.resource === undefined ? {} : { resource: opts.resource })
          .finally(() => spinner.stop());
        const cost = estimateCosts(
          stats.requests,
          stats.resources.reduce((sum, r) => sum + r.bytes, 0),
        );
        if (out.json) return out.data({ ...stats, cost });
        out.table(
          ['resource', 'documents', 'bytes'],
          stats.resources.map((r) => [r.name, r.count, formatBytes(r.bytes)]),
        );
        const requests = Object.entries(stats.requests.byOperation).filter(([, n]) => n > 0);
        out.line(out.c.dim(`store ${stats.store}`));
        out.line(
          out.c.dim(
            `${stats.requests.total} request(s) this run (${requests.map(([k, n]) => `${k} ${n}`).join(', ')}) · ` +
              `storage ≈ $${cost.storageUSDPerMonth.toFixed(4)}/month`,
          ),
        );
      });
    });
}
