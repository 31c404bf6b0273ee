import { Command } from 'commander';
import { loadEngine } from '../../engines/registry.js';
import { inspect } from '../../ops/inspect.js';
import type { CliContext } from '../context.js';
import { formatBytes } from '../format-bytes.js';
import { addKeyOptions, keySourceFrom } from '../key-options.js';
import { manifestSummary } from '../manifest-summary.js';
import { addS3Options, s3OptionsFrom } from '../s3-flags.js';

export function inspectCommand(ctx: CliContext): Command {
  const command = new Command('inspect')
    .description("show an archive's manifest (reads only the archive's tail)")
    .argument('<archive>', 'path or s3://bucket/prefix/NAME.stow')
    .option('--json', 'print the whole manifest as JSON on stdout');
  addKeyOptions(command);
  addS3Options(command);
  command.action(async (archive: string, opts: Record<string, unknown>) => {
    const { manifest } = await inspect(archive, {
      encryption: await keySourceFrom(opts),
      s3: s3OptionsFrom(opts),
    });
    if (opts.json) {
      // The schema may hold credentials the database stores (user mapping passwords): masked here.
      const engine = await loadEngine(manifest.engine);
      const schema = engine.printableSchema ? engine.printableSchema(manifest.schema) : manifest.schema;
      ctx.json({ archive, ...manifest, schema });
      return;
    }
    for (const line of manifestSummary(archive, manifest)) ctx.result(line);
    for (const s of manifest.streams) {
      ctx.result(`  ${s.name}  ${s.items} items  ${formatBytes(s.rawBytes)} → ${formatBytes(s.storedBytes)}`);
    }
  });
  return command;
}
