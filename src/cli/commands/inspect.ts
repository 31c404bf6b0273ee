import { Command } from 'commander';
import { inspect } from '../../ops/inspect.js';
import type { CliContext } from '../context.js';
import { formatBytes } from '../format-bytes.js';
import { addKeyOptions, keySourceFrom } from '../key-options.js';

export function inspectCommand(ctx: CliContext): Command {
  const command = new Command('inspect')
    .description("show an archive's manifest (reads only the archive's tail)")
    .argument('<archive>', 'path of the .stow archive')
    .option('--json', 'print the whole manifest as JSON on stdout');
  addKeyOptions(command);
  command.action(async (archive: string, opts: Record<string, unknown>) => {
    const { manifest } = await inspect(archive, { encryption: await keySourceFrom(opts) });
    if (opts.json) {
      ctx.json({ archive, ...manifest });
      return;
    }
    const seconds = (Date.parse(manifest.finishedAt) - Date.parse(manifest.startedAt)) / 1000;
    const raw = manifest.streams.reduce((n, s) => n + s.rawBytes, 0);
    const stored = manifest.streams.reduce((n, s) => n + s.storedBytes, 0);
    const lines = [
      `archive:     ${archive}`,
      `engine:      ${manifest.engine} ${manifest.serverVersion}`,
      `database:    ${manifest.database}`,
      `source:      ${manifest.source}`,
      `taken:       ${manifest.startedAt} (${seconds.toFixed(1)} s, ${manifest.kind}${manifest.pointInTime ? ', point in time' : ', NOT a single point in time'})`,
      `tool:        stowage ${manifest.tool.version}, format ${manifest.formatVersion}${manifest.encrypted ? ', encrypted' : ''}`,
      ...(manifest.note ? [`note:        ${manifest.note}`] : []),
      `size:        ${formatBytes(raw)} raw, ${formatBytes(stored)} stored`,
      ...manifest.warnings.map((w) => `warning:     ${w}`),
      `streams:     ${manifest.streams.length}`,
      ...manifest.streams.map((s) => `  ${s.name}  ${s.items} items  ${formatBytes(s.rawBytes)} → ${formatBytes(s.storedBytes)}`),
    ];
    for (const line of lines) ctx.log(line);
  });
  return command;
}
