// Writes dist/demo/pglite-datadir.tar.gz (run by `npm run build`): the data folder
// of a freshly initialised PGlite, which `stowage demo` loads instead of running
// PGlite's initdb itself. initdb is a second large WebAssembly program: compiling
// and running it was most of the demo's time and half of its peak memory.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'dist/demo/pglite-datadir.tar.gz');
const db = await PGlite.create();
try {
  const tarball = await db.dumpDataDir('gzip');
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, Buffer.from(await tarball.arrayBuffer()));
} finally {
  await db.close();
}
