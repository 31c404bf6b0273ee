// A restore into a new or empty database takes no safety backup, so loading the backup code (the
// archive writer, run records, retention…) was start-up time spent for nothing (issue 14).
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '../..');

/**
 * The source files `entries` load through static imports (dynamic imports load only when called),
 * and the packages they import for their values (type-only imports load nothing).
 */
async function staticClosure(...entries: string[]): Promise<Set<string>> {
  const { metafile } = await build({
    absWorkingDir: repoRoot,
    entryPoints: entries,
    bundle: true,
    write: false,
    metafile: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    outdir: 'out',
    logLevel: 'silent',
  });
  const inputs: Metafile['inputs'] = metafile.inputs;
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of inputs[file]?.imports ?? [])
      if (i.kind === 'import-statement') {
        if (i.external) seen.add(`package:${i.path}`);
        else visit(i.path);
      }
  };
  for (const entry of entries) visit(entry);
  return seen;
}

describe('what a restore loads', () => {
  it('loads the backup (for a safety backup) only when it takes one', async () => {
    const loaded = await staticClosure('src/ops/restore.ts');
    expect(loaded.has('src/ops/restore.ts')).toBe(true);
    expect(loaded.has('src/ops/scrub.ts')).toBe(true);
    expect([...loaded].filter((f) => f === 'src/ops/backup.ts' || f === 'src/archive/writer.ts')).toEqual([]);
  });
});

describe('what a backup or restore of a local file loads (issue 14)', () => {
  // What the commands' actions import when they run (src/cli/commands/{backup,restore}.ts), and the
  // engine they load. zod (390 KB, and schemas built at load) was a tenth of a small backup's CPU:
  // these check what they read without it and load it only to word what is wrong.
  const engine = 'src/engines/postgres/engine.ts';

  it('a backup does not load zod', async () => {
    const loaded = await staticClosure(
      'src/cli/commands/backup.ts',
      'src/ops/backup.ts',
      'src/ops/data-counts.ts',
      'src/ops/notify.ts',
      engine,
    );
    expect(loaded.has('src/archive/writer.ts')).toBe(true);
    expect(loaded.has('src/archive/manifest.ts')).toBe(true);
    expect(loaded.has('src/store/registry.ts')).toBe(true);
    expect([...loaded].filter((f) => f.startsWith('package:zod'))).toEqual([]);
  });

  it('a restore does not load zod', async () => {
    const loaded = await staticClosure(
      'src/cli/commands/restore.ts',
      'src/ops/data-counts.ts',
      'src/ops/open-archive.ts',
      'src/ops/restore.ts',
      'src/store/open-repository.ts',
      'src/archive/archive-keys.ts',
      engine,
    );
    expect(loaded.has('src/archive/reader.ts')).toBe(true);
    expect(loaded.has('src/engines/postgres/model.ts')).toBe(true);
    expect([...loaded].filter((f) => f.startsWith('package:zod'))).toEqual([]);
  });
});
