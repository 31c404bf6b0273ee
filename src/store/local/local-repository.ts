import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ByteSink } from '../../archive/byte-sink.js';
import type { ByteSource } from '../../archive/byte-source.js';
import { StowageError } from '../../errors.js';
import { judgeClaim, parseClaim } from '../claim.js';
import type { Leftover, LeftoverOptions, Repository, RepositoryFile } from '../repository.js';
import { fsError, LocalFileSink } from './local-file-sink.js';
import { LocalFileSource } from './local-file-source.js';
import { makeFolder } from './make-folder.js';

/** A repository in a local folder (created 0700 on first write). */
export class LocalRepository implements Repository {
  readonly kind = 'local';
  readonly url: string;

  constructor(readonly path: string) {
    this.url = resolve(path);
  }

  async listFiles(folder?: string): Promise<RepositoryFile[]> {
    const dir = folder ? join(this.path, folder) : this.path;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        if (folder) return [];
        throw new StowageError(
          'not-found',
          `repository folder does not exist: ${this.url}`,
          'check the path',
        );
      }
      if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') {
        throw new StowageError(
          'not-a-folder',
          `not a folder: ${this.url}`,
          'give the folder that holds the archives',
        );
      }
      throw fsError(err, this.url);
    }
    const files: RepositoryFile[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.endsWith('.partial')) continue;
      // A file removed between readdir and stat (a concurrent prune) is simply not listed.
      const s = await stat(join(dir, entry.name)).catch(() => undefined);
      if (s) files.push({ name: entry.name, size: s.size, modified: s.mtime });
    }
    return files;
  }

  async listNames(): Promise<string[]> {
    const entries = await readdir(this.path, { withFileTypes: true }).catch((err: unknown) => {
      // The same errors as listFiles' (a missing folder, a file in the path).
      if (
        (err as NodeJS.ErrnoException).code === 'ENOENT' ||
        (err as NodeJS.ErrnoException).code === 'ENOTDIR'
      )
        return this.listFiles().then(() => []);
      throw fsError(err, this.url);
    });
    return entries.filter((e) => e.isFile() && !e.name.endsWith('.partial')).map((e) => e.name);
  }

  async fileSize(name: string): Promise<number | undefined> {
    const s = await stat(join(this.path, name)).catch(() => undefined);
    return s?.isFile() ? s.size : undefined;
  }

  async createArchive(name: string): Promise<ByteSink> {
    return LocalFileSink.create(join(this.path, name), { exclusive: true });
  }

  async openArchive(name: string): Promise<ByteSource> {
    return LocalFileSource.open(join(this.path, name));
  }

  async readText(name: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.path, name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fsError(err, join(this.path, name));
    }
  }

  async writeText(name: string, text: string): Promise<void> {
    const path = join(this.path, name);
    const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await makeFolder(dirname(path), 0o700);
      const handle = await open(temp, 'w', 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true }).catch(() => {});
      throw fsError(err, path);
    }
  }

  async createText(name: string, text: string): Promise<boolean> {
    const path = join(this.path, name);
    try {
      await makeFolder(dirname(path), 0o700);
      // 'wx' = O_CREAT | O_EXCL: atomic "create if absent", the basis of the repository lock.
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fsError(err, path);
    }
  }

  async remove(name: string): Promise<void> {
    try {
      await rm(join(this.path, name), { force: true });
    } catch (err) {
      throw fsError(err, join(this.path, name));
    }
  }

  async listLeftovers(options: LeftoverOptions = {}): Promise<Leftover[]> {
    const entries = await readdir(this.path, { withFileTypes: true }).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw fsError(err, this.url);
    });
    const names = new Set<string>();
    for (const entry of entries) {
      const match = /^(.+\.stow)\.(partial|lock)$/.exec(entry.name);
      if (entry.isFile() && match) names.add(match[1]!);
    }
    const leftovers: Leftover[] = [];
    for (const name of [...names].sort()) {
      const partial = await stat(join(this.path, `${name}.partial`)).catch(() => undefined);
      const lock = await stat(join(this.path, `${name}.lock`)).catch(() => undefined);
      if (!partial && !lock) continue; // finished or cleaned meanwhile
      const owner = lock
        ? await parseClaim(await this.readText(`${name}.lock`).catch(() => undefined))
        : undefined;
      const lastActivity = new Date(Math.max(partial?.mtimeMs ?? 0, lock?.mtimeMs ?? 0));
      const verdict = judgeClaim(owner, lastActivity, options);
      leftovers.push({
        kind: 'partial',
        name,
        bytes: partial?.size ?? 0,
        lastActivity,
        ...(owner ? { owner } : {}),
        ...verdict,
        ref: name,
      });
    }
    return leftovers;
  }

  async removeLeftover(leftover: Leftover): Promise<void> {
    // The partial first: a claim without its partial still blocks nothing but its own name.
    await this.remove(`${leftover.ref}.partial`);
    await this.remove(`${leftover.ref}.lock`);
  }

  async freeSpace(): Promise<{ availableBytes: number; totalBytes: number } | undefined> {
    // The folder may not exist yet: measure the nearest existing ancestor, where it will be created.
    let path = this.url;
    for (;;) {
      try {
        const s = await statfs(path);
        return { availableBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
      } catch (err) {
        const parent = dirname(path);
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === path) return undefined;
        path = parent;
      }
    }
  }

  async checkWritable(): Promise<void> {
    const probe = `.stowage-probe-${randomBytes(4).toString('hex')}`;
    try {
      await makeFolder(this.path, 0o700);
    } catch (err) {
      throw fsError(err, this.url);
    }
    // Written and removed, never synced: the probe asks whether files can be created and written
    // here, not whether they survive a crash. An fsync of it cost every backup a disk flush before
    // its first byte (the archive's own commit syncs the file and the folder).
    const path = join(this.path, probe);
    try {
      await writeFile(path, 'probe', { flag: 'wx', mode: 0o600 });
    } catch (err) {
      throw fsError(err, path);
    }
    await this.remove(probe);
  }

  locate(name: string): string {
    return join(this.path, name);
  }

  async close(): Promise<void> {}
}
