import { existsSync } from 'node:fs';
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { scratchFileName } from './scratch-names.js';

/**
 * Makes a bench input kept between runs (a dump or an archive that takes minutes
 * to make) unless it is there: `make` writes it in a folder of this run's own,
 * under the same file name (tools read the extension), and it is renamed into
 * place whole, so a run started meanwhile never reads half of it and two runs
 * making it at once each put a complete one there. Runs only read it afterwards:
 * what they time they write under scratch names.
 *
 * @returns true when this run made it.
 */
export async function makeSharedInput(
  path: string,
  make: (into: string) => Promise<unknown>,
): Promise<boolean> {
  if (existsSync(path)) return false;
  const folder = scratchFileName(join(dirname(path), '.making'));
  const into = join(folder, basename(path));
  await mkdir(folder, { recursive: true });
  try {
    await make(into);
    await rename(into, path);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  return true;
}

/**
 * Puts a copy of `file`, which this run wrote, at the shared `path` whole,
 * replacing what was there, for later runs that reuse it: a run reading the
 * old one keeps reading it (the rename swaps the name, not the bytes).
 */
export async function publishSharedInput(file: string, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = scratchFileName(join(dirname(path), `.${basename(path)}`));
  try {
    await copyFile(file, temp);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}
