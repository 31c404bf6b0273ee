import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { prune } from '../../ops/prune.js';
import { addKeyOptions, keySourceFrom } from '../key-options.js';
import { addS3Options, s3OptionsFrom } from '../s3-flags.js';
import { formatDate } from '../table.js';
const KEEP_FLAGS = [
    ['--keep-last <n>', 'keepLast', 'keep the n newest backups'],
    ['--keep-hourly <n>', 'keepHourly', 'keep the newest backup of each of the last n hours that have one'],
    ['--keep-daily <n>', 'keepDaily', 'same per day (default 30 when no --keep-* is given)'],
    ['--keep-weekly <n>', 'keepWeekly', 'same per ISO week'],
    ['--keep-monthly <n>', 'keepMonthly', 'same per month'],
    ['--keep-yearly <n>', 'keepYearly', 'same per year'],
];
function count(flag) {
    return (value) => {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 0)
            throw new UsageError(`${flag} must be a whole number ≥ 0, got ${value}`);
        return n;
    };
}
export function pruneCommand(ctx) {
    const command = new Command('prune')
        .description('delete old backups by a grandfather-father-son policy (manual and newest verified backups always stay)')
        .argument('<repository>', 'local folder or s3://bucket/prefix')
        .option('--database <name>', 'only this database (default: each database on its own)')
        .option('-n, --dry-run', 'show what would be deleted and why each kept backup stays; delete nothing')
        .option('--json', 'print the decisions as JSON on stdout');
    for (const [flags, , description] of KEEP_FLAGS)
        command.option(flags, description, count(flags.split(' ')[0]));
    addKeyOptions(command);
    addS3Options(command);
    command.addHelpText('after', `
Examples:
  $ stowage prune ./backups --dry-run
  $ stowage prune s3://backups/prod --keep-daily 14 --keep-weekly 8 --keep-monthly 12

A policy that would delete every backup of a database is refused.`);
    command.action(async (repository, opts) => {
        const policy = Object.fromEntries(KEEP_FLAGS.filter(([, key]) => opts[key] !== undefined).map(([, key]) => [key, opts[key]]));
        const result = await prune({
            repository,
            policy,
            database: opts.database,
            dryRun: opts.dryRun === true,
            encryption: await keySourceFrom(opts),
            s3: s3OptionsFrom(opts),
        });
        if (opts.json) {
            ctx.json({ ...result, decisions: result.decisions.map((d) => ({ ...d, at: d.at.toISOString() })) });
            return;
        }
        for (const d of result.decisions) {
            const verb = d.keep ? 'keep  ' : result.dryRun ? 'would delete' : 'delete';
            ctx.log(`${verb.padEnd(12)}  ${formatDate(d.at)}  ${d.name}  (${d.reasons.join('; ')})`);
        }
        ctx.log(result.dryRun
            ? `dry run: ${result.deleted.length} of ${result.decisions.length} archives would be deleted, ${result.kept.length} kept`
            : `deleted ${result.deleted.length} of ${result.decisions.length} archives, ${result.kept.length} kept`);
    });
    return command;
}
//# sourceMappingURL=prune.js.map