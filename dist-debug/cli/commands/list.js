import { Command } from 'commander';
import { list } from '../../ops/list.js';
import { formatBytes } from '../format-bytes.js';
import { addKeyOptions, keySourceFrom } from '../key-options.js';
import { addS3Options, s3OptionsFrom } from '../s3-flags.js';
import { formatDate, formatDuration, formatTable } from '../table.js';
/** The verification column: passed, FAILED, or - when never verified. */
export function verificationLabel(a) {
    if (!a.verification)
        return '-';
    const how = a.verification.level === 'restore-test' ? ' (restore test)' : '';
    return a.verification.ok ? `ok${how}` : `FAILED${how}`;
}
/** Human rows for a set of archives, oldest first (the newest ends up next to the prompt). */
export function archiveTable(archives) {
    return formatTable(['DATE (UTC)', 'DATABASE', 'ENGINE', 'KIND', 'SIZE', 'DURATION', 'VERIFIED', 'NAME', 'NOTE'], archives.map((a) => [
        formatDate(a.at),
        a.sourceDatabase ?? a.database,
        a.engine ?? (a.encrypted ? 'encrypted' : '?'),
        a.kind,
        formatBytes(a.bytes),
        formatDuration(a.durationMs),
        verificationLabel(a),
        a.name,
        a.unreadable && !a.encrypted ? `UNREADABLE: ${a.unreadable}` : (a.note ?? ''),
    ]));
}
/** JSON form of an archive: dates as ISO strings. */
export function archiveJson(a) {
    return {
        ...a,
        at: a.at.toISOString(),
        ...(a.finishedAt ? { finishedAt: a.finishedAt.toISOString() } : {}),
    };
}
export function listCommand(ctx) {
    const command = new Command('list')
        .description("list the archives in a repository (reads only each archive's tail)")
        .argument('<repository>', 'local folder or s3://bucket/prefix')
        .option('--database <name>', 'only this database')
        .option('--json', 'print { repository, archives: [...] } on stdout');
    addKeyOptions(command);
    addS3Options(command);
    command.addHelpText('after', `
Examples:
  $ stowage list ./backups
  $ stowage list s3://company-backups/prod --database shop --json`);
    command.action(async (repository, opts) => {
        const archives = await list({
            repository,
            database: opts.database,
            encryption: await keySourceFrom(opts),
            s3: s3OptionsFrom(opts),
        });
        if (opts.json) {
            ctx.json({ repository, archives: archives.map(archiveJson) });
            return;
        }
        if (archives.length === 0) {
            ctx.log(`no archives in ${repository}`);
            return;
        }
        for (const line of archiveTable(archives))
            ctx.log(line);
        const total = archives.reduce((n, a) => n + a.bytes, 0);
        ctx.log(`${archives.length} archive${archives.length === 1 ? '' : 's'}, ${formatBytes(total)}`);
    });
    return command;
}
//# sourceMappingURL=list.js.map