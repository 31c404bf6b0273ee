// A restore into a new or empty database takes no safety backup, so loading the backup code (the
// archive writer, run records, retention…) was start-up time spent for nothing (issue 14).
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '../..');

/** The source files `entry` loads through static imports (dynamic imports load only when called). */
async function staticClosure(entry: string): Promise<Set<string>> {
  const { metafile } = await build({
    absWorkingDir: repoRoot,
    entryPoints: [entry],
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
      if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entry);
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
