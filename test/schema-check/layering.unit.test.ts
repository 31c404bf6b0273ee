// docs/ARCHITECTURE.md's layers, as imports: engines/kit/ and the engines themselves are
// the engines' own, so the archive, stores and catalog reach only the engine seam
// (engines/engine.ts, engines/registry.ts); schema-check/ stands below them all.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = resolve(import.meta.dirname, '../../src');

/** Every module under `folder` and the src-relative paths of the modules it imports. */
async function importsUnder(folder: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const entry of await readdir(join(src, folder), { recursive: true })) {
    if (!entry.endsWith('.ts')) continue;
    const file = join(src, folder, entry);
    const text = await readFile(file, 'utf8');
    const targets = [...text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)].map((m) =>
      relative(src, resolve(dirname(file), m[1] as string)).replace(/\.js$/, '.ts'),
    );
    out.set(relative(src, file), targets);
  }
  return out;
}

describe('layers', () => {
  it.each(['archive', 'store', 'catalog', 'scheduler'])(
    '%s/ imports of engines/ only the seam',
    async (folder) => {
      const wrong = [...(await importsUnder(folder))].flatMap(([file, targets]) =>
        targets
          .filter((t) => t.startsWith('engines/') && t !== 'engines/engine.ts' && t !== 'engines/registry.ts')
          .map((t) => `${file} → ${t}`),
      );
      expect(wrong).toEqual([]);
    },
  );

  it('schema-check/ imports nothing of stowage outside itself', async () => {
    const wrong = [...(await importsUnder('schema-check'))].flatMap(([file, targets]) =>
      targets.filter((t) => !t.startsWith('schema-check/')).map((t) => `${file} → ${t}`),
    );
    expect(wrong).toEqual([]);
  });
});
