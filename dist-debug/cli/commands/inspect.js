import { Command } from 'commander';
import { inspect } from '../../ops/inspect.js';
import { formatBytes } from '../format-bytes.js';
import { addKeyOptions, keySourceFrom } from '../key-options.js';
import { manifestSummary } from '../manifest-summary.js';
import { addS3Options, s3OptionsFrom } from '../s3-flags.js';
export function inspectCommand(ctx) {
    const command = new Command('inspect')
        .description("show an archive's manifest (reads only the archive's tail)")
        .argument('<archive>', 'path or s3://bucket/prefix/NAME.stow')
        .option('--json', 'print the whole manifest as JSON on stdout');
    addKeyOptions(command);
    addS3Options(command);
    command.action(async (archive, opts) => {
        const { manifest } = await inspect(archive, {
            encryption: await keySourceFrom(opts),
            s3: s3OptionsFrom(opts),
        });
        if (opts.json) {
            ctx.json({ archive, ...manifest });
            return;
        }
        for (const line of manifestSummary(archive, manifest))
            ctx.log(line);
        for (const s of manifest.streams) {
            ctx.log(`  ${s.name}  ${s.items} items  ${formatBytes(s.rawBytes)} → ${formatBytes(s.storedBytes)}`);
        }
    });
    return command;
}
//# sourceMappingURL=inspect.js.map