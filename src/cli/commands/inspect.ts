import { Command } from 'commander';
import type { Manifest } from '../../archive/manifest.js';
import { kindOfManifest } from '../../catalog/backup-kind.js';
import type { ContentsEntry } from '../../engines/engine.js';
import { counted, countItems, countUnits } from '../../engines/nouns.js';
import { loadEngine } from '../../engines/registry.js';
import { UsageError } from '../../errors.js';
import { chainJson, chainLine } from '../chain-summary.js';
import type { CliContext } from '../context.js';
import { addEngineFlags, engineOptionsFrom, INSPECT_FLAGS } from '../engine-flags.js';
import { formatBytes } from '../format-bytes.js';
import { addKeyOptions, keySourceFrom } from '../key-options.js';
import { manifestSummary } from '../manifest-summary.js';
import { addStoreOptions, storeOptionsFrom } from '../store-flags.js';
import { formatTable } from '../table.js';

export function inspectCommand(ctx: CliContext): Command {
  const command = new Command('inspect')
    .description("show an archive's manifest (reads only the archive's tail)")
    .argument('<archive>', 'path, s3://bucket/prefix/NAME.stow, or - to read it from stdin')
    .option('--list', 'print the table of contents on stdout (like pg_restore -l)')
    .option('--sql', 'print the schema as SQL on stdout (PostgreSQL; like pg_restore --schema-only -f -)')
    .option('--json', 'print the whole manifest (with --list: the contents) as JSON on stdout');
  addEngineFlags(command, INSPECT_FLAGS);
  addKeyOptions(command);
  addStoreOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ stowage inspect backups/shop-20261121-020000.stow
  $ stowage inspect shop.stow --list --table 'public.order*'
  $ stowage inspect shop.stow --sql --schema sales > sales.sql

--list and the selection flags (--schema/--table/--exclude-*, --ns-include/--ns-exclude)
show what a restore with the same flags would write, in the order it writes it.
--sql prints the statements a restore runs (credentials stored in the database are
not shown). A MongoDB archive has no SQL: --list shows its collections and indexes,
--json their options.`,
  );
  command.action(async (archive: string, opts: Record<string, unknown>) => {
    if (opts.list && opts.sql) throw new UsageError('--list and --sql exclude each other', 'pick one');
    // The operations load when a command runs, not for `--help` or `--version`.
    const [{ inspect, inspectChain }, { dataCounts }] = await Promise.all([
      import('../../ops/inspect.js'),
      import('../../ops/data-counts.js'),
    ]);
    const encryption = await keySourceFrom(opts);
    const { manifest, bytes } = await inspect(archive, {
      encryption,
      stores: storeOptionsFrom(opts),
      stdin: ctx.stdin,
      signal: ctx.signal,
    });
    const engine = await loadEngine(manifest.engine);
    const selection = engineOptionsFrom(INSPECT_FLAGS, opts, engine.name, command);
    if (!opts.list && !opts.sql && Object.keys(selection).length > 0)
      throw new UsageError('a selection applies to --list or --sql', 'add --list or --sql');
    if (opts.sql) {
      if (!engine.schemaSql) {
        throw new UsageError(
          `--sql applies to PostgreSQL archives; ${manifest.engine} has no SQL`,
          `stowage inspect ${archive} --list shows its collections and indexes, --json their options`,
        );
      }
      const lines = await engine.schemaSql(manifest.schema, selection);
      if (opts.json) ctx.json({ archive, sql: lines.join('\n') });
      else ctx.out(`${lines.join('\n')}\n`);
      return;
    }
    if (opts.list) {
      const entries = await engine.describeContents(manifest.schema, manifest.streams, selection);
      if (opts.json)
        ctx.json({ archive, engine: manifest.engine, database: manifest.database, contents: entries });
      else ctx.out(`${contentsListing(archive, manifest, entries).join('\n')}\n`);
      return;
    }
    const chain = manifest.chain
      ? await inspectChain(archive, manifest, {
          encryption: await keySourceFrom(opts),
          stores: storeOptionsFrom(opts),
        })
      : undefined;
    if (opts.json) {
      // The schema may hold credentials the database stores (user mapping passwords): masked here.
      const schema = engine.printableSchema ? engine.printableSchema(manifest.schema) : manifest.schema;
      ctx.json({ archive, bytes, ...manifest, schema, ...(chain ? { chainState: chainJson(chain) } : {}) });
      return;
    }
    const mark = manifest.chain;
    if (mark?.role === 'segment') {
      // A segment holds changes, not tables or collections.
      ctx.result(`archive:     ${archive} (${formatBytes(bytes)})`);
      ctx.result(
        `segment:     ${mark.sequence} of chain ${mark.id}: ${counted(mark.transactions, 'change')} after ${mark.after} up to ${mark.last ?? '-'}`,
      );
      ctx.result(
        `committed:   ${mark.firstCommitAt ?? '-'} to ${mark.lastCommitAt ?? '-'}; covers until ${mark.coveredUntil ?? '-'}`,
      );
      if (chain) ctx.result(chainLine(chain));
      return;
    }
    for (const line of manifestSummary(archive, manifest, bytes)) ctx.result(line);
    if (mark && chain) {
      ctx.result(chainLine(chain));
      for (const s of chain.segments) {
        ctx.result(
          `  ${s.name}  ${s.mark ? `${counted(s.mark.transactions, 'change')} up to ${s.mark.last}, covers until ${s.mark.coveredUntil}` : `UNREADABLE: ${s.unreadable}`}  ${formatBytes(s.bytes)}`,
        );
      }
    }
    const counts = dataCounts(engine, manifest.streams);
    ctx.result(`contents:    ${countUnits(manifest.engine, counts.units)} (--list shows them)`);
    for (const s of manifest.streams) {
      ctx.result(
        `  ${s.name}  ${counted(s.items, 'item')}  ${formatBytes(s.rawBytes)} → ${formatBytes(s.storedBytes)}`,
      );
    }
  });
  return command;
}

/** `inspect --list`: a commented header, then one line per entry, as pg_restore -l prints. */
function contentsListing(archive: string, manifest: Manifest, entries: ContentsEntry[]): string[] {
  const data = entries.filter((e) => e.items !== undefined);
  const items = data.reduce((n, e) => n + (e.items ?? 0), 0);
  const units = data.filter((e) => e.kind !== 'large-objects').length;
  const rows = entries.map((e) => [
    e.section,
    e.kind,
    e.name,
    [
      e.items === undefined ? '' : countItems(manifest.engine, e.items),
      e.bytes === undefined ? '' : formatBytes(e.bytes),
      e.detail ?? '',
    ]
      .filter(Boolean)
      .join(', '),
  ]);
  return [
    `; archive:  ${archive}`,
    `; database: ${manifest.database} (${manifest.engine} ${manifest.serverVersion}), taken ${manifest.startedAt}, ${kindOfManifest(manifest)}`,
    `; contents: ${counted(entries.length, 'entry', 'entries')}; data of ${countUnits(manifest.engine, units)}, ${countItems(manifest.engine, items)}`,
    ...(manifest.incomplete?.length
      ? [`; INCOMPLETE: the backup lacks ${manifest.incomplete.join(', ')}`]
      : []),
    ';',
    ...formatTable(['; SECTION', 'KIND', 'NAME', 'DATA'], rows),
  ];
}
