import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `mkdir -p` without Node's `mkdir(path, { recursive: true })`, which loops
 * for ever (a thread at 100% CPU; SIGTERM left the process running) where a
 * folder's parent exists and mkdir still answers ENOENT: /proc, /sys and
 * other virtual file systems (`--to /proc/backups`). The folders missing
 * below the nearest existing one are made one by one, and the first failure
 * comes back as the system gave it (ENOENT, ENOTDIR, EACCES, EROFS…).
 */
export async function makeFolder(path: string, mode: number): Promise<void> {
  const missing: string[] = [];
  for (let at = path; ; at = dirname(at)) {
    const found = await stat(at).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (found) {
      if (!found.isDirectory()) throw notAFolder(at);
      break;
    }
    missing.push(at);
    if (dirname(at) === at) break;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    await mkdir(missing[i]!, { mode }).catch((err: NodeJS.ErrnoException) => {
      // Made meanwhile by another process: fine, if it is a folder (the next mkdir or use tells).
      if (err.code !== 'EEXIST') throw err;
    });
  }
}

function notAFolder(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR', path });
}
